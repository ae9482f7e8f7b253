/*
 * fuzz_common.h — setup shared by the fuzz targets and their replay
 * driver: a small memory budget (so that a fuzzed size is refused with
 * MOTE_ERR_LIMIT instead of exhausting the fuzzer's memory) and one thread.
 * Not a test framework.
 */
#ifndef MOTE_FUZZ_COMMON_H
#define MOTE_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static inline void mote_fuzz_setup(void)
{
    static int done;
    if (done) return;
    done = 1;
    /* 256 MiB: libFuzzer's default -rss_limit_mb is 2048. */
    setenv("MOTE_MAX_BYTES", "268435456", 0);
    /* A fuzzed Loop may ask for 2^62 trips. Each trip may touch a whole
     * tensor of up to the budget, so trips multiply a run's time: 4096
     * trips of a reduce over 137k floats took 29 s under ASan, over
     * libFuzzer's -timeout. 64 trips still cover the loop's code. */
    setenv("MOTE_MAX_LOOP_TRIPS", "64", 0);
    setenv("MOTE_THREADS", "1", 0);
    setenv("MOTE_PIN", "0", 0);
}

/* The readers that take a path get the bytes through an anonymous
 * in-memory file: path receives "/proc/self/fd/N". Returns the fd (close
 * it after use) or -1. */
static inline int mote_fuzz_file(const uint8_t *data, size_t size, char *path, size_t cap)
{
    int fd = memfd_create("mote-fuzz", 0);
    if (fd < 0) return -1;
    size_t done = 0;
    while (done < size) {
        ssize_t w = write(fd, data + done, size - done);
        if (w <= 0) { close(fd); return -1; }
        done += (size_t)w;
    }
    snprintf(path, cap, "/proc/self/fd/%d", fd);
    return fd;
}

#endif
