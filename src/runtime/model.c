/*
 * model.c — the model handle: a validated graph plus, for a file, its
 * mapping. Accessors for inputs, outputs and metadata. Opening files is in
 * model_file.c (it needs the .mote reader); this file does not read files.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "graph/internal.h"
#include "session.h"
#include "prepared.h"

const mote_graph *mote_model_graph(const mote_model *m) { return m ? m->g : NULL; }

mote_status mote_model_from_graph(mote_graph *g, mote_model **out)
{
    if (!out) {
        mote_graph_free(g);
        return mote_error(MOTE_ERR_ARG, "mote_model_from_graph: NULL output pointer");
    }
    *out = NULL;
    if (!g) return mote_error(MOTE_ERR_ARG, "mote_model_from_graph: NULL graph");
    mote_status st = mote_graph_check_annotate(g);
    if (st != MOTE_OK) {
        mote_graph_free(g);
        return st;
    }
    mote_model *m = calloc(1, sizeof *m);
    if (!m || !(m->prep = mote_prepared_new())) {
        free(m);
        mote_graph_free(g);
        return mote_error(MOTE_ERR_NOMEM, "out of memory");
    }
    m->g = g;
    *out = m;
    return MOTE_OK;
}

void mote_model_close(mote_model *m)
{
    if (!m) return;
    mote_prepared_release(m->prep);   /* sessions hold their own references */
    mote_graph_free(m->g);
    if (m->map && m->map_is_mmap) munmap((void *)m->map, m->map_len);
    free(m->path);
    free(m);
}

size_t mote_model_prepared_bytes(const mote_model *m)
{
    return m ? mote_prepared_bytes(m->prep, NULL) : 0;
}

int mote_model_num_inputs(const mote_model *m) { return m ? m->g->n_inputs : 0; }
int mote_model_num_outputs(const mote_model *m) { return m ? m->g->n_outputs : 0; }

static const char *describe(const mote_model *m, int v, mote_tensor *info)
{
    const mote_value *val = &m->g->values[v];
    if (info) {
        *info = mote_value_tensor(val);
        info->data = NULL;
    }
    return val->name;
}

const char *mote_model_input(const mote_model *m, int i, mote_tensor *info)
{
    if (!m || i < 0 || i >= m->g->n_inputs) return NULL;
    return describe(m, m->g->inputs[i], info);
}

const char *mote_model_output(const mote_model *m, int i, mote_tensor *info)
{
    if (!m || i < 0 || i >= m->g->n_outputs) return NULL;
    return describe(m, m->g->outputs[i], info);
}

const char *mote_model_meta(const mote_model *m, const char *key)
{
    if (!m || !key) return NULL;
    for (int i = 0; i < m->g->n_meta; i++)
        if (strcmp(m->g->meta[i].key, key) == 0) return m->g->meta[i].s;
    return NULL;
}
