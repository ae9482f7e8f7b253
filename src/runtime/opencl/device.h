/*
 * device.h — which device to use: the CPU, or an OpenCL device
 * (MOTE_DEVICE=cpu|opencl[:PLATFORM:DEVICE]); read by the OpenCL tests
 * and bench/opencl. (Sessions do not place nodes on a device yet.)
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
