/*
 * json_check.c — a strict JSON syntax checker for the tests of the CLI's
 * --json outputs (RFC 8259: one value, objects, arrays, strings with their
 * escapes, numbers, true/false/null; nothing but whitespace after it).
 * Reads stdin (or the file named by argv[1]); exits 0 if it is one valid
 * JSON value, else 1 with the byte offset of the first error. It is a
 * validator, not a parser: it builds nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const unsigned char *p, *end, *start;
    const char *err;
    int depth;
} rd;

static void ws(rd *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
        r->p++;
}

static int fail(rd *r, const char *msg)
{
    if (!r->err)
        r->err = msg;
    return 0;
}

static int value(rd *r);

static int string(rd *r)
{
    r->p++;   /* the opening quote */
    while (r->p < r->end) {
        unsigned char c = *r->p++;
        if (c == '"')
            return 1;
        if (c < 0x20)
            return fail(r, "a control character in a string");
        if (c == '\\') {
            if (r->p >= r->end)
                break;
            c = *r->p++;
            if (c == 'u') {
                for (int i = 0; i < 4; i++, r->p++)
                    if (r->p >= r->end || !strchr("0123456789abcdefABCDEF", *r->p) || !*r->p)
                        return fail(r, "a bad \\u escape");
            } else if (!strchr("\"\\/bfnrt", c) || !c) {
                return fail(r, "a bad escape");
            }
        }
    }
    return fail(r, "an unterminated string");
}

static int digits(rd *r)
{
    const unsigned char *s = r->p;
    while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
        r->p++;
    return r->p > s;
}

static int number(rd *r)
{
    if (*r->p == '-')
        r->p++;
    if (r->p < r->end && *r->p == '0')
        r->p++;
    else if (!digits(r))
        return fail(r, "a bad number");
    if (r->p < r->end && *r->p == '.') {
        r->p++;
        if (!digits(r))
            return fail(r, "no digits after a decimal point");
    }
    if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
        r->p++;
        if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
            r->p++;
        if (!digits(r))
            return fail(r, "no digits in an exponent");
    }
    return 1;
}

static int word(rd *r, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n))
        return fail(r, "an unknown word (not true, false or null)");
    r->p += n;
    return 1;
}

static int container(rd *r, unsigned char close)
{
    if (++r->depth > 256)
        return fail(r, "nesting too deep");
    r->p++;
    ws(r);
    if (r->p < r->end && *r->p == close) {
        r->p++;
        r->depth--;
        return 1;
    }
    for (;;) {
        ws(r);
        if (close == '}') {
            if (r->p >= r->end || *r->p != '"')
                return fail(r, "an object key that is not a string");
            if (!string(r))
                return 0;
            ws(r);
            if (r->p >= r->end || *r->p != ':')
                return fail(r, "no ':' after an object key");
            r->p++;
        }
        if (!value(r))
            return 0;
        ws(r);
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            continue;
        }
        if (r->p < r->end && *r->p == close) {
            r->p++;
            r->depth--;
            return 1;
        }
        return fail(r, "neither ',' nor the closing bracket");
    }
}

static int value(rd *r)
{
    ws(r);
    if (r->p >= r->end)
        return fail(r, "a value is missing");
    switch (*r->p) {
    case '{': return container(r, '}');
    case '[': return container(r, ']');
    case '"': return string(r);
    case 't': return word(r, "true");
    case 'f': return word(r, "false");
    case 'n': return word(r, "null");
    default:
        if (*r->p == '-' || (*r->p >= '0' && *r->p <= '9'))
            return number(r);
        return fail(r, "an unexpected character");
    }
}

int main(int argc, char **argv)
{
    FILE *f = argc > 1 ? fopen(argv[1], "rb") : stdin;
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    size_t cap = 1 << 16, len = 0, got;
    unsigned char *buf = malloc(cap);
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            unsigned char *b = realloc(buf, cap * 2);
            if (!b) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = b;
            cap *= 2;
        }
    }
    if (!buf) {
        fprintf(stderr, "json_check: out of memory\n");
        return 1;
    }
    rd r = { buf, buf + len, buf, NULL, 0 };
    int ok = value(&r);
    ws(&r);
    if (ok && r.p != r.end)
        ok = fail(&r, "more after the value");
    if (!ok)
        fprintf(stderr, "json_check: not valid JSON at byte %ld: %s\n", (long)(r.p - r.start),
                r.err ? r.err : "?");
    free(buf);
    return ok ? 0 : 1;
}
