/*
 * install_app.c — a program as a user of an installed mote writes it: it
 * includes <mote.h> only, is built with `pkg-config --cflags --libs mote`
 * (or --static ... -static) by tests/test_install.sh, and checks that the
 * library it got works: the version matches the header it was compiled
 * with, and a small model built in memory (MatMul, Add, Relu) gives the
 * values computed here by hand. Prints "install_app: ok" and exits 0.
 */
#include <mote.h>
#include <stdio.h>
#include <string.h>

static float absf(float v) { return v < 0 ? -v : v; }

static int fail(const char *what)
{
    fprintf(stderr, "install_app: %s: %s\n", what, mote_last_error());
    return 1;
}

int main(void)
{
    if (mote_version() != MOTE_VERSION || strcmp(mote_version_string(), MOTE_VERSION_STRING) != 0) {
        fprintf(stderr, "install_app: library %s (%d), header %s (%d)\n", mote_version_string(),
                mote_version(), MOTE_VERSION_STRING, MOTE_VERSION);
        return 1;
    }
    /* y = relu(x W + b), x [1,3], W [3,2], b [2] */
    static const float w[6] = {1, -1, 2, 0.5f, -3, 1}, b[2] = {0.25f, -0.5f};
    static float x[3] = {1, 2, 3};
    mote_graph *g = mote_graph_new();
    if (!g) return fail("mote_graph_new");
    int64_t xd[2] = {1, 3}, wd[2] = {3, 2}, bd[1] = {2};
    int vx = mote_graph_input(g, "x", MOTE_F32, 2, xd);
    int vw = mote_graph_weight(g, "w", MOTE_F32, 2, wd, w);
    int vb = mote_graph_weight(g, "b", MOTE_F32, 1, bd, b);
    int in[2] = {vx, vw}, mm, add, y;
    mote_graph_node(g, "MatMul", "mm", 2, in, 1, NULL, &mm);
    in[0] = mm;
    in[1] = vb;
    mote_graph_node(g, "Add", "add", 2, in, 1, NULL, &add);
    const char *yname = "y";
    if (mote_graph_node(g, "Relu", "relu", 1, &add, 1, &yname, &y) < 0 || mote_graph_output(g, y) != MOTE_OK)
        return fail("building the graph");
    mote_model *m = NULL;
    if (mote_model_from_graph(g, &m) != MOTE_OK) return fail("mote_model_from_graph");
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = 1;
    o.pin = 0;
    mote_session *s = NULL;
    if (mote_session_new(m, &o, &s) != MOTE_OK) return fail("mote_session_new");
    mote_tensor tx = {.dtype = MOTE_F32, .ndim = 2, .dims = {1, 3}, .data = x}, ty;
    if (mote_session_run(s, &tx, 1) != MOTE_OK || mote_session_output(s, 0, &ty) != MOTE_OK)
        return fail("mote_session_run");
    /* x W = [1 + 4 - 9, -1 + 1 + 3] = [-4, 3]; + b = [-3.75, 2.5]; relu */
    const float *yv = ty.data;
    int ok = ty.ndim == 2 && ty.dims[1] == 2 && absf(yv[0] - 0.0f) < 1e-6f && absf(yv[1] - 2.5f) < 1e-6f;
    if (!ok) fprintf(stderr, "install_app: got [%g, %g], want [0, 2.5]\n", yv[0], yv[1]);
    mote_session_free(s);
    mote_model_close(m);
    if (!ok) return 1;
    printf("install_app: ok (mote %s)\n", mote_version_string());
    return 0;
}
