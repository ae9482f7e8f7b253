/*
 * cmd_quantize_int8.c — `mote quantize --int8 IN.mote OUT.mote --calibrate
 * DIR [--count N]`: post-training static quantization of a float image
 * classifier with one f32 (1, C, H, W) input (src/passes/quantize_int8.c
 * does the rewrite). Calibration images come from DIR: the first N (default
 * 1000) of an IDX image file (train-images-idx3-ubyte[.gz], else
 * t10k-images-idx3-ubyte[.gz], as Fashion-MNIST and MNIST ship), or the
 * .pgm files there. Pixels are scaled by the model's "input_scale"
 * metadata ("1/255" or a number; default 1/255). The float model is run
 * on them with every convolution's and fully connected layer's input and
 * output as extra outputs, recording each one's range. When DIR also holds
 * t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz], the
 * accuracy report runs both models on that labelled set and prints their
 * top-1 accuracy. cmd_quantize.c sends --int8 here.
 */
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "graph/graph.h"
#include "passes/passes.h"
#include "pgm.h"

static const char usage[] =
    "Usage: mote quantize --int8 IN.mote OUT.mote --calibrate DIR [--count N]\n"
    "\n"
    "Post-training static int8 quantization of a float image classifier:\n"
    "convolutions and fully connected layers become QLinearConv with u8\n"
    "activations and per-channel i8 weights, ranges measured on N calibration\n"
    "images from DIR (an IDX image file or .pgm files). With Fashion-MNIST /\n"
    "MNIST style t10k files in DIR it prints the top-1 accuracy of both models.\n";

/* An IDX file of unsigned bytes (gzipped or not): data and dims. */
static unsigned char *read_idx(const char *dir, const char *base, int ndim, long *dims)
{
    char path[4096], cmd[4200];
    snprintf(path, sizeof path, "%s/%s.gz", dir, base);
    if (cli_is_file(path)) {
        snprintf(cmd, sizeof cmd, "gzip -dc '%s'", path);
    } else {
        snprintf(path, sizeof path, "%s/%s", dir, base);
        if (!cli_is_file(path))
            return NULL;
        snprintf(cmd, sizeof cmd, "cat '%s'", path);
    }
    FILE *f = popen(cmd, "r");
    if (!f)
        return NULL;
    unsigned char hdr[16], *data = NULL;
    size_t hlen = 4 + 4 * (size_t)ndim;
    if (fread(hdr, 1, hlen, f) == hlen && hdr[0] == 0 && hdr[1] == 0 && hdr[2] == 8 && hdr[3] == ndim) {
        long total = 1;
        for (int d = 0; d < ndim; d++) {
            const unsigned char *b = hdr + 4 + 4 * d;
            dims[d] = ((long)b[0] << 24) | ((long)b[1] << 16) | ((long)b[2] << 8) | b[3];
            total *= dims[d];
        }
        if (total > 0 && total < (1L << 31))
            data = malloc((size_t)total);
        if (data && fread(data, 1, (size_t)total, f) != (size_t)total) {
            free(data);
            data = NULL;
        }
    }
    if (pclose(f) != 0 && data) {
        free(data);
        data = NULL;
    }
    return data;
}

typedef struct image_set {
    unsigned char *px;         /* (n, h, w)      */
    int n, h, w;
} image_set;

/* The calibration images of DIR. */
static int load_calibration(const char *dir, int count, image_set *s)
{
    long d[3];
    s->px = read_idx(dir, "train-images-idx3-ubyte", 3, d);
    if (!s->px)
        s->px = read_idx(dir, "t10k-images-idx3-ubyte", 3, d);
    if (s->px) {
        s->n = (int)(d[0] < count ? d[0] : count);
        s->h = (int)d[1];
        s->w = (int)d[2];
        return CLI_OK;
    }
    DIR *dp = opendir(dir);
    if (!dp)
        return cli_fail(dir, "cannot open the calibration folder");
    struct dirent *e;
    int cap = 0;
    while ((e = readdir(dp)) && s->n < count) {
        size_t l = strlen(e->d_name);
        if (l < 5 || strcmp(e->d_name + l - 4, ".pgm"))
            continue;
        char *p = cli_join(dir, e->d_name);
        cli_image img;
        mote_status st = p ? cli_pgm_read(p, &img) : MOTE_ERR_NOMEM;
        free(p);
        if (st)
            continue;
        if (s->n == 0) {
            s->h = img.height;
            s->w = img.width;
        }
        if (img.height == s->h && img.width == s->w) {
            if (s->n == cap) {
                cap = cap ? cap * 2 : 16;
                unsigned char *np = realloc(s->px, (size_t)cap * (size_t)(s->h * s->w));
                if (!np) {
                    free(img.pixels);
                    break;
                }
                s->px = np;
            }
            memcpy(s->px + (size_t)s->n * (size_t)(s->h * s->w), img.pixels, (size_t)(s->h * s->w));
            s->n++;
        }
        free(img.pixels);
    }
    closedir(dp);
    if (s->n == 0)
        return cli_fail(dir, "no calibration images (an IDX image file or .pgm files)");
    return CLI_OK;
}

static double input_scale(const mote_model *m)
{
    const char *s = mote_model_meta(m, "input_scale");
    if (!s)
        return 1.0 / 255.0;
    if (!strncmp(s, "1/", 2) && atof(s + 2) > 0)
        return 1.0 / atof(s + 2);
    return atof(s) > 0 ? atof(s) : 1.0 / 255.0;
}

/* Top-1 accuracy of model m on n labelled images. */
static double accuracy(const mote_model *m, const image_set *s, const unsigned char *labels,
                       double scale, mote_tensor in)
{
    mote_session *ss;
    if (mote_session_new(m, NULL, &ss))
        return -1;
    int correct = 0;
    float *x = in.data;
    for (int i = 0; i < s->n; i++) {
        for (int k = 0; k < s->h * s->w; k++)
            x[k] = (float)(s->px[(size_t)i * (size_t)(s->h * s->w) + (size_t)k] * scale);
        mote_tensor out;
        if (mote_session_run(ss, &in, 1) || mote_session_output(ss, 0, &out)) {
            mote_session_free(ss);
            return -1;
        }
        const float *y = out.data;
        int64_t n = mote_tensor_numel(&out), best = 0;
        for (int64_t k = 1; k < n; k++)
            if (y[k] > y[best])
                best = k;
        correct += best == labels[i];
    }
    mote_session_free(ss);
    return 100.0 * correct / s->n;
}

int cli_quantize_int8(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "int8", no_argument, NULL, '8' }, { "calibrate", required_argument, NULL, 'c' },
        { "count", required_argument, NULL, 'n' }, { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c, rc = CLI_OK;
    const char *dir = NULL;
    long count = 1000;
    while ((c = cli_getopt(argc, argv, "h", longopts, usage, &rc)) != -1) {
        if (c == '?')
            return rc;
        if (c == 'c')
            dir = optarg;
        else if (c == 'n' && !cli_parse_int(optarg, 1, 1000000, &count))
            return cli_usage_error(argv[0], "--count takes a whole number from 1");
    }
    if (argc - optind != 2 || !dir)
        return cli_usage_error(argv[0], "expected --int8 IN.mote OUT.mote --calibrate DIR");
    const char *fin = argv[optind], *fout = argv[optind + 1];
    mote_model *m = NULL, *mc = NULL, *mq = NULL;
    mote_graph *g = NULL, *gc = NULL;
    mote_session *s = NULL;
    image_set cal = {0}, test = {0};
    unsigned char *labels = NULL;
    float *lo = NULL, *hi = NULL, *x = NULL;
    bool *target = NULL;
    mote_status st = mote_model_open(fin, &m);
    if (st)
        return cli_fail_status(fin, st);
    mote_tensor in;
    mote_model_input(m, 0, &in);
    if (mote_model_num_inputs(m) != 1 || in.dtype != MOTE_F32 || in.ndim != 4 || in.dims[0] != 1 ||
        in.dims[1] != 1) {
        rc = cli_fail(fin, "the model's input must be one f32 (1, 1, H, W) image");
        goto out;
    }
    if ((rc = load_calibration(dir, (int)count, &cal)) != CLI_OK)
        goto out;
    if (cal.h != in.dims[2] || cal.w != in.dims[3]) {
        rc = cli_fail(dir, "calibration images are %d x %d, the model takes %lld x %lld", cal.h,
                      cal.w, (long long)in.dims[2], (long long)in.dims[3]);
        goto out;
    }
    double scale = input_scale(m);
    /* the float graph as the optimizer leaves it (BatchNormalization and
     * Relu fused into the convolutions), and a copy with every target's
     * input and output as extra outputs */
    g = mote_graph_clone(mote_model_graph(m), false);
    if (!g || (st = mote_optimize(g))) {
        rc = cli_fail_status(fin, g ? st : MOTE_ERR_NOMEM);
        goto out;
    }
    gc = mote_graph_clone(g, false);
    target = calloc((size_t)g->n_nodes, sizeof(bool));
    lo = malloc(sizeof(float) * (size_t)g->n_values);
    hi = malloc(sizeof(float) * (size_t)g->n_values);
    x = malloc(sizeof(float) * (size_t)(cal.h * cal.w));
    if (!gc || !target || !lo || !hi || !x) {
        rc = cli_fail(NULL, "out of memory");
        goto out;
    }
    int n_out0 = gc->n_outputs, n_targets = 0;
    for (int v = 0; v < g->n_values; v++) {
        lo[v] = INFINITY;
        hi[v] = -INFINITY;
    }
    for (int ni = 0; ni < g->n_nodes; ni++) {
        target[ni] = mote_int8_target(g, ni);
        if (target[ni]) {
            mote_graph_output(gc, g->nodes[ni].in[0]);
            mote_graph_output(gc, g->nodes[ni].out[0]);
            n_targets++;
        }
    }
    if (!n_targets) {
        rc = cli_fail(fin, "no convolution or fully connected layer to quantize");
        goto out;
    }
    st = mote_model_from_graph(gc, &mc);
    gc = NULL;   /* owned by mc (or freed) */
    if (st || (st = mote_session_new(mc, NULL, &s))) {
        rc = cli_fail_status(fin, st);
        goto out;
    }
    in.data = x;
    for (int i = 0; i < cal.n; i++) {
        for (int k = 0; k < cal.h * cal.w; k++)
            x[k] = (float)(cal.px[(size_t)i * (size_t)(cal.h * cal.w) + (size_t)k] * scale);
        if ((st = mote_session_run(s, &in, 1))) {
            rc = cli_fail_status(fin, st);
            goto out;
        }
        int o = n_out0;
        for (int ni = 0; ni < g->n_nodes; ni++) {
            if (!target[ni])
                continue;
            for (int k = 0; k < 2; k++, o++) {
                int v = k ? g->nodes[ni].out[0] : g->nodes[ni].in[0];
                mote_tensor t;
                mote_session_output(s, o, &t);
                const float *d = t.data;
                for (int64_t e = 0; e < mote_tensor_numel(&t); e++) {
                    lo[v] = fminf(lo[v], d[e]);
                    hi[v] = fmaxf(hi[v], d[e]);
                }
            }
        }
    }
    int done;
    if ((st = mote_quantize_int8(g, target, lo, hi, &done)) ||
        (st = mote_graph_meta_string(g, "quantize", "int8 static (mote quantize --int8)")) ||
        (st = mote_graph_save(g, fout))) {
        rc = cli_fail_status(fout, st);
        goto out;
    }
    printf("%s -> %s: %d of %d nodes quantized to int8, calibrated on %d images\n", fin, fout,
           done, g->n_nodes, cal.n);
    /* the accuracy report, on the labelled test set when DIR has one */
    long d3[3], d1[1];
    test.px = read_idx(dir, "t10k-images-idx3-ubyte", 3, d3);
    labels = read_idx(dir, "t10k-labels-idx1-ubyte", 1, d1);
    if (!test.px || !labels || d1[0] != d3[0] || d3[1] != cal.h || d3[2] != cal.w) {
        printf("accuracy report: skipped (no t10k-images/t10k-labels IDX files in %s)\n", dir);
        goto out;
    }
    test.n = (int)d3[0];
    test.h = cal.h;
    test.w = cal.w;
    if ((st = mote_model_open(fout, &mq))) {
        rc = cli_fail_status(fout, st);
        goto out;
    }
    double af = accuracy(m, &test, labels, scale, in), aq = accuracy(mq, &test, labels, scale, in);
    if (af < 0 || aq < 0) {
        rc = cli_fail(fout, "the accuracy run failed: %s", mote_last_error());
        goto out;
    }
    printf("top-1 on %d labelled images: f32 %.2f%%, int8 %.2f%% (%+.2f points)\n", test.n, af, aq,
           aq - af);
out:
    mote_session_free(s);
    mote_model_close(mc);
    mote_model_close(mq);
    mote_graph_free(g);
    mote_graph_free(gc);
    mote_model_close(m);
    free(cal.px);
    free(test.px);
    free(labels);
    free(lo);
    free(hi);
    free(x);
    free(target);
    return rc;
}
