/*
 * cli_convert.h — the checks `mote convert` makes before it imports and
 * before it writes (convert_check.c).
 */
#ifndef MOTE_CLI_CONVERT_H
#define MOTE_CLI_CONVERT_H

#include "cli.h"
#include "format/detect.h"
#include "graph/graph.h"

/* Refuses out == in: the same path, real path or file (device and inode).
 * Returns an exit code. */
int cli_convert_refuse_same(const char *in, const char *out);
/* Refuses out == in (path or inode) and a format mote does not convert;
 * *fmt is what the first bytes say. Returns an exit code. */
int cli_convert_preflight(const char *in, const char *out, mote_file_format *fmt);
/* Builds a session on a copy of g at its input shapes (shapes for the open
 * dimensions, others 1); CLI_OK when it builds, else reports and fails. */
int cli_convert_check_session(const mote_graph *g, const cli_shapes *shapes, const char *in,
                              bool quiet);

#endif
