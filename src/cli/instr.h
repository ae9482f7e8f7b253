/*
 * instr.h — what the instrument commands (trace, profile, check-kernels,
 * dot) share: reading a model and its .npy inputs from the command line,
 * making a session on a chosen kernel table, node labels and safe file
 * names. Not part of the library; see src/runtime/instrument.h for the numbers.
 */
#ifndef MOTE_CLI_INSTR_H
#define MOTE_CLI_INSTR_H

#include "cli.h"
#include "runtime/session.h"

typedef struct instr_model {
    const char *path;        /* the model file, for messages            */
    mote_model *m;
    int n_in;                /* model inputs                            */
    const char **names;      /* (argc) -i NAME, or NULL for positional  */
    const char **files;      /* (argc) the .npy file of each given input */
    int n_given;
    mote_tensor *inputs;     /* (n_in) in model order, data malloc'd    */
    char (*ranges)[48];      /* (n_in) instr_generate: "uniform [-1, 1)" */
} instr_model;

/* Sets up an empty instr_model able to hold argc inputs; false on OOM. */
bool instr_init(instr_model *im, int argc);
/* Records "-i NAME=FILE"; a usage error (returned) if malformed, else 0. */
int instr_add_input(instr_model *im, const char *cmd, char *arg);
/* Records a positional input file. */
void instr_add_file(instr_model *im, const char *file);
/* Opens the model, reads the files and puts them in model order. */
int instr_load(instr_model *im, const char *cmd, const char *path);
/*
 * Inputs made up instead of read (bench, profile without files): opens the
 * model, fixes open dimensions from shapes (--shape; else 1) and fills
 * each input from a PRNG seeded with seed: floats uniform in [-1, 1),
 * booleans 0/1, integers in [0, bound) where the graph shows a bound (the
 * indices of a Gather or an LlmEmbedding: the table's rows, e.g. token
 * ids below the vocabulary size), else 0 (a valid index or position for
 * any model). A usage error for a bad --shape, else CLI_FAIL/CLI_OK.
 * Each input's range is described in im->ranges[i] for the report.
 */
int instr_generate(instr_model *im, const char *cmd, const char *path, const cli_shapes *shapes,
                   uint64_t seed);
/* A session whose input shapes are the files'; isa NULL: the default. */
int instr_session(const instr_model *im, const char *isa, int threads, mote_session **out);
void instr_free(instr_model *im);

/* The node's name, or "OP_INDEX" if it has none; buf of 64 bytes or more. */
const char *instr_node_name(const mote_node *n, int index, char *buf, size_t len);
/* A file name from any string: letters, digits, '.', '-', '_' kept, the
 * rest '_', never hidden or empty. Frees with free(); NULL on OOM. */
char *instr_safe_name(const char *name);
/* "f32[1,8,28,28]" into buf (at least 160 bytes). */
const char *instr_shape(const mote_tensor *t, char *buf, size_t len);
/* Seconds from CLOCK_MONOTONIC. */
double instr_now(void);

#endif
