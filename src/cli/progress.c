/*
 * progress.c — the CLI's terminal-only progress line (progress.h).
 */
#include "progress.h"

#include <stdio.h>
#include <unistd.h>

static void show(void *user, const char *stage, size_t done, size_t total)
{
    cli_progress *p = user;
    time_t now = time(NULL);
    bool last = done == total;
    if (now - p->start < 1 || (now == p->last && !(last && p->printed)))
        return;
    p->last = now;
    p->printed = true;
    fprintf(stderr, "\r%s: %-8s %zu/%zu", p->cmd, stage, done, total);
    if (last) {
        fputc('\n', stderr);
        p->printed = false;
    }
    fflush(stderr);
}

void cli_progress_init(cli_progress *p, const char *cmd)
{
    p->cmd = cmd;
    p->on = isatty(STDERR_FILENO);
    p->printed = false;
    p->start = p->last = time(NULL);
    p->cb.fn = show;
    p->cb.user = p;
}

const mote_llm_progress *cli_progress_of(cli_progress *p)
{
    return p->on ? &p->cb : NULL;
}
