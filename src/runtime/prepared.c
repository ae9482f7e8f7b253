/*
 * prepared.c — the prepared-weights container (see prepared.h): a hash
 * table of entries keyed by what they are derived from, a lock and a
 * reference count. It holds bytes; it does not know what a packing is.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "graph/internal.h"
#include "prepared.h"

typedef struct entry {
    struct entry *next;    /* bucket chain                         */
    mote_prep_key key;
    size_t bytes;
    void *data;            /* 64-byte aligned, bytes long          */
    void (*drop)(void *);  /* an owned object's destructor, or NULL */
} entry;

struct mote_prepared {
    atomic_int refs;
    pthread_mutex_t mu;
    entry **buckets; size_t n_buckets;   /* a power of two, or 0   */
    int n;                               /* entries                */
    size_t bytes;                        /* their sizes' sum       */
};

mote_prepared *mote_prepared_new(void)
{
    mote_prepared *pc = calloc(1, sizeof *pc);
    if (!pc) return NULL;
    atomic_init(&pc->refs, 1);
    pthread_mutex_init(&pc->mu, NULL);
    return pc;
}

void mote_prepared_retain(mote_prepared *pc)
{
    if (pc) atomic_fetch_add(&pc->refs, 1);
}

void mote_prepared_release(mote_prepared *pc)
{
    if (!pc || atomic_fetch_sub(&pc->refs, 1) != 1) return;
    for (size_t b = 0; b < pc->n_buckets; b++)
        for (entry *e = pc->buckets[b], *nx; e; e = nx) {
            nx = e->next;
            if (e->drop) e->drop(e->data);
            else mote_free_aligned(e->data);
            free(e);
        }
    free(pc->buckets);
    pthread_mutex_destroy(&pc->mu);
    free(pc);
}

void mote_prepared_lock(mote_prepared *pc) { pthread_mutex_lock(&pc->mu); }
void mote_prepared_unlock(mote_prepared *pc) { pthread_mutex_unlock(&pc->mu); }

static bool same_key(const mote_prep_key *a, const mote_prep_key *b)
{
    return a->tag == b->tag && a->src == b->src && memcmp(a->p, b->p, sizeof a->p) == 0 &&
           strcmp(a->isa ? a->isa : "", b->isa ? b->isa : "") == 0;
}

/* FNV-1a over the key's fields (the ISA by name). */
static uint64_t hash_key(const mote_prep_key *k)
{
    uint64_t h = 1469598103934665603ull;
#define MIX(v) do { h ^= (uint64_t)(v); h *= 1099511628211ull; } while (0)
    MIX(k->tag);
    MIX((uintptr_t)k->src);
    for (int i = 0; i < 4; i++) MIX(k->p[i]);
    for (const char *s = k->isa ? k->isa : ""; *s; s++) MIX((unsigned char)*s);
#undef MIX
    return h;
}

void *mote_prepared_find(mote_prepared *pc, const mote_prep_key *key, size_t *bytes)
{
    if (!pc->n_buckets) return NULL;
    for (entry *e = pc->buckets[hash_key(key) & (pc->n_buckets - 1)]; e; e = e->next)
        if (same_key(&e->key, key)) {
            *bytes = e->bytes;
            return e->data;
        }
    return NULL;
}

/* Doubles the table when it is as full as it has buckets. */
static bool grow(mote_prepared *pc)
{
    if ((size_t)pc->n < pc->n_buckets) return true;
    size_t nb = pc->n_buckets ? pc->n_buckets * 2 : 16;
    entry **t = calloc(nb, sizeof *t);
    if (!t) return false;
    for (size_t b = 0; b < pc->n_buckets; b++)
        for (entry *e = pc->buckets[b], *nx; e; e = nx) {
            nx = e->next;
            size_t i = hash_key(&e->key) & (nb - 1);
            e->next = t[i];
            t[i] = e;
        }
    free(pc->buckets);
    pc->buckets = t;
    pc->n_buckets = nb;
    return true;
}

void *mote_prepared_add(mote_prepared *pc, const mote_prep_key *key, size_t bytes)
{
    if (!grow(pc)) return NULL;
    entry *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    if (!(e->data = mote_alloc_aligned(bytes))) {
        free(e);
        return NULL;
    }
    e->key = *key;
    e->bytes = bytes;
    size_t i = hash_key(key) & (pc->n_buckets - 1);
    e->next = pc->buckets[i];
    pc->buckets[i] = e;
    pc->n++;
    pc->bytes += bytes;
    return e->data;
}

bool mote_prepared_attach(mote_prepared *pc, const mote_prep_key *key, void *obj,
                          void (*drop)(void *obj))
{
    if (!grow(pc)) return false;
    entry *e = calloc(1, sizeof *e);
    if (!e) return false;
    e->key = *key;
    e->data = obj;
    e->drop = drop;
    size_t i = hash_key(key) & (pc->n_buckets - 1);
    e->next = pc->buckets[i];
    pc->buckets[i] = e;
    pc->n++;
    return true;
}

size_t mote_prepared_bytes(mote_prepared *pc, int *entries)
{
    if (!pc) {
        if (entries) *entries = 0;
        return 0;
    }
    pthread_mutex_lock(&pc->mu);
    size_t b = pc->bytes;
    if (entries) *entries = pc->n;
    pthread_mutex_unlock(&pc->mu);
    return b;
}
