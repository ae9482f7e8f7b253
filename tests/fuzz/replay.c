/*
 * replay.c — runs one fuzz target's entry function (LLVMFuzzerTestOneInput,
 * linked from tests/fuzz/fuzz_TARGET.c) over every file in its seed corpus
 * tests/fuzz/corpus/TARGET/ and in tests/fuzz/regressions/TARGET/, built
 * with the normal compiler so that `make check` (and the sanitizer and
 * valgrind builds) replay every input that ever crashed. FUZZ_TARGET names
 * the target at compile time; extra arguments are more files to replay.
 * Not the fuzzer itself (that is `make fuzz`).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return -1;
    }
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            uint8_t *nb = realloc(buf, cap * 2);
            if (!nb) { free(buf); buf = NULL; break; }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf) {
        fprintf(stderr, "replay: out of memory reading %s\n", path);
        return -1;
    }
    /* An exact-size copy, so that reads past the end are caught by ASan. */
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact) { free(buf); return -1; }
    memcpy(exact, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 0;
}

/* Replays every regular file in dir (sorted, for a stable order); returns
 * the number replayed, or -1 on an I/O error. A missing dir is empty. */
static int replay_dir(const char *dir)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0) return 0;
    int done = 0, bad = 0;
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.') {
            char path[4096 + 512];
            snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
            if (replay_file(path) == 0) done++; else bad = 1;
        }
        free(names[i]);
    }
    free(names);
    return bad ? -1 : done;
}

int main(int argc, char **argv)
{
    const char *src = getenv("MOTE_SRCDIR");
    if (!src) src = ".";
    int total = 0;
    const char *kinds[] = {"corpus", "regressions"};
    for (int k = 0; k < 2; k++) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/tests/fuzz/%s/%s", src, kinds[k], FUZZ_TARGET);
        int n = replay_dir(dir);
        if (n < 0) return 1;
        printf("replay %s: %d file(s) from %s\n", FUZZ_TARGET, n, dir);
        total += n;
    }
    for (int i = 1; i < argc; i++) {
        if (replay_file(argv[i]) != 0) return 1;
        total++;
    }
    printf("replay %s: %d input(s), no crash\n", FUZZ_TARGET, total);
    return 0;
}
