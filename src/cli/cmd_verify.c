/*
 * cmd_verify.c — `mote verify MODEL...`: checks each .mote file as
 * opening it would (structure, graph, shape inference at the file's
 * shapes) and every checksum (structure, graph, metadata and all weight
 * data) with mote_model_verify. It does not run the model.
 */
#include "cli.h"
#include "json.h"

static const char usage[] =
    "Usage: mote verify [options] MODEL.mote...\n"
    "\n"
    "Checks each file as loading it would (structure, graph, each op's\n"
    "attributes and shapes at the file's input shapes), then every checksum,\n"
    "the weight data included, and prints 'FILE: OK' or the problem found.\n"
    "\n"
    "Options:\n"
    "      --json   print {\"files\": [{\"file\", \"ok\", \"status\", \"error\"}...]}\n"
    "               on stdout (the errors still go to stderr too)\n"
    "  -h, --help   show this help\n"
    "\n"
    "Exit status: 0 if every file is intact, 1 if one is not, 2 on a usage error.\n";

int cli_cmd_verify(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "json", no_argument, NULL, 'J' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c, rc = CLI_OK;
    bool json = false;
    while ((c = cli_getopt(argc, argv, "h", longopts, usage, &rc)) != -1) {
        if (c == '?')
            return rc;
        if (c == 'J')
            json = true;
    }
    if (optind >= argc)
        return cli_usage_error(argv[0], "missing MODEL");
    cli_json j;
    if (json) {
        cli_json_init(&j, stdout);
        cli_json_object(&j, NULL);
        cli_json_array(&j, "files");
    }
    for (int i = optind; i < argc; i++) {
        mote_status st = mote_model_verify(argv[i]);
        if (json) {
            cli_json_object(&j, NULL);
            cli_json_str(&j, "file", argv[i]);
            cli_json_bool(&j, "ok", st == MOTE_OK);
            cli_json_str(&j, "status", mote_status_name(st));
            if (st)
                cli_json_str(&j, "error", mote_last_error());
            cli_json_end(&j);
        }
        if (st)
            rc = cli_fail_status(argv[i], st);
        else if (!json)
            printf("%s: OK\n", argv[i]);
    }
    if (json) {
        cli_json_end(&j);
        cli_json_end(&j);
    }
    return rc;
}
