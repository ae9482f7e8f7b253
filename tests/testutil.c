/*
 * testutil.c — see testutil.h.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "testutil.h"

int mote_test_run(Suite *s)
{
    /* small test tensors: split every step over the pool anyway, so the
     * thread-count tests exercise the splits (unless the caller says) */
    setenv("MOTE_SPLIT_MIN_WORK", "0", 0);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}

const char *mote_test_dir(const char *env)
{
    const char *d = getenv(env);
    struct stat sb;
    if (!d || !*d || stat(d, &sb) != 0 || !S_ISDIR(sb.st_mode)) return NULL;
    return d;
}

const char *mote_test_src_path(const char *rel)
{
    static char buf[4096];
    const char *src = getenv("MOTE_SRCDIR");
    snprintf(buf, sizeof buf, "%s/%s", src && *src ? src : ".", rel);
    return buf;
}

static char tmp_dir[256];
static pid_t tmp_owner;

static int unlock_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    if (type == FTW_D) chmod(path, 0700); /* tests make read-only dirs */
    return 0;
}

static int remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)type;
    (void)ftw;
    remove(path);
    return 0;
}

/* Removes the scratch directory when the process that made it exits. Check
 * runs each test in a forked child, which makes (and so removes) its own;
 * a child that inherited its parent's directory leaves it alone. */
static void remove_tmpdir(void)
{
    if (!tmp_dir[0] || getpid() != tmp_owner) return;
    if (getenv("MOTE_TEST_KEEP")) {
        fprintf(stderr, "test scratch kept: %s\n", tmp_dir);
        return;
    }
    nftw(tmp_dir, unlock_entry, 16, FTW_PHYS);
    nftw(tmp_dir, remove_entry, 16, FTW_PHYS | FTW_DEPTH);
}

const char *mote_test_tmpdir(void)
{
    if (!tmp_dir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(tmp_dir, sizeof tmp_dir, "%s/mote-test-XXXXXX", base && *base ? base : "/tmp");
        if (!mkdtemp(tmp_dir)) {
            tmp_dir[0] = 0;
            return ".";
        }
        atexit(remove_tmpdir);
        tmp_owner = getpid();
    }
    return tmp_dir;
}

void mote_test_fill(float *x, int64_t n, uint32_t seed, float lo, float hi)
{
    uint32_t s = seed * 2654435761u + 12345u;
    for (int64_t i = 0; i < n; i++) {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        x[i] = lo + (hi - lo) * (float)(s >> 8) / 16777216.0f;
    }
}

float mote_test_maxdiff(const float *a, const float *b, int64_t n)
{
    float m = 0;
    for (int64_t i = 0; i < n; i++) {
        float d = a[i] > b[i] ? a[i] - b[i] : b[i] - a[i];
        if (d > m || d != d) m = d != d ? 1e30f : d;
    }
    return m;
}
