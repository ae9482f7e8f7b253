/*
 * tempfiles.c — a fixed table of the temporary files being written, read
 * by a signal handler: each slot is claimed with an atomic exchange, its
 * path copied, then published; the handler unlinks published paths only.
 * Not the writers themselves (writer.c, npy.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tempfiles.h"

#define SLOTS 32
enum { FREE, CLAIMED, PUBLISHED };

static struct {
    atomic_int state;
    char path[PATH_MAX];
} slots[SLOTS];

int mote_temp_remember(const char *path)
{
    size_t n = strlen(path);
    if (n >= PATH_MAX)
        return -1;
    for (int i = 0; i < SLOTS; i++) {
        int expect = FREE;
        if (atomic_compare_exchange_strong(&slots[i].state, &expect, CLAIMED)) {
            memcpy(slots[i].path, path, n + 1);
            atomic_store(&slots[i].state, PUBLISHED);
            return i;
        }
    }
    return -1;
}

void mote_temp_forget(int slot)
{
    if (slot >= 0 && slot < SLOTS)
        atomic_store(&slots[slot].state, FREE);
}

void mote_temp_unlink_all(void)
{
    for (int i = 0; i < SLOTS; i++)
        if (atomic_load(&slots[i].state) == PUBLISHED)
            unlink(slots[i].path);
}

int mote_temp_create(const char *path, char **tmp, int *slot)
{
    static atomic_int counter;  /* unique within the process; the pid across them */
    size_t cap = strlen(path) + 48;
    char *name = malloc(cap);
    *tmp = NULL;
    *slot = -1;
    if (!name) {
        errno = ENOMEM;
        return -1;
    }
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        snprintf(name, cap, "%s.tmp.%ld.%d", path, (long)getpid(), atomic_fetch_add(&counter, 1));
        int s = mote_temp_remember(name);
        fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            *slot = s;
            break;
        }
        int e = errno;
        mote_temp_forget(s);
        errno = e;
        if (e != EEXIST)
            break;
    }
    if (fd < 0) {
        int e = errno;
        free(name);
        errno = e;
        return -1;
    }
    *tmp = name;
    return fd;
}
