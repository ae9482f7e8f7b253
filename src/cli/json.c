/*
 * json.c — the CLI's streaming JSON writer (json.h): nesting, commas,
 * string escapes, null for non-finite numbers.
 */
#include "json.h"
#include "runtime/instrument.h"

#include <inttypes.h>
#include <math.h>
#include "cli.h"
#include "graph/graph.h"

void cli_json_init(cli_json *j, FILE *f)
{
    j->f = f;
    j->depth = 0;
    j->first[0] = true;
}

static void put_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        case '\b': fputs("\\b", f); break;
        case '\f': fputs("\\f", f); break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f);   /* UTF-8 bytes pass through as they are */
        }
    }
    fputc('"', f);
}

/* The comma before a value (if one came before at this level) and its key. */
static void prefix(cli_json *j, const char *key)
{
    if (j->depth > 0) {
        if (!j->first[j->depth])
            fputc(',', j->f);
        fputc('\n', j->f);
        for (int i = 0; i < j->depth; i++)
            fputs("  ", j->f);
    }
    j->first[j->depth] = false;
    if (key) {
        put_string(j->f, key);
        fputs(": ", j->f);
    }
}

static void open_level(cli_json *j, const char *key, char c)
{
    prefix(j, key);
    fputc(c, j->f);
    if (j->depth + 1 < CLI_JSON_MAX_DEPTH) {   /* deeper than that: never nested so far */
        j->depth++;
        j->close[j->depth] = c == '{' ? '}' : ']';
        j->first[j->depth] = true;
    }
}

void cli_json_object(cli_json *j, const char *key) { open_level(j, key, '{'); }
void cli_json_array(cli_json *j, const char *key) { open_level(j, key, '['); }

void cli_json_end(cli_json *j)
{
    if (j->depth == 0)
        return;
    bool empty = j->first[j->depth];
    char c = j->close[j->depth];
    j->depth--;
    if (!empty) {
        fputc('\n', j->f);
        for (int i = 0; i < j->depth; i++)
            fputs("  ", j->f);
    }
    fputc(c, j->f);
    if (j->depth == 0)
        fputc('\n', j->f);
}

void cli_json_str(cli_json *j, const char *key, const char *v)
{
    prefix(j, key);
    if (v)
        put_string(j->f, v);
    else
        fputs("null", j->f);
}

void cli_json_int(cli_json *j, const char *key, int64_t v)
{
    prefix(j, key);
    fprintf(j->f, "%" PRId64, v);
}

void cli_json_uint(cli_json *j, const char *key, uint64_t v)
{
    prefix(j, key);
    fprintf(j->f, "%" PRIu64, v);
}

void cli_json_num(cli_json *j, const char *key, double v)
{
    prefix(j, key);
    if (isfinite(v))
        fprintf(j->f, "%.9g", v);
    else
        fputs("null", j->f);
}

void cli_json_bool(cli_json *j, const char *key, bool v)
{
    prefix(j, key);
    fputs(v ? "true" : "false", j->f);
}

void cli_json_null(cli_json *j, const char *key)
{
    prefix(j, key);
    fputs("null", j->f);
}

void cli_json_tensor_type(cli_json *j, const char *key, const mote_tensor *t)
{
    cli_json_object(j, key);
    cli_json_str(j, "dtype", mote_dtype_name(t->dtype));
    cli_json_array(j, "shape");
    for (int i = 0; i < t->ndim; i++)
        cli_json_int(j, NULL, t->dims[i]);
    cli_json_end(j);
    cli_json_end(j);
}

void cli_json_tensor_summary(cli_json *j, const char *key, const char *name,
                             const mote_tensor *t)
{
    cli_json_object(j, key);
    cli_json_tensor_fields(j, name, t);
    cli_json_end(j);
}

void cli_json_tensor_fields(cli_json *j, const char *name, const mote_tensor *t)
{
    cli_json_str(j, "name", name);
    cli_json_str(j, "dtype", mote_dtype_name(t->dtype));
    cli_json_array(j, "shape");
    for (int i = 0; i < t->ndim; i++)
        cli_json_int(j, NULL, t->dims[i]);
    cli_json_end(j);
    int64_t n = mote_tensor_numel(t);
    if (n > 0 && t->data) {
        /* min, max, mean over the finite values; non-finite ones counted */
        mote_tstats s;
        mote_tensor_stats(t, &s);
        int64_t nonfinite = s.nan + s.inf, imax = s.argmax;
        if (n > nonfinite) {
            cli_json_num(j, "min", s.min);
            cli_json_num(j, "max", s.max);
            cli_json_num(j, "mean", s.mean);
        } else {
            cli_json_null(j, "min");
            cli_json_null(j, "max");
            cli_json_null(j, "mean");
        }
        cli_json_int(j, "non_finite", nonfinite);
        cli_json_array(j, "first_values");
        for (int64_t i = 0; i < n && i < 8; i++)
            cli_json_num(j, NULL, mote_tensor_elem(t, i));
        cli_json_end(j);
        bool vector = t->ndim >= 1 && n > 1 && t->dims[t->ndim - 1] == n;
        if (vector && imax >= 0)
            cli_json_int(j, "argmax", imax);
    }
}
