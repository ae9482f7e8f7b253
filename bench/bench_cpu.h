/*
 * bench_cpu.h — what every benchmark prints about the machine it ran on:
 * the CPU's model name, as the kernel reports it.
 */
#ifndef MOTE_BENCH_CPU_H
#define MOTE_BENCH_CPU_H

#include <stdio.h>
#include <string.h>

/* The CPU's name as the kernel reports it ("?" if unknown). */
static inline const char *cpu_model(void)
{
    static char name[256] = "?";
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
        char *c = strchr(line, ':');
        if (!strncmp(line, "model name", 10) && c) {
            snprintf(name, sizeof name, "%s", c + 2);
            name[strcspn(name, "\n")] = 0;
            break;
        }
    }
    if (f)
        fclose(f);
    return name;
}

#endif
