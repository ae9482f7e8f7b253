/*
 * device.h — which device a session runs on: the CPU, or an OpenCL device
 * (the session option `device`, else MOTE_DEVICE=cpu|opencl[:PLATFORM:DEVICE]).
 * Parsed in every build; a build without OpenCL refuses "opencl" with a
 * message saying how to get it.
 */
#ifndef MOTE_DEVICE_H
#define MOTE_DEVICE_H

#include "mote.h"

typedef enum mote_device_kind { MOTE_DEVICE_CPU = 0, MOTE_DEVICE_OPENCL = 1 } mote_device_kind;

typedef struct mote_device_choice {
    mote_device_kind kind;
    int platform, device;       /* -1, -1: the first GPU, else the first device */
} mote_device_choice;

/* spec NULL: the MOTE_DEVICE environment variable; unset or empty: cpu. */
mote_status mote_device_parse(const char *spec, mote_device_choice *out);

#endif
