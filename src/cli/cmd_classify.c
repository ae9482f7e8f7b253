/*
 * cmd_classify.c — `mote classify MODEL IMAGE... [--labels FILE] [--top K]
 * [--json]`: image in, labels out. MODEL is a .mote file or a .tflite
 * file (imported on the fly). Each image is read (image.h), resized to the
 * model's input size, converted as the model's metadata says, run, and the
 * K most probable classes are printed with their probabilities.
 *
 * Input conversion, from the model's metadata (mote convert stores it):
 *   layout   "input.layout" NHWC or NCHW, else guessed from which of
 *            dims[1] / dims[3] is 1 or 3;
 *   f32      x = (pixel / 255 - mean[c]) / std[c] ("preprocess.mean" and
 *            "preprocess.std", default 0 and 1);
 *   u8, i8   with mean/std: q = round(x / scale) + zero_point using
 *            "input.scale" and "input.zero_point" (TFLite's input
 *            quantization); without: the pixel itself (u8) or pixel - 128
 *            (i8), which is what TFLite's quantized image models expect.
 * Output 0 is dequantized with "output.scale" / "output.zero_point" when it
 * is 8-bit; a model whose metadata says "output.probabilities" = 1 (the
 * TFLite importer sets it when the output comes from SOFTMAX) and values
 * that already form a distribution (all in [0, 1],
 * summing to 1 within 10%: 8-bit softmax outputs lose some mass to
 * rounding) are the probabilities, anything else goes
 * through a softmax. Labels: --labels FILE, else the model's "labels".
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "image.h"
#include "graph/graph.h"
#include "tflite/tflite.h"

static const char usage[] =
    "Usage: mote classify [options] MODEL IMAGE...\n"
    "\n"
    "Classifies images (BMP, PPM, PGM; PNG and JPEG when built with libpng and\n"
    "libjpeg) with an image classifier: a .mote file or a .tflite file. Each\n"
    "image is resized to the model's input size and normalized as the model's\n"
    "metadata says (mote convert --mean/--std/--labels store it; a quantized\n"
    "TFLite model takes the pixels directly). Prints the top K classes with\n"
    "their probabilities.\n"
    "\n"
    "Options:\n"
    "  --labels FILE   class names, one per line (default: the model's labels)\n"
    "  --top K         how many classes to print (default 5)\n"
    "  --json          one JSON object per image instead of text\n"
    "  -h, --help      show this help\n";

typedef struct labels {
    char *text;          /* the whole file, lines NUL-terminated in place */
    char **line;         /* (n)                                            */
    int n;
} labels;

static int split_labels(labels *l)
{
    int cap = 0;
    for (char *p = l->text; *p; p++)
        cap += *p == '\n';
    l->line = malloc(sizeof(char *) * (size_t)(cap + 1));
    if (!l->line)
        return -1;
    char *p = l->text;
    while (*p) {
        char *e = strchr(p, '\n');
        if (e)
            *e = '\0';
        size_t len = strlen(p);
        if (len && p[len - 1] == '\r')
            p[len - 1] = '\0';
        l->line[l->n++] = p;
        if (!e)
            break;
        p = e + 1;
    }
    return 0;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) || ftell(f) < 0 || ftell(f) > (16L << 20)) {
        fclose(f);
        return NULL;
    }
    long n = ftell(f);
    rewind(f);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    fclose(f);
    if (s)
        s[n] = '\0';
    return s;
}

/* Parses "a,b,c" (1..4 values) into v[4], repeating a single value. */
static bool parse_floats(const char *s, float *v)
{
    int n = 0;
    const char *p = s;
    while (n < 4) {
        char *end;
        double x = strtod(p, &end);
        if (end == p || !isfinite(x))
            return false;
        v[n++] = (float)x;
        if (*end == '\0')
            break;
        if (*end != ',')
            return false;
        p = end + 1;
    }
    for (int i = n; i < 4; i++)
        v[i] = n == 1 ? v[0] : v[i];
    return n == 1 || n == 3 || n == 4 || n == 2;
}

static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            printf("\\%c", ch);
        else if (ch < 0x20)
            printf("\\u%04x", ch);
        else
            putchar(ch);
    }
    putchar('"');
}

typedef struct input_plan {
    int nhwc;                  /* 1: (1, H, W, C), 0: (1, C, H, W) */
    int H, W, C;
    mote_dtype dtype;
    bool have_norm;            /* mean/std given                    */
    float mean[4], std[4];
    bool have_q;               /* input.scale / input.zero_point    */
    double scale;
    long zp;
} input_plan;

static int plan_input(const char *prog, const mote_model *m, input_plan *ip)
{
    mote_tensor t;
    if (!mote_model_input(m, 0, &t))
        return cli_fail(prog, "the model has no input");
    memset(ip, 0, sizeof *ip);
    if (t.ndim != 4 || t.dims[0] != 1)
        return cli_fail(prog, "input 0 must be one image (rank 4, batch 1); it has rank %d", t.ndim);
    const char *lay = mote_model_meta(m, "input.layout");
    if (lay && !strcmp(lay, "NHWC"))
        ip->nhwc = 1;
    else if (lay && !strcmp(lay, "NCHW"))
        ip->nhwc = 0;
    else
        ip->nhwc = (t.dims[3] == 1 || t.dims[3] == 3) && !(t.dims[1] == 1 || t.dims[1] == 3);
    ip->H = (int)(ip->nhwc ? t.dims[1] : t.dims[2]);
    ip->W = (int)(ip->nhwc ? t.dims[2] : t.dims[3]);
    ip->C = (int)(ip->nhwc ? t.dims[3] : t.dims[1]);
    if (ip->H < 1 || ip->W < 1 || ip->H > 8192 || ip->W > 8192 || (ip->C != 1 && ip->C != 3))
        return cli_fail(prog, "input 0 is not a fixed-size 1- or 3-channel image");
    ip->dtype = t.dtype;
    if (t.dtype != MOTE_F32 && t.dtype != MOTE_U8 && t.dtype != MOTE_I8)
        return cli_fail(prog, "input 0 is %s (f32, u8 or i8 supported)", mote_dtype_name(t.dtype));
    const char *mean = mote_model_meta(m, "preprocess.mean"), *std = mote_model_meta(m, "preprocess.std");
    for (int c = 0; c < 4; c++) {
        ip->mean[c] = 0.0f;
        ip->std[c] = 1.0f;
    }
    if ((mean && !parse_floats(mean, ip->mean)) || (std && !parse_floats(std, ip->std)))
        return cli_fail(prog, "the model's preprocess.mean / preprocess.std are not number lists");
    ip->have_norm = mean || std;
    const char *sc = mote_model_meta(m, "input.scale"), *zp = mote_model_meta(m, "input.zero_point");
    if (sc && zp) {
        ip->scale = strtod(sc, NULL);
        ip->zp = strtol(zp, NULL, 10);
        ip->have_q = ip->scale > 0;
    }
    if (ip->dtype != MOTE_F32 && ip->have_norm && !ip->have_q)
        return cli_fail(prog, "the model has an 8-bit input and mean/std but no input.scale and "
                        "input.zero_point");
    return CLI_OK;
}

/* Fills the input tensor's data from resized pixels (H, W, 3) 0..255. */
static void fill_input(const input_plan *ip, const float *px, void *data)
{
    for (int y = 0; y < ip->H; y++)
        for (int x = 0; x < ip->W; x++)
            for (int c = 0; c < ip->C; c++) {
                const float *p = px + ((size_t)y * (size_t)ip->W + (size_t)x) * 3;
                float v = ip->C == 1 ? (p[0] + p[1] + p[2]) / 3.0f : p[c];
                size_t i = ip->nhwc ? ((size_t)y * ip->W + x) * ip->C + c
                                    : ((size_t)c * ip->H + y) * ip->W + x;
                float norm = (v / 255.0f - ip->mean[c]) / ip->std[c];
                if (ip->dtype == MOTE_F32) {
                    ((float *)data)[i] = norm;
                    continue;
                }
                double q = ip->have_norm ? round(norm / ip->scale) + (double)ip->zp
                                         : round(v) - (ip->dtype == MOTE_I8 ? 128 : 0);
                double lo = ip->dtype == MOTE_I8 ? -128 : 0, hi = ip->dtype == MOTE_I8 ? 127 : 255;
                q = q < lo ? lo : q > hi ? hi : q;
                if (ip->dtype == MOTE_I8)
                    ((int8_t *)data)[i] = (int8_t)q;
                else
                    ((uint8_t *)data)[i] = (uint8_t)q;
            }
}

/* Output 0 as probabilities into p (n values). */
static void probabilities(const mote_model *m, const mote_tensor *out, int64_t n, double *p)
{
    const char *sc = mote_model_meta(m, "output.scale"), *zp = mote_model_meta(m, "output.zero_point");
    double scale = sc ? strtod(sc, NULL) : 1.0, z = zp ? strtod(zp, NULL) : 0.0;
    bool quant = out->dtype == MOTE_U8 || out->dtype == MOTE_I8;
    double sum = 0;
    bool dist = true;
    for (int64_t i = 0; i < n; i++) {
        double v = mote_tensor_elem(out, i);
        p[i] = quant ? (v - z) * scale : v;
        dist = dist && p[i] >= 0 && p[i] <= 1;
        sum += p[i];
    }
    const char *is_prob = mote_model_meta(m, "output.probabilities");
    if ((is_prob && !strcmp(is_prob, "1")) || (dist && fabs(sum - 1.0) <= 0.1))
        return;
    double mx = -INFINITY, s = 0;
    for (int64_t i = 0; i < n; i++)
        mx = fmax(mx, p[i]);
    for (int64_t i = 0; i < n; i++)
        s += (p[i] = exp(p[i] - mx));
    for (int64_t i = 0; i < n; i++)
        p[i] /= s;
}

static mote_status open_model(const char *path, mote_model **m)
{
    if (mote_tflite_probe(path)) {
        mote_graph *g;
        mote_status st = mote_tflite_import(path, &g);
        return st ? st : mote_model_from_graph(g, m);
    }
    return mote_model_open(path, m);
}

int cli_cmd_classify(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "labels", required_argument, NULL, 'l' },
        { "top", required_argument, NULL, 'k' },
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c, rc = CLI_OK;
    const char *labels_path = NULL;
    long top = 5;
    bool json = false;
    while ((c = cli_getopt(argc, argv, "h", longopts, usage, &rc)) != -1) {
        if (c == '?')
            return rc;
        if (c == 'l')
            labels_path = optarg;
        else if (c == 'k' && !cli_parse_int(optarg, 1, 100000, &top))
            return cli_usage_error(argv[0], "--top takes a whole number from 1");
        else if (c == 'j')
            json = true;
    }
    if (argc - optind < 2)
        return cli_usage_error(argv[0], "expected MODEL and at least one IMAGE");
    const char *model_path = argv[optind];
    mote_model *m = NULL;
    mote_session *s = NULL;
    labels lab = {0};
    void *in_data = NULL;
    float *px = NULL;
    double *prob = NULL;
    int *order = NULL;
    mote_status st = open_model(model_path, &m);
    if (st)
        return cli_fail_status(model_path, st);
    input_plan ip;
    if ((rc = plan_input(model_path, m, &ip)) != CLI_OK)
        goto out;
    if (labels_path) {
        lab.text = slurp(labels_path);
        if (!lab.text) {
            rc = cli_fail(labels_path, "cannot read the labels file (or it is over 16 MiB)");
            goto out;
        }
    } else if (mote_model_meta(m, "labels")) {
        lab.text = strdup(mote_model_meta(m, "labels"));
    }
    if (lab.text && split_labels(&lab)) {
        rc = cli_fail(NULL, "out of memory");
        goto out;
    }
    if ((st = mote_session_new(m, NULL, &s))) {
        rc = cli_fail_status(model_path, st);
        goto out;
    }
    mote_tensor in;
    mote_model_input(m, 0, &in);
    size_t in_bytes = mote_tensor_nbytes(&in);
    in_data = malloc(in_bytes);
    px = malloc(sizeof(float) * 3 * (size_t)ip.H * (size_t)ip.W);
    if (!in_data || !px) {
        rc = cli_fail(NULL, "out of memory");
        goto out;
    }
    in.data = in_data;
    for (int a = optind + 1; a < argc; a++) {
        const char *path = argv[a];
        cli_rgb img;
        if ((st = cli_image_load(path, &img))) {
            rc = cli_fail_status(path, st);
            goto out;
        }
        cli_image_resize(&img, ip.W, ip.H, px);
        free(img.pixels);
        fill_input(&ip, px, in_data);
        mote_tensor out;
        if ((st = mote_session_run(s, &in, 1)) || (st = mote_session_output(s, 0, &out))) {
            rc = cli_fail_status(path, st);
            goto out;
        }
        int64_t n = mote_tensor_numel(&out);
        if (n < 1) {
            rc = cli_fail(model_path, "output 0 is empty");
            goto out;
        }
        if (!prob) {
            prob = malloc(sizeof(double) * (size_t)n);
            order = malloc(sizeof(int) * (size_t)n);
            if (!prob || !order) {
                rc = cli_fail(NULL, "out of memory");
                goto out;
            }
        }
        probabilities(m, &out, n, prob);
        int k = top < n ? (int)top : (int)n;
        /* the k largest, sorted, ties to the lower index (insertion) */
        int cnt = 0;
        for (int64_t j = 0; j < n; j++) {
            if (cnt == k && !(prob[j] > prob[order[cnt - 1]]))
                continue;
            int pos = cnt < k ? cnt++ : cnt - 1;
            while (pos > 0 && prob[order[pos - 1]] < prob[j]) {
                order[pos] = order[pos - 1];
                pos--;
            }
            order[pos] = (int)j;
        }
        if (json) {
            printf("{\"image\": ");
            json_str(path);
            printf(", \"top\": [");
        } else {
            printf("%s:\n", path);
        }
        for (int i = 0; i < k; i++) {
            int j = order[i];
            const char *name = j < lab.n ? lab.line[j] : "";
            if (json) {
                printf("%s{\"index\": %d, \"label\": ", i ? ", " : "", j);
                json_str(name);
                printf(", \"probability\": %.6f}", prob[j]);
            } else {
                printf("  %.4f  %4d  %s\n", prob[j], j, name);
            }
        }
        if (json)
            printf("]}\n");
    }
out:
    free(order);
    free(prob);
    free(px);
    free(in_data);
    free(lab.line);
    free(lab.text);
    mote_session_free(s);
    mote_model_close(m);
    return rc;
}
