/*
 * main.c — the `mote` command-line tool: `mote <command> [options]`.
 *
 * This file only dispatches: it looks the command up in the table built
 * from commands.def and hands it the remaining arguments. Each command
 * lives in its own file (cmd_*.c) and parses its own options. Adding a
 * command is one line in commands.def.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "format/tempfiles.h"

typedef struct cli_command {
    const char *name;
    cli_command_fn fn;
    const char *summary;
} cli_command;

static const cli_command commands[] = {
#define CLI_COMMAND(name, fn, summary) { #name, fn, summary },
#include "commands.def"
#undef CLI_COMMAND
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void print_usage(FILE *f)
{
    fputs("Usage: mote <command> [options]\n"
          "       mote <command> --help\n"
          "       mote --help | --version\n"
          "\n"
          "mote runs neural-network models stored as .mote files on the CPU.\n"
          "\n"
          "Commands:\n", f);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("\n"
          "Environment: MOTE_THREADS (threads), MOTE_PIN (cores or 1: pin threads,\n"
          "the default; none or 0: do not), MOTE_ISA (ref, avx2, avx512, neon),\n"
          "MOTE_DATA (where `mote demo` looks). See mote(1).\n", f);
}

static const cli_command *find(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* SIGINT, SIGTERM, SIGHUP: remove the temporary files being written (a
 * model under conversion can leave hundreds of MB), then die of the same
 * signal so the caller sees how the program ended. */
static void on_fatal_signal(int sig)
{
    mote_temp_unlink_all();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void remove_temps_on_signals(void)
{
    const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction sa, old;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_fatal_signal;
        sigemptyset(&sa.sa_mask);
        for (size_t j = 0; j < sizeof sigs / sizeof sigs[0]; j++) sigaddset(&sa.sa_mask, sigs[j]);
        /* a signal the caller ignores (nohup) stays ignored */
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
            sigaction(sigs[i], &sa, NULL);
    }
}

int main(int argc, char **argv)
{
    remove_temps_on_signals();
    if (argc < 2) {
        print_usage(stderr);
        return CLI_USAGE;
    }
    const char *arg = argv[1];
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
        print_usage(stdout);
        return CLI_OK;
    }
    if (strcmp(arg, "--version") == 0 || strcmp(arg, "-V") == 0) {
        printf("mote %s (library %d.%d.%d)\n", PACKAGE_VERSION, MOTE_VERSION_MAJOR,
               MOTE_VERSION_MINOR, MOTE_VERSION_PATCH);
        return CLI_OK;
    }
    /* `mote help CMD` is `mote CMD --help` */
    if (strcmp(arg, "help") == 0) {
        if (argc < 3) {
            print_usage(stdout);
            return CLI_OK;
        }
        const cli_command *c = find(argv[2]);
        if (!c) {
            fprintf(stderr, "mote: unknown command '%s'\nTry 'mote --help'.\n", argv[2]);
            return CLI_USAGE;
        }
        char *hargv[] = { argv[2], "--help", NULL };
        return c->fn(2, hargv);
    }
    if (arg[0] == '-') {
        fprintf(stderr, "mote: unknown option '%s'\nTry 'mote --help'.\n", arg);
        return CLI_USAGE;
    }
    const cli_command *c = find(arg);
    if (!c) {
        fprintf(stderr, "mote: unknown command '%s'\nTry 'mote --help'.\n", arg);
        return CLI_USAGE;
    }
    optind = 1;
    int rc = c->fn(argc - 1, argv + 1);
    if (fflush(stdout) != 0) {  /* e.g. `mote info m.mote > /dev/full` */
        perror("mote: writing the output");
        return CLI_FAIL;
    }
    return rc;
}
