/*
 * registry.c — the operator registry: a sorted-by-nothing table of every op
 * listed in ops_list.h, looked up by ONNX op type name.
 */
#include <string.h>
#include "ops.h"

#define MOTE_OP(name) extern const mote_op mote_op_##name;
#include "ops_list.h"
#undef MOTE_OP

static const mote_op *const registry[] = {
#define MOTE_OP(name) &mote_op_##name,
#include "ops_list.h"
#undef MOTE_OP
    NULL
};

const mote_op *mote_op_find(const char *name)
{
    if (!name) return NULL;
    for (int i = 0; registry[i]; i++)
        if (strcmp(registry[i]->name, name) == 0) return registry[i];
    return NULL;
}

const mote_op *const *mote_op_list(void) { return registry; }
