/*
 * cmd_generate.c — `mote generate MODEL`: text generation with a llama
 * decoder (src/llm/llama_run.c), streaming the text as it is produced.
 * The prompt comes from -p TEXT, -p - (stdin) or -f FILE; -i reads one
 * line at a time from stdin and answers each, the KV cache kept between
 * turns, until end of input (Ctrl-D). Sampling: temperature, top-k,
 * top-p, min-p, a repetition penalty, a seed from the system's random
 * source unless given. It says what it changed: a truncated prompt, a
 * clamped -n or --ctx-size. It is not a chat template or a server.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "json.h"
#include "llm/llama.h"
#include "llm/sample.h"
#include "llm/tokenizer.h"

static const char usage[] =
    "Usage: mote generate MODEL.mote [-p PROMPT | -p - | -f FILE] [-n N] [options]\n"
    "       mote generate MODEL.mote -i [options]\n"
    "\n"
    "Generates text with a llama-family model, streaming it as it is produced,\n"
    "then prints prompt and generation tokens/s and the memory used on stderr.\n"
    "N counts positions as llama2.c does: the prompt's tokens included. The\n"
    "output ends with a newline.\n"
    "\n"
    "Options:\n"
    "  -p, --prompt TEXT       the prompt (default: empty); '-' reads it from stdin\n"
    "  -f, --file FILE         read the prompt from FILE (one trailing newline dropped)\n"
    "  -i, --interactive       read a line from stdin, answer it, repeat until end\n"
    "                          of input (Ctrl-D); the KV cache is kept between\n"
    "                          turns; -n limits each answer's tokens\n"
    "  -n, --steps N           positions to run (default 256; clamped to the context)\n"
    "  -c, --ctx-size N        context positions (default and maximum: the model's)\n"
    "  -t, --temp T            temperature, 0 = greedy (default 1.0)\n"
    "      --top-k K           keep the K most likely tokens (default 0: off)\n"
    "      --top-p P           nucleus sampling mass (default 0.9; 0 or 1: off)\n"
    "      --min-p P           drop tokens below P times the most likely one's\n"
    "                          probability (default 0: off)\n"
    "      --repeat-penalty R  divide the logits of the last --repeat-last-n tokens\n"
    "                          by R (default 1: off; 1.1 is common)\n"
    "      --repeat-last-n N   tokens the penalty looks back over (default 64)\n"
    "      --seed S            PRNG seed (default: from the system's random source;\n"
    "                          printed on stderr so a run can be repeated)\n"
    "  -j, --threads N         threads (default: one per physical core)\n"
    "      --json              print one JSON object instead (the text, the token\n"
    "                          ids, counts, timings, memory) when generation ends\n"
    "  -h, --help              show this help\n";

enum { OPT_TOPK = 256, OPT_TOPP, OPT_SEED, OPT_JSON, OPT_MINP, OPT_PENALTY, OPT_LASTN };

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* A seed from the kernel's random source; the clock and pid if it fails. */
static unsigned long long random_seed(void)
{
    unsigned long long s = 0;
    if (getrandom(&s, sizeof s, 0) != (ssize_t)sizeof s || s == 0)
        s = (unsigned long long)time(NULL) * 6364136223846793005ULL ^ (unsigned long long)getpid() ^
            (unsigned long long)clock();
    return s & 0x7fffffffffffffffULL;   /* printable and parseable back as --seed */
}

/* A growing byte string. */
typedef struct text_buf {
    char *s;
    size_t len, cap;
    bool oom;
} text_buf;

static void text_add(text_buf *b, const char *p, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->oom = true;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
    memcpy(b->s + b->len, p, n);
    b->len += n;
    b->s[b->len] = '\0';
}

/* All of a stream (the prompt from stdin or a file), one trailing newline
 * dropped; NULL with a message on failure. */
static char *read_all(FILE *f, const char *what)
{
    text_buf b = { 0 };
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        text_add(&b, chunk, n);
    if (ferror(f) || b.oom) {
        cli_fail(what, "cannot read the prompt%s", b.oom ? ": out of memory" : "");
        free(b.s);
        return NULL;
    }
    if (!b.s)
        text_add(&b, "", 0);
    if (b.len && b.s[b.len - 1] == '\n')
        b.s[--b.len] = '\0';
    if (b.len && b.s[b.len - 1] == '\r')
        b.s[--b.len] = '\0';
    if (strlen(b.s) != b.len) {
        cli_fail(what, "the prompt holds a NUL byte");
        free(b.s);
        return NULL;
    }
    return b.s;
}

typedef struct gen_state {
    const char *path;
    mote_llama *L;
    mote_tokenizer *tok;
    mote_sampler *smp;
    int ctx;                  /* positions usable (<= max_seq)        */
    int last_n;               /* the penalty's window                 */
    int *hist;                /* (ctx) every token fed, in order      */
    int n_hist;
    bool json;
    text_buf text;            /* --json: the generated text           */
    int *out_ids;             /* --json: the generated ids            */
    int n_out;
    char last_byte;           /* the last byte written to stdout      */
    int pending;              /* sampled, printed, not yet fed (-1)   */
} gen_state;

static void emit(gen_state *g, const char *p, size_t len)
{
    if (!len)
        return;
    if (g->json) {
        text_add(&g->text, p, len);
    } else {
        fwrite(p, 1, len, stdout);
        fflush(stdout);
        g->last_byte = p[len - 1];
    }
}

/*
 * Feeds n prompt tokens and then samples until an end token, `limit`
 * positions in all (counting from position 0) or the context's end.
 * *gen receives the tokens generated.
 */
static mote_status run_turn(gen_state *g, const int *ids, int n, int limit, int *gen,
                            double *t_prompt, double *t_gen)
{
    const float *logits;
    mote_status st;
    double t0 = now_s();
    if ((st = mote_llama_forward(g->L, ids, n, &logits)))
        return st;
    memcpy(g->hist + g->n_hist, ids, sizeof *ids * (size_t)n);
    g->n_hist += n;
    double t1 = now_s();
    int prev = ids[n - 1];
    *gen = 0;
    g->pending = -1;
    /* llama2.c counts positions: the token sampled at the last one is printed too */
    for (int pos = mote_llama_pos(g->L) - 1; pos < limit; pos++) {
        int w = g->n_hist < g->last_n ? g->n_hist : g->last_n;
        int next = mote_sample_recent(g->smp, logits, g->hist + g->n_hist - w, w);
        if (next == g->tok->bos_id || next == g->tok->eos_id)
            break;
        size_t len;
        const char *piece = mote_tokenizer_decode(g->tok, prev, next, &len);
        /* skip raw control bytes other than whitespace, as llama2.c does */
        if (piece && !(len == 1 && (unsigned char)piece[0] < 32 && !strchr("\t\n\r ", piece[0])))
            emit(g, piece, len);
        if (g->out_ids)
            g->out_ids[g->n_out++] = next;
        (*gen)++;
        prev = next;
        if (pos + 1 >= limit || mote_llama_pos(g->L) >= g->ctx) {
            g->pending = next;   /* the next turn feeds it first */
            break;
        }
        if ((st = mote_llama_forward(g->L, &next, 1, &logits)))
            return st;
        g->hist[g->n_hist++] = next;
    }
    *t_prompt = t1 - t0;
    *t_gen = now_s() - t1;
    return MOTE_OK;
}

/* Encodes text into a malloc'd array (*n tokens; BOS first if bos). */
static mote_status encode(gen_state *g, const char *text, int bos, int **ids, int *n)
{
    size_t cap = strlen(text) + 3;
    if (cap > (size_t)1 << 30)
        return MOTE_ERR_LIMIT;
    *ids = malloc(sizeof **ids * cap);
    if (!*ids)
        return MOTE_ERR_NOMEM;
    return mote_tokenizer_encode(g->tok, text, bos, 0, *ids, (int)cap, n);
}

/* -i: one line per turn; the KV cache (and the position) carry over. */
static int interactive(gen_state *g, const char *prompt, int per_turn)
{
    char *line = NULL;
    size_t cap = 0;
    int turn = 0, rc = CLI_OK;
    bool tty = isatty(STDIN_FILENO);
    for (;;) {
        const char *text;
        if (turn == 0 && prompt && *prompt) {
            text = prompt;   /* given with -p or -f: shown, as a typed line would be */
            emit(g, prompt, strlen(prompt));
        } else {
            if (tty) {
                fputs("> ", stderr);
                fflush(stderr);
            }
            ssize_t got = getline(&line, &cap, stdin);
            if (got < 0)
                break;   /* end of input: Ctrl-D */
            while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
                line[--got] = '\0';
            text = line;
        }
        turn++;
        int *ids = NULL, n = 0;
        mote_status st = encode(g, text, turn == 1, &ids, &n);
        if (!st && n == 0) {   /* an empty line after the first turn: nothing to feed */
            free(ids);
            continue;
        }
        int said = n;   /* the line's own tokens, for the report */
        if (!st && g->pending >= 0) {
            int *more = realloc(ids, sizeof *ids * ((size_t)n + 1));
            if (!more) {
                st = MOTE_ERR_NOMEM;
            } else {
                ids = more;
                memmove(ids + 1, ids, sizeof *ids * (size_t)n);
                ids[0] = g->pending;
                n++;
            }
        }
        int room = g->ctx - mote_llama_pos(g->L);
        if (!st && n >= room) {
            fprintf(stderr, "mote generate: the context is full (%d of %d positions used); "
                    "ending the conversation\n", mote_llama_pos(g->L), g->ctx);
            free(ids);
            break;
        }
        int gen = 0;
        double tp, tg;
        int limit = mote_llama_pos(g->L) + n - 1 + per_turn;
        if (limit > g->ctx)
            limit = g->ctx;
        if (!st)
            st = run_turn(g, ids, n, limit, &gen, &tp, &tg);
        free(ids);
        if (st) {
            rc = cli_fail_status(g->path, st);
            break;
        }
        if (g->last_byte != '\n')
            emit(g, "\n", 1);
        fprintf(stderr, "(turn %d: %d prompt tokens, %d generated, position %d of %d)\n", turn,
                said, gen, mote_llama_pos(g->L), g->ctx);
    }
    free(line);
    return rc;
}

int cli_cmd_generate(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "prompt", required_argument, NULL, 'p' }, { "file", required_argument, NULL, 'f' },
        { "interactive", no_argument, NULL, 'i' }, { "steps", required_argument, NULL, 'n' },
        { "ctx-size", required_argument, NULL, 'c' }, { "temp", required_argument, NULL, 't' },
        { "top-k", required_argument, NULL, OPT_TOPK }, { "top-p", required_argument, NULL, OPT_TOPP },
        { "min-p", required_argument, NULL, OPT_MINP },
        { "repeat-penalty", required_argument, NULL, OPT_PENALTY },
        { "repeat-last-n", required_argument, NULL, OPT_LASTN },
        { "seed", required_argument, NULL, OPT_SEED }, { "threads", required_argument, NULL, 'j' },
        { "json", no_argument, NULL, OPT_JSON }, { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *cmd = argv[0];
    int c, rc = CLI_OK;
    const char *prompt_arg = NULL, *file = NULL;
    long steps = 256, topk = 0, threads = 0, ctx = 0, last_n = 64;
    bool steps_given = false, inter = false, json = false, seed_given = false;
    float temp = 1.0f, topp = 0.9f, minp = 0.0f, penalty = 1.0f;
    unsigned long long seed = 0;
    while ((c = cli_getopt(argc, argv, "p:f:in:c:t:j:h", longopts, usage, &rc)) != -1) {
        char *end = NULL;
        errno = 0;
        switch (c) {
        case '?': return rc;
        case 'p': prompt_arg = optarg; break;
        case 'f': file = optarg; break;
        case 'i': inter = true; break;
        case 'n':
            if (!cli_parse_int(optarg, 1, 1 << 24, &steps))
                return cli_usage_error(cmd, "-n wants a number from 1 to 16777216, not '%s'", optarg);
            steps_given = true;
            break;
        case 'c':
            if (!cli_parse_int(optarg, 1, 1 << 24, &ctx))
                return cli_usage_error(cmd, "--ctx-size wants a number from 1 to 16777216, not '%s'", optarg);
            break;
        case 't': temp = strtof(optarg, &end);
            if (end == optarg || *end || !(temp >= 0) || temp > 100)
                return cli_usage_error(cmd, "--temp wants a number from 0 to 100, not '%s'", optarg);
            break;
        case OPT_TOPK:
            if (!cli_parse_int(optarg, 0, 1 << 30, &topk))
                return cli_usage_error(cmd, "--top-k wants a number >= 0, not '%s'", optarg);
            break;
        case OPT_TOPP: topp = strtof(optarg, &end);
            if (end == optarg || *end || !(topp >= 0 && topp <= 1))
                return cli_usage_error(cmd, "--top-p wants a number from 0 to 1, not '%s'", optarg);
            break;
        case OPT_MINP: minp = strtof(optarg, &end);
            if (end == optarg || *end || !(minp >= 0 && minp <= 1))
                return cli_usage_error(cmd, "--min-p wants a number from 0 to 1, not '%s'", optarg);
            break;
        case OPT_PENALTY: penalty = strtof(optarg, &end);
            if (end == optarg || *end || !(penalty >= 1 && penalty <= 100))
                return cli_usage_error(cmd, "--repeat-penalty wants a number from 1 to 100, not '%s'", optarg);
            break;
        case OPT_LASTN:
            if (!cli_parse_int(optarg, 0, 1 << 24, &last_n))
                return cli_usage_error(cmd, "--repeat-last-n wants a number >= 0, not '%s'", optarg);
            break;
        case OPT_SEED: seed = strtoull(optarg, &end, 10);
            if (end == optarg || *end || errno || optarg[0] == '-')
                return cli_usage_error(cmd, "--seed wants a whole number >= 0, not '%s'", optarg);
            seed_given = true;
            break;
        case 'j':
            if (!cli_parse_int(optarg, 1, 1024, &threads))
                return cli_usage_error(cmd, "--threads wants a number from 1 to 1024, not '%s'", optarg);
            break;
        case OPT_JSON: json = true; break;
        }
    }
    if (argc - optind != 1)
        return cli_usage_error(cmd, "expected one MODEL.mote");
    if (prompt_arg && file)
        return cli_usage_error(cmd, "give the prompt with -p or with -f, not both");
    if (inter && json)
        return cli_usage_error(cmd, "--json and --interactive do not go together");
    if (inter && prompt_arg && !strcmp(prompt_arg, "-"))
        return cli_usage_error(cmd, "-i reads stdin line by line; -p - cannot read it too");
    if (!seed_given)
        seed = random_seed();
    const char *path = argv[optind];

    char *prompt = NULL;
    if (file) {
        FILE *f = fopen(file, "rb");
        if (!f)
            return cli_fail(file, "cannot open: %s", strerror(errno));
        prompt = read_all(f, file);
        fclose(f);
        if (!prompt)
            return CLI_FAIL;
    } else if (prompt_arg && !strcmp(prompt_arg, "-")) {
        if (!(prompt = read_all(stdin, "stdin")))
            return CLI_FAIL;
    } else if (!(prompt = strdup(prompt_arg ? prompt_arg : ""))) {
        return cli_fail(NULL, "out of memory");
    }

    mote_model *m;
    mote_status st = mote_model_open(path, &m);
    if (st) {
        free(prompt);
        return cli_fail_status(path, st);
    }
    const char *arch = mote_model_meta(m, "architecture");
    if (!arch || strcmp(arch, "llama")) {
        rc = cli_fail(path, "not a language model (architecture '%s'): mote generate runs "
                      "llama-family models converted from llama2.c or GGUF; `mote run` runs "
                      "other models", arch ? arch : "none");
        mote_model_close(m);
        free(prompt);
        return rc;
    }
    gen_state g = { .path = path, .json = json, .last_byte = '\n', .pending = -1 };
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = (int)threads;
    if ((st = mote_tokenizer_from_model(m, &g.tok))) {
        rc = cli_fail(path, "has no tokenizer (%s); convert the checkpoint again with "
                      "--tokenizer TOK.bin", mote_last_error());
        goto done;
    }
    if ((st = mote_llama_new(m, &o, &g.L)))
        goto fail;
    const mote_llama_hparams *hp = mote_llama_hparams_of(g.L);
    g.ctx = hp->max_seq;
    if (ctx > hp->max_seq)
        fprintf(stderr, "mote generate: warning: --ctx-size %ld is over the model's maximum; "
                "using %d\n", ctx, hp->max_seq);
    else if (ctx > 0)
        g.ctx = (int)ctx;
    if (steps > g.ctx) {
        if (steps_given)
            fprintf(stderr, "mote generate: warning: -n %ld is over the context of %d "
                    "positions; clamped to %d\n", steps, g.ctx, g.ctx);
        steps = g.ctx;
    }
    g.last_n = (int)last_n;
    if ((st = mote_sampler_new(hp->vocab_size, temp, (int)topk, topp, seed, &g.smp)) ||
        (st = mote_sampler_set_penalty(g.smp, penalty, minp)))
        goto fail;
    if (!(g.hist = malloc(sizeof *g.hist * ((size_t)g.ctx + 1)))) {
        st = MOTE_ERR_NOMEM;
        goto fail;
    }
    if (inter) {
        rc = interactive(&g, prompt, (int)steps);
        fprintf(stderr, "seed %llu\n", seed);
        goto done;
    }

    int *ids = NULL, n = 0;
    if ((st = encode(&g, prompt, 1, &ids, &n)))
        goto fail;
    bool cut = n > steps;
    if (cut) {
        fprintf(stderr, "mote generate: warning: the prompt is %d tokens, more than the %ld "
                "positions to run%s; it is cut to its first %ld tokens\n", n, steps,
                steps == g.ctx ? " (the context)" : " (-n counts the prompt's tokens)", steps);
        n = (int)steps;
    }
    if (json && !(g.out_ids = malloc(sizeof *g.out_ids * ((size_t)steps + 1)))) {
        free(ids);
        st = MOTE_ERR_NOMEM;
        goto fail;
    }
    /* the session is shaped for the prompt (memory plan, packed weights)
     * before the clock starts, so the prompt rate is the pass alone */
    double ts = now_s();
    if ((st = mote_llama_prepare(g.L, n))) {
        free(ids);
        goto fail;
    }
    double setup = now_s() - ts, tp = 0, tg = 0;
    if (!json && !cut) {
        fputs(prompt, stdout);
        fflush(stdout);
        if (*prompt)
            g.last_byte = prompt[strlen(prompt) - 1];
    } else if (!json) {   /* what was fed: the tokens kept, decoded */
        for (int i = 1; i < n; i++) {
            size_t len;
            const char *piece = mote_tokenizer_decode(g.tok, ids[i - 1], ids[i], &len);
            if (piece)
                emit(&g, piece, len);
        }
    }
    int gen = 0;
    st = run_turn(&g, ids, n, (int)steps, &gen, &tp, &tg);
    if (st) {
        free(ids);
        goto fail;
    }
    struct rusage ru;
    double peak = getrusage(RUSAGE_SELF, &ru) == 0 ? (double)ru.ru_maxrss * 1024.0 : 0.0;
    if (json) {
        if (g.text.oom) {
            free(ids);
            st = MOTE_ERR_NOMEM;
            goto fail;
        }
        cli_json j;
        cli_json_init(&j, stdout);
        cli_json_object(&j, NULL);
        cli_json_str(&j, "model", path);
        cli_json_str(&j, "prompt", prompt);
        cli_json_str(&j, "text", g.text.s ? g.text.s : "");
        cli_json_array(&j, "prompt_tokens");
        for (int i = 0; i < n; i++)
            cli_json_int(&j, NULL, ids[i]);
        cli_json_end(&j);
        cli_json_array(&j, "tokens");
        for (int i = 0; i < g.n_out; i++)
            cli_json_int(&j, NULL, g.out_ids[i]);
        cli_json_end(&j);
        cli_json_uint(&j, "seed", seed);
        cli_json_num(&j, "temperature", temp);
        cli_json_int(&j, "context", g.ctx);
        cli_json_object(&j, "timings");
        cli_json_num(&j, "setup_ms", 1e3 * setup);
        cli_json_num(&j, "prompt_ms", 1e3 * tp);
        cli_json_num(&j, "prompt_tokens_per_s", tp > 0 ? n / tp : 0.0);
        cli_json_num(&j, "generation_ms", 1e3 * tg);
        cli_json_num(&j, "generation_tokens_per_s", gen > 1 && tg > 0 ? (gen - 1) / tg : 0.0);
        cli_json_end(&j);
        cli_json_num(&j, "peak_rss_bytes", peak);
        cli_json_uint(&j, "session_bytes", mote_llama_memory_bytes(g.L));
        cli_json_end(&j);
    } else {
        if (g.last_byte != '\n')
            fputc('\n', stdout);
        char b1[32], b2[32];
        fprintf(stderr, "prompt: %d tokens, %.1f tokens/s (after %.0f ms of setup); generation: "
                "%d tokens, %.1f tokens/s; seed %llu; memory: peak RSS %s (the session: %s of "
                "arena, KV cache and packed weights; the rest: mapped weights)\n",
                n, tp > 0 ? n / tp : 0.0, 1e3 * setup, gen,
                gen > 1 && tg > 0 ? (gen - 1) / tg : 0.0, seed, cli_bytes(peak, b1),
                cli_bytes((double)mote_llama_memory_bytes(g.L), b2));
    }
    free(ids);
    goto done;
fail:
    rc = cli_fail_status(path, st);
done:
    free(g.text.s);
    free(g.out_ids);
    free(g.hist);
    free(prompt);
    mote_sampler_free(g.smp);
    mote_llama_free(g.L);
    mote_tokenizer_free(g.tok);
    mote_model_close(m);
    return rc;
}
