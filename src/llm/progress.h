/*
 * progress.h — how the language-model importers and the quantizer report
 * progress on long work (a caller's callback, called from the working
 * thread with a stage name and a count: "tensors", 12 of 291). The library
 * never prints; the CLI decides whether and how to show it.
 */
#ifndef MOTE_LLM_PROGRESS_H
#define MOTE_LLM_PROGRESS_H

#include <stddef.h>

typedef struct mote_llm_progress {
    void (*fn)(void *user, const char *stage, size_t done, size_t total);
    void *user;
} mote_llm_progress;

/* Calls p->fn if there is one. */
static inline void mote_llm_report(const mote_llm_progress *p, const char *stage, size_t done,
                                   size_t total)
{
    if (p && p->fn)
        p->fn(p->user, stage, done, total);
}

#endif
