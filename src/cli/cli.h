/*
 * cli.h — what the `mote` command-line tool's files share: the command
 * signature, exit codes, option and error helpers, tensor printing.
 *
 * The CLI is a client of the library like any other program: it prints,
 * the library does not. It is not part of libmote; nothing here is
 * installed.
 */
#ifndef MOTE_CLI_H
#define MOTE_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include "mote.h"

/* Exit codes: 0 success, 1 a runtime error (bad file, failed run),
 * 2 a usage error (unknown option, missing argument). */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* Every command: argv[0] is the command's name; returns an exit code. */
typedef int (*cli_command_fn)(int argc, char **argv);

#define CLI_COMMAND(name, fn, summary) int fn(int argc, char **argv);
#include "commands.def"
#undef CLI_COMMAND

/* "mote CMD: message" on stderr plus a hint to --help; returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* "mote: [ctx: ]message" on stderr; returns CLI_FAIL. */
int cli_fail(const char *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Reports a failed library call with mote_last_error(), prefixed by ctx
 * (a file name) unless the message already names it; returns CLI_FAIL. */
int cli_fail_status(const char *ctx, mote_status st);

/*
 * getopt_long over a command's arguments, with "-h/--help" handled: prints
 * `usage` to stdout and sets *exit_code to 0 when help was asked; reports
 * unknown options and missing arguments as usage errors. Returns the
 * option character as getopt_long does, -1 at the end, or '?' after an
 * error or help (with *exit_code set: the caller returns it).
 */
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
               const char *usage, int *exit_code);

/* Parses a whole decimal integer in [lo, hi]; false if it is not one. */
bool cli_parse_int(const char *s, long lo, long hi, long *out);

/* Prints "NAME  dtype[shape]  min .. max  mean  first values  argmax". */
void cli_print_summary(FILE *f, const char *name, const mote_tensor *t);
/* Human sizes: "1.5 KiB", "12.0 MiB"; buf of at least 32 bytes. */
const char *cli_bytes(double bytes, char *buf);
/* Human counts: "12.3 k", "4.56 M", "7.8 G"; buf of at least 32 bytes. */
const char *cli_count(double n, char *buf);

/* Frees with free(); NULL on OOM. "a" + "/" + "b". */
char *cli_join(const char *a, const char *b);
bool cli_is_dir(const char *path);
bool cli_is_file(const char *path);

/* A session for inspecting a model (info, dot): one thread, unpinned,
 * input shapes from the specs ("NAME=D0xD1x...", the --shape option: a
 * malformed spec, an unknown input, a wrong rank or a clash with a fixed
 * dimension prints a message and returns MOTE_ERR_ARG), every dimension
 * still open taken as 1 (*open_dims says whether there was one). Returns
 * the session status; *out is NULL on failure. */
#define MOTE_MAX_INPUT_SPECS 64   /* --shape options per command */
typedef struct cli_shapes {
    char *spec[MOTE_MAX_INPUT_SPECS];   /* "NAME=D0xD1x...", as given */
    int n;
} cli_shapes;
/* Records one --shape argument; a usage error (exit status) past the limit. */
int cli_shapes_add(cli_shapes *sh, char *arg, const char *prog);
mote_status cli_inspect_session(const mote_model *m, const cli_shapes *shapes,
                                mote_session **out, bool *open_dims);

#endif
