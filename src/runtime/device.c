/*
 * device.c — parsing a device choice (see device.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "device.h"
#include "graph/internal.h"
#include <stdbool.h>

static bool parse_index(const char *s, const char **end, int *v)
{
    if (*s < '0' || *s > '9') return false;
    long x = 0;
    while (*s >= '0' && *s <= '9' && x < 1000) x = x * 10 + (*s++ - '0');
    if (x >= 1000) return false;
    *v = (int)x;
    *end = s;
    return true;
}

mote_status mote_device_parse(const char *spec, mote_device_choice *out)
{
    const char *what = spec ? "device" : "MOTE_DEVICE";
    if (!spec) spec = getenv("MOTE_DEVICE");
    *out = (mote_device_choice){.kind = MOTE_DEVICE_CPU, .platform = -1, .device = -1};
    if (!spec || !*spec || strcmp(spec, "cpu") == 0) return MOTE_OK;
    if (strncmp(spec, "opencl", 6) != 0 || (spec[6] != 0 && spec[6] != ':'))
        return mote_error(MOTE_ERR_ARG, "%s='%s': expected cpu, opencl or opencl:PLATFORM:DEVICE",
                          what, spec);
    if (spec[6] == ':') {
        const char *p = spec + 7;
        if (!parse_index(p, &p, &out->platform) || *p++ != ':' || !parse_index(p, &p, &out->device) || *p)
            return mote_error(MOTE_ERR_ARG, "%s='%s': expected opencl:PLATFORM:DEVICE with two "
                              "indices as `mote info --devices` lists them", what, spec);
    }
#ifdef MOTE_HAVE_OPENCL
    out->kind = MOTE_DEVICE_OPENCL;
    return MOTE_OK;
#else
    return mote_error(MOTE_ERR_UNSUPPORTED, "%s='%s': this build has no OpenCL backend "
                      "(./configure --enable-opencl)", what, spec);
#endif
}
