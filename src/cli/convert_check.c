/*
 * convert_check.c — what `mote convert` checks around the import, so that
 * it says "ok" only for a file that will run:
 *   before: the output is not the input (same path or same inode: a
 *           hard or symbolic link), and the input is a format mote
 *           converts (its first bytes name TFLite, GGUF, PyTorch zip,
 *           .npy, safetensors and .mote files; detect.h is the one place
 *           that tells them apart, for converters of those formats to
 *           dispatch on);
 *   after:  a session builds at the model's input shapes (--shape for
 *           open dimensions, the rest taken as 1), on a copy of the graph,
 *           before anything is written. A shape error where a dimension
 *           was taken as 1 is only a warning (1 may be no size the model
 *           takes); any other failure refuses the model.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"
#include "cli_convert.h"
#include "format/detect.h"
#include "graph/graph.h"
#include "runtime/shape_fold.h"

int cli_convert_refuse_same(const char *in, const char *out)
{
    struct stat si, so;
    if (stat(in, &si) != 0)
        return cli_fail(in, "%s", strerror(errno));
    bool same = !strcmp(in, out);
    if (!same && stat(out, &so) == 0)
        same = si.st_dev == so.st_dev && si.st_ino == so.st_ino;
    if (!same) {
        char *ri = realpath(in, NULL), *ro = realpath(out, NULL);
        same = ri && ro && !strcmp(ri, ro);
        free(ri);
        free(ro);
    }
    if (same)
        return cli_fail(out, "the output is the input file; refusing to overwrite it");
    return CLI_OK;
}

int cli_convert_preflight(const char *in, const char *out, mote_file_format *fmt)
{
    int rc = cli_convert_refuse_same(in, out);
    if (rc != CLI_OK)
        return rc;
    if (mote_detect_format_file(in, fmt))
        return cli_fail_status(in, MOTE_ERR_IO);
    switch (*fmt) {
    case MOTE_FILE_ONNX: case MOTE_FILE_UNKNOWN:
        return CLI_OK;   /* protobuf has no magic: the ONNX reader decides */
    default:
        return cli_fail(in, "this is %s; mote converts ONNX and llama2.c checkpoints",
                        mote_file_format_name(*fmt));
    }
}

/* The session stopped at its first error: list it and every other node
 * that cannot be inferred or prepared at these shapes (each cause once). */
static int report_all(const mote_graph *g, const mote_model *m, const cli_shapes *given,
                      const char *in, const char *first)
{
    char first_copy[1024], list[4096];
    snprintf(first_copy, sizeof first_copy, "%s", first);
    mote_tensor *shapes = NULL;
    bool open_dims;
    int n = 0;
    if (m) {
        if (cli_input_shapes(m, given, &shapes, &open_dims) != MOTE_OK)
            shapes = NULL;
    } else if ((shapes = calloc((size_t)g->n_inputs + 1, sizeof *shapes))) {
        for (int i = 0; i < g->n_inputs; i++) {   /* no model: the graph's shapes, open as 1 */
            shapes[i] = mote_value_tensor(&g->values[g->inputs[i]]);
            for (int d = 0; d < shapes[i].ndim; d++)
                if (shapes[i].dims[d] < 0)
                    shapes[i].dims[d] = 1;
        }
    }
    if (shapes) {
        n = mote_graph_list_failures(g, shapes, list, sizeof list);
        free(shapes);
    }
    /* the session's own error leads, unless the list has it already (a
     * failure the walk cannot see, such as the model's budget, is kept) */
    char all[sizeof first_copy + sizeof list + 2];
    if (n > 0 && !strstr(list, first_copy)) {
        snprintf(all, sizeof all, "%s; %s", first_copy, list);
        n++;
    } else {
        snprintf(all, sizeof all, "%s", list);
    }
    if (n > 1)
        return cli_fail(in, "converts, but does not run (%d nodes): %s", n, all);
    return cli_fail(in, "converts, but does not run: %s", first_copy);
}

int cli_convert_check_session(const mote_graph *g, const cli_shapes *shapes, const char *in,
                              bool quiet)
{
    mote_graph *copy = mote_graph_clone(g, true);
    if (!copy)
        return cli_fail(in, "out of memory");
    mote_model *m;
    mote_status st = mote_model_from_graph(copy, &m);
    if (st)
        return report_all(g, NULL, shapes, in, mote_last_error());
    mote_session *s;
    bool open_dims;
    st = cli_inspect_session(m, shapes, &s, &open_dims);
    int rc = CLI_OK;
    if (st == MOTE_ERR_ARG && !s)
        rc = CLI_USAGE;   /* a bad --shape: cli_inspect_session said why */
    else if (st && open_dims && st == MOTE_ERR_SHAPE)
        /* 1 may be no size the model takes (an image of 1x1 pixels): a
         * shape error there says nothing of the sizes it is meant for */
        fprintf(stderr, "convert: warning: not checked: with its open dimensions taken as 1 the "
                        "model does not run (%s); --shape NAME=D0xD1... checks real sizes\n",
                mote_last_error());
    else if (st)
        rc = report_all(g, m, shapes, in, mote_last_error());
    else if (open_dims && !quiet)
        fprintf(stderr, "convert: checked with open dimensions taken as 1; "
                        "--shape NAME=D0xD1... checks other sizes\n");
    mote_session_free(s);
    mote_model_close(m);
    return rc;
}
