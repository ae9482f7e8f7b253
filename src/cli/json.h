/*
 * json.h — a small streaming JSON writer for the CLI's --json outputs
 * (info, run, verify, generate, trace, check-kernels, bench). It tracks
 * nesting and commas, escapes strings, and writes a non-finite number as
 * null (JSON has no NaN or infinity). Not a parser.
 *
 *     cli_json j; cli_json_init(&j, stdout);
 *     cli_json_object(&j, NULL);
 *       cli_json_str(&j, "model", path);
 *       cli_json_array(&j, "inputs"); ... cli_json_end(&j);
 *     cli_json_end(&j);      // the outermost end writes a newline
 *
 * Inside an object every value takes a key; inside an array, key is NULL.
 */
#ifndef MOTE_CLI_JSON_H
#define MOTE_CLI_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "mote.h"

#define CLI_JSON_MAX_DEPTH 32

typedef struct cli_json {
    FILE *f;
    int depth;                          /* open objects and arrays */
    bool first[CLI_JSON_MAX_DEPTH];     /* nothing written yet at this level */
    char close[CLI_JSON_MAX_DEPTH];     /* '}' or ']' for each open level    */
} cli_json;

void cli_json_init(cli_json *j, FILE *f);
void cli_json_object(cli_json *j, const char *key);    /* opens {  */
void cli_json_array(cli_json *j, const char *key);     /* opens [  */
void cli_json_end(cli_json *j);                        /* closes the innermost */
void cli_json_str(cli_json *j, const char *key, const char *v);   /* NULL: null */
void cli_json_int(cli_json *j, const char *key, int64_t v);
void cli_json_uint(cli_json *j, const char *key, uint64_t v);
void cli_json_num(cli_json *j, const char *key, double v);      /* %.9g; NaN/inf: null */
void cli_json_bool(cli_json *j, const char *key, bool v);
void cli_json_null(cli_json *j, const char *key);
/* A tensor's description: {"dtype": "f32", "shape": [1, 10]} (-1: open). */
void cli_json_tensor_type(cli_json *j, const char *key, const mote_tensor *t);
/* Summary statistics of a tensor's values (min, max, mean, first values,
 * argmax for a vector), the machine-readable cli_print_summary. */
void cli_json_tensor_summary(cli_json *j, const char *key, const char *name,
                             const mote_tensor *t);
/* The same fields, into an object the caller opened (to add its own). */
void cli_json_tensor_fields(cli_json *j, const char *name, const mote_tensor *t);

#endif
