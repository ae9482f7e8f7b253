/*
 * testutil.c — see testutil.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "testutil.h"

int mote_test_run(Suite *s)
{
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

const char *mote_test_tmpdir(void)
{
    static char dir[256];
    if (!dir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/mote-test-XXXXXX", base && *base ? base : "/tmp");
        if (!mkdtemp(dir)) {
            dir[0] = 0;
            return ".";
        }
    }
    return dir;
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
