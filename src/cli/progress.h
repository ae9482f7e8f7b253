/*
 * progress.h — the CLI's progress line for long conversions and
 * quantizations: "\rconvert: tensors 12/291" on stderr at most once a
 * second, only once the work has taken a second, and only when stderr is
 * a terminal (never in logs or pipes).
 */
#ifndef MOTE_CLI_PROGRESS_H
#define MOTE_CLI_PROGRESS_H

#include <stdbool.h>
#include <time.h>
#include "llm/progress.h"

typedef struct cli_progress {
    const char *cmd;          /* "convert", "quantize"             */
    bool on;                  /* stderr is a terminal              */
    bool printed;             /* a line is on the terminal         */
    time_t start, last;
    mote_llm_progress cb;     /* what the library is given         */
} cli_progress;

void cli_progress_init(cli_progress *p, const char *cmd);
/* The callback to pass to the library (NULL when it would show nothing). */
const mote_llm_progress *cli_progress_of(cli_progress *p);

#endif
