/*
 * test_fashion.c — end-to-end tests of the bundled default model
 * (models/fashion/fashion.mote) against PyTorch.
 *
 * What it is: mote's logits for the committed sample images must match the
 * logits PyTorch computed when the model was trained (samples/logits.txt) to
 * 1e-4, the predicted classes must agree, and — when the Fashion-MNIST test
 * set is installed — mote must classify exactly as many of the 10,000 test
 * images correctly as PyTorch did (accuracy.txt). Each runs with 1 and 2
 * threads.
 *
 * What it is not: a test of individual ops or kernels (tests/ has those);
 * it needs no Python: every reference number is committed.
 *
 * It also checks that build_fashion, run on the committed weights, writes
 * exactly the committed fashion.mote.
 *
 * Environment: MOTE_SRCDIR (set by make check) locates the committed files,
 * MOTE_BUILDDIR the built build_fashion;
 * MOTE_FASHION_DIR overrides where the t10k-*-ubyte.gz files are looked for
 * (default: where Debian's dataset-fashion-mnist installs them). The .gz
 * files are read through `gzip -dc`.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mote.h"

#define N_CLASSES 10
#define IMG_PIXELS (28 * 28)
#define MAX_SAMPLES 32
#define LOGIT_TOL 1e-4f
#define DEFAULT_DATASET_DIR "/usr/share/datasets/fashion-mnist"

/* One line of samples/logits.txt. */
typedef struct sample {
    char file[128];           /* e.g. "03_dress.pgm"             */
    int label;                /* the class index its name starts with */
    float logits[N_CLASSES];  /* PyTorch's fp32 logits          */
} sample;

static const char *srcdir(void)
{
    const char *d = getenv("MOTE_SRCDIR");
    return d && *d ? d : ".";
}

static void fashion_path(char *buf, size_t len, const char *rel)
{
    snprintf(buf, len, "%s/models/fashion/%s", srcdir(), rel);
}

static int argmax(const float *v, int n)
{
    int best = 0;
    for (int i = 1; i < n; i++)
        if (v[i] > v[best])
            best = i;
    return best;
}

/* Reads a binary PGM (P5, maxval 255) of 28x28 pixels; '#' comments are
 * allowed between header fields. Fails the test on a malformed file. */
static void read_pgm(const char *path, unsigned char *pix)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s: cannot open", path);
    char magic[3] = {0};
    ck_assert_msg(fread(magic, 1, 2, f) == 2 && strcmp(magic, "P5") == 0,
                  "%s: not a binary PGM (P5)", path);
    long field[3];
    for (int k = 0; k < 3; k++) {
        int c;
        for (;;) {   /* skip white space and comment lines */
            c = fgetc(f);
            if (c == '#')
                while (c != '\n' && c != EOF)
                    c = fgetc(f);
            else if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
                break;
        }
        ck_assert_msg(c >= '0' && c <= '9', "%s: bad PGM header", path);
        ungetc(c, f);
        ck_assert_msg(fscanf(f, "%ld", &field[k]) == 1, "%s: bad PGM header", path);
    }
    ck_assert_msg(field[0] == 28 && field[1] == 28 && field[2] == 255,
                  "%s: %ldx%ld maxval %ld, expected 28x28 maxval 255",
                  path, field[0], field[1], field[2]);
    fgetc(f);   /* the single white-space byte before the pixels */
    ck_assert_msg(fread(pix, 1, IMG_PIXELS, f) == IMG_PIXELS, "%s: truncated pixels", path);
    fclose(f);
}

/* Reads samples/logits.txt; returns the number of samples. */
static int read_logits(sample *s, int max)
{
    char path[4096], line[1024];
    fashion_path(path, sizeof path, "samples/logits.txt");
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "%s: cannot open (is MOTE_SRCDIR right?)", path);
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        ck_assert_msg(n < max, "%s: more than %d samples", path, max);
        sample *x = &s[n];
        int used = 0;
        ck_assert_msg(sscanf(line, "%127s%n", x->file, &used) == 1, "%s: bad line", path);
        char *p = line + used;
        for (int c = 0; c < N_CLASSES; c++) {
            ck_assert_msg(sscanf(p, "%f%n", &x->logits[c], &used) == 1,
                          "%s: %s: fewer than %d logits", path, x->file, N_CLASSES);
            p += used;
        }
        ck_assert_msg(sscanf(x->file, "%2d_", &x->label) == 1 &&
                      x->label >= 0 && x->label < N_CLASSES,
                      "%s: %s does not start with a class index", path, x->file);
        n++;
    }
    fclose(f);
    return n;
}

/* Reads `key value` from accuracy.txt. */
static long read_recorded(const char *key)
{
    char path[4096], line[256], k[64];
    fashion_path(path, sizeof path, "accuracy.txt");
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "%s: cannot open", path);
    long v = -1, x;
    while (fgets(line, sizeof line, f))
        if (line[0] != '#' && sscanf(line, "%63s %ld", k, &x) == 2 && strcmp(k, key) == 0)
            v = x;
    fclose(f);
    ck_assert_msg(v >= 0, "%s: no `%s` line", path, key);
    return v;
}

static mote_model *open_model(void)
{
    char path[4096];
    fashion_path(path, sizeof path, "fashion.mote");
    mote_model *m = NULL;
    mote_status st = mote_model_open(path, &m);
    ck_assert_msg(st == MOTE_OK, "%s: %s", path, mote_last_error());
    return m;
}

static mote_session *new_session(const mote_model *m, int threads)
{
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = threads;
    o.pin = 0;   /* tests share the machine: do not pin */
    mote_session *s = NULL;
    mote_status st = mote_session_new(m, &o, &s);
    ck_assert_msg(st == MOTE_OK, "session with %d threads: %s", threads, mote_last_error());
    ck_assert_int_eq(mote_session_threads(s), threads);
    return s;
}

/* Runs one image: input = pixel / 255 (a float division, as train.py). */
static void classify(mote_session *s, const unsigned char *pix, float *logits)
{
    static float x[IMG_PIXELS];
    for (int i = 0; i < IMG_PIXELS; i++)
        x[i] = (float)pix[i] / 255.0f;
    mote_tensor in = {.dtype = MOTE_F32, .ndim = 4, .dims = {1, 1, 28, 28}, .data = x};
    mote_status st = mote_session_run(s, &in, 1);
    ck_assert_msg(st == MOTE_OK, "run: %s", mote_last_error());
    mote_tensor out;
    ck_assert_int_eq(mote_session_output(s, 0, &out), MOTE_OK);
    ck_assert_int_eq(out.dtype, MOTE_F32);
    ck_assert(out.ndim == 2 && out.dims[0] == 1 && out.dims[1] == N_CLASSES);
    memcpy(logits, out.data, N_CLASSES * sizeof(float));
}

/* mote's logits for every bundled sample, with `threads` threads. */
static int run_samples(int threads, sample *ref, float (*got)[N_CLASSES])
{
    int n = read_logits(ref, MAX_SAMPLES);
    ck_assert_msg(n == N_CLASSES, "expected one sample per class, found %d", n);
    mote_model *m = open_model();
    mote_session *s = new_session(m, threads);
    for (int i = 0; i < n; i++) {
        char path[4096], rel[256];
        unsigned char pix[IMG_PIXELS];
        snprintf(rel, sizeof rel, "samples/%s", ref[i].file);
        fashion_path(path, sizeof path, rel);
        read_pgm(path, pix);
        classify(s, pix, got[i]);
    }
    mote_session_free(s);
    mote_model_close(m);
    return n;
}

static void check_logits_match_pytorch(int threads)
{
    sample ref[MAX_SAMPLES];
    float got[MAX_SAMPLES][N_CLASSES];
    int n = run_samples(threads, ref, got);
    for (int i = 0; i < n; i++)
        for (int c = 0; c < N_CLASSES; c++)
            ck_assert_msg(fabsf(got[i][c] - ref[i].logits[c]) <= LOGIT_TOL,
                          "%s, class %d, %d thread(s): mote %.9g, PyTorch %.9g",
                          ref[i].file, c, threads, got[i][c], ref[i].logits[c]);
}

START_TEST(test_fashion_sample_logits_match_pytorch_1_thread)
{
    check_logits_match_pytorch(1);
}
END_TEST

START_TEST(test_fashion_sample_logits_match_pytorch_2_threads)
{
    check_logits_match_pytorch(2);
}
END_TEST

/* The predicted class equals PyTorch's; where PyTorch got the label in the
 * file name right, so must mote (and at least most samples must be right). */
START_TEST(test_fashion_sample_predictions_match_pytorch)
{
    sample ref[MAX_SAMPLES];
    float got[MAX_SAMPLES][N_CLASSES];
    int n = run_samples(1, ref, got), right = 0;
    for (int i = 0; i < n; i++) {
        int want = argmax(ref[i].logits, N_CLASSES), have = argmax(got[i], N_CLASSES);
        ck_assert_msg(have == want, "%s: mote predicts %d, PyTorch %d", ref[i].file, have, want);
        if (want == ref[i].label) {
            ck_assert_int_eq(have, ref[i].label);
            right++;
        }
    }
    ck_assert_msg(right >= n / 2, "only %d of %d samples classified correctly", right, n);
}
END_TEST

START_TEST(test_fashion_logits_identical_for_1_and_2_threads)
{
    sample ref[MAX_SAMPLES];
    float one[MAX_SAMPLES][N_CLASSES], two[MAX_SAMPLES][N_CLASSES];
    int n = run_samples(1, ref, one);
    ck_assert_int_eq(run_samples(2, ref, two), n);
    for (int i = 0; i < n; i++)
        ck_assert_msg(memcmp(one[i], two[i], sizeof one[i]) == 0,
                      "%s: logits differ between 1 and 2 threads", ref[i].file);
}
END_TEST

START_TEST(test_fashion_model_describes_its_input_output_and_labels)
{
    mote_model *m = open_model();
    ck_assert_int_eq(mote_model_num_inputs(m), 1);
    ck_assert_int_eq(mote_model_num_outputs(m), 1);
    mote_tensor info;
    ck_assert_str_eq(mote_model_input(m, 0, &info), "image");
    ck_assert_int_eq(info.dtype, MOTE_F32);
    ck_assert_int_eq(info.ndim, 4);
    ck_assert(info.dims[0] == 1 && info.dims[1] == 1 && info.dims[2] == 28 && info.dims[3] == 28);
    /* The output's shape is known once a session infers it (see classify). */
    ck_assert_str_eq(mote_model_output(m, 0, &info), "logits");
    ck_assert_int_eq(info.dtype, MOTE_F32);

    const char *labels = mote_model_meta(m, "labels");
    ck_assert_ptr_nonnull(labels);
    int commas = 0;
    for (const char *p = labels; *p; p++)
        commas += *p == ',';
    ck_assert_int_eq(commas, N_CLASSES - 1);
    ck_assert_msg(strncmp(labels, "T-shirt/top,Trouser,", 20) == 0, "labels: %s", labels);
    ck_assert_str_eq(mote_model_meta(m, "input_scale"), "1/255");
    ck_assert_ptr_nonnull(mote_model_meta(m, "name"));
    ck_assert_ptr_nonnull(mote_model_meta(m, "description"));
    const char *acc = mote_model_meta(m, "accuracy");
    ck_assert_ptr_nonnull(acc);
    double recorded = (double)read_recorded("correct") / (double)read_recorded("total");
    ck_assert_msg(fabs(atof(acc) - recorded) < 1e-3,
                  "metadata accuracy %s, accuracy.txt %.4f", acc, recorded);
    mote_model_close(m);
}
END_TEST

START_TEST(test_fashion_rejects_wrongly_shaped_image)
{
    mote_model *m = open_model();
    mote_session *s = new_session(m, 1);
    static float x[28 * 27];
    mote_tensor in = {.dtype = MOTE_F32, .ndim = 4, .dims = {1, 1, 28, 27}, .data = x};
    mote_status st = mote_session_run(s, &in, 1);
    ck_assert_int_ne(st, MOTE_OK);
    ck_assert_msg(strlen(mote_last_error()) > 0, "no message for a wrong input shape");
    mote_session_free(s);
    mote_model_close(m);
}
END_TEST

/* The committed fashion.mote is what build_fashion writes from the
 * committed weights: the model file is reproducible from its sources. */
START_TEST(test_fashion_builder_reproduces_committed_model)
{
    const char *bdir = getenv("MOTE_BUILDDIR");
    if (!bdir || !*bdir)
        bdir = ".";
    char prog[4096], dir[4096], committed[4096], out[4200], cmd[16384];
    snprintf(prog, sizeof prog, "%s/models/fashion/build_fashion", bdir);
    snprintf(dir, sizeof dir, "%s/models/fashion", srcdir());
    fashion_path(committed, sizeof committed, "fashion.mote");
    const char *tmp = getenv("TMPDIR");
    snprintf(out, sizeof out, "%s/test_fashion_%ld.mote", tmp && *tmp ? tmp : "/tmp",
             (long)getpid());
    snprintf(cmd, sizeof cmd, "'%s' '%s' '%s'", prog, dir, out);
    ck_assert_msg(system(cmd) == 0, "%s failed (is MOTE_BUILDDIR right?)", cmd);

    FILE *a = fopen(committed, "rb"), *b = fopen(out, "rb");
    ck_assert_msg(a && b, "cannot open %s or %s", committed, out);
    long pos = 0;
    int ca, cb;
    do {
        ca = fgetc(a);
        cb = fgetc(b);
        pos++;
    } while (ca == cb && ca != EOF);
    fclose(a);
    fclose(b);
    remove(out);
    ck_assert_msg(ca == cb, "%s differs from what build_fashion writes (byte %ld): "
                  "regenerate it with build_fashion", committed, pos - 1);
}
END_TEST

/* --- the full test set ------------------------------------------------- */

/* Reads a gzipped IDX file of unsigned bytes through `gzip -dc`. Returns
 * the data (malloc'd) and its dims, or NULL (with a reason in why) when the
 * file is not there or cannot be decompressed. */
static unsigned char *read_idx_gz(const char *path, int ndim, long *dims, char *why, size_t wlen)
{
    FILE *probe = fopen(path, "rb");
    if (!probe) {
        snprintf(why, wlen, "%s not found", path);
        return NULL;
    }
    fclose(probe);
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "gzip -dc '%s'", path);
    FILE *f = popen(cmd, "r");
    if (!f) {
        snprintf(why, wlen, "cannot run gzip for %s", path);
        return NULL;
    }
    unsigned char hdr[4 + 4 * 3];
    size_t hlen = 4 + 4 * (size_t)ndim;
    unsigned char *data = NULL;
    if (fread(hdr, 1, hlen, f) == hlen && hdr[0] == 0 && hdr[1] == 0 && hdr[2] == 0x08 &&
        hdr[3] == ndim) {
        long total = 1;
        for (int d = 0; d < ndim; d++) {
            const unsigned char *b = hdr + 4 + 4 * d;   /* big-endian u32 */
            dims[d] = ((long)b[0] << 24) | ((long)b[1] << 16) | ((long)b[2] << 8) | b[3];
            total *= dims[d];
        }
        data = malloc((size_t)total + 1);
        /* Read one byte more than declared: the stream must end there. */
        if (data && fread(data, 1, (size_t)total + 1, f) != (size_t)total) {
            free(data);
            data = NULL;
        }
    }
    int rc = pclose(f);
    if (!data || rc != 0) {
        free(data);
        snprintf(why, wlen, "%s: not a %d-dim unsigned-byte IDX file (or gzip failed)", path, ndim);
        ck_abort_msg("%s", why);
    }
    return data;
}

static void check_test_set_accuracy(int threads)
{
    const char *dir = getenv("MOTE_FASHION_DIR");
    if (!dir || !*dir)
        dir = DEFAULT_DATASET_DIR;
    char ipath[4096], lpath[4096], why[4400];
    snprintf(ipath, sizeof ipath, "%s/t10k-images-idx3-ubyte.gz", dir);
    snprintf(lpath, sizeof lpath, "%s/t10k-labels-idx1-ubyte.gz", dir);
    long idims[3], ldims[1];
    unsigned char *img = read_idx_gz(ipath, 3, idims, why, sizeof why);
    if (!img) {
        fprintf(stderr, "SKIP test-set accuracy: %s (install dataset-fashion-mnist or set "
                        "MOTE_FASHION_DIR)\n", why);
        return;
    }
    unsigned char *lab = read_idx_gz(lpath, 1, ldims, why, sizeof why);
    if (!lab) {
        free(img);
        fprintf(stderr, "SKIP test-set accuracy: %s\n", why);
        return;
    }
    ck_assert_msg(idims[1] == 28 && idims[2] == 28 && idims[0] == ldims[0],
                  "test set: %ld images of %ldx%ld, %ld labels", idims[0], idims[1], idims[2],
                  ldims[0]);
    long total = read_recorded("total"), want = read_recorded("correct");
    ck_assert_int_eq(idims[0], total);

    mote_model *m = open_model();
    mote_session *s = new_session(m, threads);
    long correct = 0;
    for (long i = 0; i < idims[0]; i++) {
        float logits[N_CLASSES];
        classify(s, img + i * IMG_PIXELS, logits);
        correct += argmax(logits, N_CLASSES) == lab[i];
    }
    mote_session_free(s);
    mote_model_close(m);
    free(img);
    free(lab);
    ck_assert_msg(correct == want, "%d thread(s): mote classifies %ld of %ld correctly, "
                  "PyTorch %ld", threads, correct, total, want);
}

START_TEST(test_fashion_test_set_accuracy_equals_recorded_1_thread)
{
    check_test_set_accuracy(1);
}
END_TEST

START_TEST(test_fashion_test_set_accuracy_equals_recorded_2_threads)
{
    check_test_set_accuracy(2);
}
END_TEST

static Suite *fashion_suite(void)
{
    Suite *s = suite_create("fashion");
    TCase *t = tcase_create("samples");
    tcase_set_timeout(t, 60);   /* Check's 4 s default is short on a loaded machine */
    tcase_add_test(t, test_fashion_model_describes_its_input_output_and_labels);
    tcase_add_test(t, test_fashion_sample_logits_match_pytorch_1_thread);
    tcase_add_test(t, test_fashion_sample_logits_match_pytorch_2_threads);
    tcase_add_test(t, test_fashion_sample_predictions_match_pytorch);
    tcase_add_test(t, test_fashion_logits_identical_for_1_and_2_threads);
    tcase_add_test(t, test_fashion_rejects_wrongly_shaped_image);
    tcase_add_test(t, test_fashion_builder_reproduces_committed_model);
    suite_add_tcase(s, t);
    TCase *full = tcase_create("test_set");
    /* 10,000 images take seconds natively; the generous limit is for slow
     * or emulated (qemu) machines. */
    tcase_set_timeout(full, 600);
    tcase_add_test(full, test_fashion_test_set_accuracy_equals_recorded_1_thread);
    tcase_add_test(full, test_fashion_test_set_accuracy_equals_recorded_2_threads);
    suite_add_tcase(s, full);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(fashion_suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
