/*
 * version.c — the version of the library as built (mote.h's macros give
 * the header's): configure's version, which tests/test_core.c checks
 * against MOTE_VERSION_STRING.
 */
#include "config.h"
#include "mote.h"

int mote_version(void)
{
    return MOTE_VERSION;
}

const char *mote_version_string(void)
{
    return PACKAGE_VERSION;
}
