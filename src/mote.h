/*
 * mote.h — the public API of mote, a small neural-network inference runtime.
 *
 * This is the only installed header. Everything here is plain C11 with
 * opaque handles. A typical program:
 *
 *     mote_model *m;   mote_session *s;
 *     mote_model_open("model.mote", &m);          // mmap + validate
 *     mote_session_new(m, NULL, &s);              // shapes, kernels, arena
 *     mote_session_run(s, inputs, n_inputs);      // no allocation
 *     mote_session_output(s, 0, &out);            // a view into the arena
 *     mote_session_free(s); mote_model_close(m);
 *
 * Errors: every function that can fail returns a mote_status; the human
 * message (naming the file, node or tensor at fault) is then available from
 * mote_last_error(), which is thread-local. The library never prints and
 * never exits.
 *
 * Thread safety: a mote_model is immutable after open and may be shared by
 * any number of sessions on any threads. A mote_session is used by one
 * thread at a time. A mote_graph (the builder) is used by one thread.
 */
#ifndef MOTE_H
#define MOTE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * MOTE_API marks the functions of the public API: the shared library is
 * built with hidden visibility, so these are the only symbols it exports
 * (tests/test_exports.sh checks that the two sets are equal).
 */
#if defined(__GNUC__) && __GNUC__ >= 4
#define MOTE_API __attribute__((visibility("default")))
#else
#define MOTE_API
#endif

/* --------------------------------------------------------------- version */

/* The version of this header. MOTE_VERSION is one number for comparisons,
 * e.g. #if MOTE_VERSION >= MOTE_MAKE_VERSION(0, 2, 0). */
#define MOTE_VERSION_MAJOR 0
#define MOTE_VERSION_MINOR 1
#define MOTE_VERSION_PATCH 0
#define MOTE_VERSION_STRING "0.1.0"
#define MOTE_MAKE_VERSION(major, minor, patch) ((major) * 10000 + (minor) * 100 + (patch))
#define MOTE_VERSION MOTE_MAKE_VERSION(MOTE_VERSION_MAJOR, MOTE_VERSION_MINOR, MOTE_VERSION_PATCH)

/* The version of the library actually loaded, which may be newer than the
 * header a program was compiled with: MOTE_VERSION's number and
 * MOTE_VERSION_STRING's text as the library was built. */
MOTE_API int mote_version(void);
MOTE_API const char *mote_version_string(void);

/* Largest tensor rank mote handles. */
#define MOTE_MAX_DIMS 8

/* ---------------------------------------------------------------- status */

typedef enum mote_status {
    MOTE_OK = 0,
    MOTE_ERR_ARG = 1,          /* a caller error: NULL handle, bad index, misuse  */
    MOTE_ERR_IO = 2,           /* open/read/write/mmap failed                     */
    MOTE_ERR_FORMAT = 3,       /* a file is malformed, truncated or corrupted     */
    MOTE_ERR_UNSUPPORTED = 4,  /* an op, dtype, attribute or version mote lacks   */
    MOTE_ERR_SHAPE = 5,        /* shapes or dtypes that do not fit together       */
    MOTE_ERR_NOMEM = 6,        /* an allocation failed                            */
    MOTE_ERR_GRAPH = 7,        /* invalid graph: cycle, dangling input, ...       */
    MOTE_ERR_LIMIT = 8         /* a size over the configured memory budget        */
} mote_status;

/* The message of the last failing call on this thread ("" if none). */
MOTE_API const char *mote_last_error(void);
/* "MOTE_OK", "MOTE_ERR_FORMAT", ... */
MOTE_API const char *mote_status_name(mote_status st);

/* ---------------------------------------------------------------- dtypes */

/* The numeric values are the codes used in .mote files: never renumber. */
typedef enum mote_dtype {
    MOTE_F32 = 1,
    MOTE_F16 = 2,
    MOTE_BF16 = 3,
    MOTE_I8 = 4,
    MOTE_U8 = 5,
    MOTE_I32 = 6,
    MOTE_I64 = 7,
    MOTE_BOOL = 8     /* one byte, 0 or 1 */
} mote_dtype;
#define MOTE_DTYPE_COUNT 9

/* Bytes per element (0 for an unknown dtype). */
MOTE_API size_t mote_dtype_size(mote_dtype t);
/* "f32", "f16", ... or NULL for an unknown dtype. */
MOTE_API const char *mote_dtype_name(mote_dtype t);
/* The dtype whose mote_dtype_name is `name`, or 0. */
MOTE_API mote_dtype mote_dtype_from_name(const char *name);

/* IEEE half and bfloat16 conversions (round to nearest even). */
MOTE_API float mote_f16_to_f32(uint16_t h);
MOTE_API uint16_t mote_f32_to_f16(float f);
MOTE_API float mote_bf16_to_f32(uint16_t h);
MOTE_API uint16_t mote_f32_to_bf16(float f);

/* --------------------------------------------------------------- tensors */

/*
 * A tensor view: a dtype, a shape and a pointer to densely packed,
 * row-major data. mote never frees a view's data. A dimension of -1 means
 * "not known yet" (only in model input descriptions).
 */
typedef struct mote_tensor {
    mote_dtype dtype;
    int ndim;                      /* 0 (scalar) .. MOTE_MAX_DIMS */
    int64_t dims[MOTE_MAX_DIMS];
    void *data;
} mote_tensor;

/* Number of elements (1 for a scalar; -1 if a dim is unknown or the product
 * of the non-zero dims overflows int64). */
MOTE_API int64_t mote_tensor_numel(const mote_tensor *t);
/* Bytes of data (numel * dtype size); 0 if unknown or on overflow. */
MOTE_API size_t mote_tensor_nbytes(const mote_tensor *t);
/* Writes "f32[1,28,28]" into buf (always NUL-terminated); returns buf. */
MOTE_API char *mote_tensor_describe(const mote_tensor *t, char *buf, size_t len);

/* ---------------------------------------------------------------- models */

typedef struct mote_model mote_model;

/*
 * Maps a .mote file and validates its structure: every offset, count and
 * size, and the checksums of the header, graph and metadata sections. The
 * weights stay in the mapping (no copy). Tensor data checksums are checked
 * by mote_model_verify. On failure *out is NULL.
 */
MOTE_API mote_status mote_model_open(const char *path, mote_model **out);
/* The same from a caller's buffer, which must outlive the model. */
MOTE_API mote_status mote_model_open_memory(const void *buf, size_t len, mote_model **out);
/* Checks the file as mote_model_open does (structure, graph, shapes at
 * the file's input shapes), then every checksum, the weight data included. */
MOTE_API mote_status mote_model_verify(const char *path);
MOTE_API void mote_model_close(mote_model *m);

MOTE_API int mote_model_num_inputs(const mote_model *m);
MOTE_API int mote_model_num_outputs(const mote_model *m);
/* Name, dtype and shape of an input/output; info->data is NULL. A dim may
 * be -1 when the model leaves it open. Output shapes are known when every
 * input shape is fixed (else ndim is 0 until a session fixes them).
 * Returns NULL if i is out of range. */
MOTE_API const char *mote_model_input(const mote_model *m, int i, mote_tensor *info);
MOTE_API const char *mote_model_output(const mote_model *m, int i, mote_tensor *info);
/* A metadata string (e.g. "producer", "description"), or NULL. Integer and
 * float metadata are returned formatted as text. */
MOTE_API const char *mote_model_meta(const mote_model *m, const char *key);

/* -------------------------------------------------------------- sessions */

typedef struct mote_session mote_session;
/* A thread pool (mote_pool_create), optionally shared by sessions. */
typedef struct mote_pool mote_pool;

/*
 * Thread safety: a mote_model is read-only once opened; any number of
 * threads may make sessions on it and query it at the same time, and it
 * must outlive them. A session is not thread-safe: one thread at a time
 * runs it (it has its own worker pool for parallelism inside a run, or a
 * pool from mote_pool_create shared with other sessions), and
 * output views stay valid until that session's next run or free. Close a
 * model or free a session exactly once, after every use of it has ended
 * (mote cannot detect a second close). Error messages are per thread.
 */

typedef struct mote_session_options {
    /* The size of this struct as the program was compiled, set by
     * mote_session_options_init: a newer library, whose struct has more
     * fields at its end, gives those its defaults; an older one accepts a
     * larger struct as long as the fields it does not know are still at
     * their defaults (zero). Options not made by mote_session_options_init
     * are refused (MOTE_ERR_ARG). Never set it by hand. */
    size_t struct_size;
    int threads;        /* 0: MOTE_THREADS, else one per physical core    */
    int pin;            /* -1: MOTE_PIN (cores/1, the default, or none/0),
                         * 0: never pin, 1: pin one thread per core      */
    const char *isa;    /* NULL: MOTE_ISA, else best; "ref","avx2",...    */
    /* Caller-provided arena (embedding): at least mote_session_arena_bytes
     * of a session made without one, 64-byte aligned. NULL: mote allocates. */
    void *arena;
    size_t arena_bytes;
    /* Shapes for inputs whose dims the model leaves open (data ignored),
     * one per model input in order; NULL keeps the model's shapes. */
    const mote_tensor *input_shapes;
    int n_input_shapes;
    /* Memory budget in bytes for everything this session holds (arena,
     * plan, op state such as KV caches, the prepared weights it uses; see
     * mote_session_memory), checked before each allocation: over it,
     * mote_session_new or _reshape fails with MOTE_ERR_LIMIT.
     * 0: MOTE_MAX_BYTES, else 75% of physical memory. */
    size_t max_bytes;
    /* A pool from mote_pool_create to run on instead of the session's own
     * (threads and pin are then the pool's); NULL: the session makes one. */
    mote_pool *pool;
    /* Where nodes run: NULL: MOTE_DEVICE, else "cpu"; "opencl" or
     * "opencl:P:D" (builds with --enable-opencl) places every node the
     * OpenCL device has a kernel for on it, the rest on the CPU, with the
     * transfers between them; see docs/opencl.md. */
    const char *device;
} mote_session_options;

/*
 * Fills *o with the defaults (every field 0, pin -1) and sets struct_size.
 * Call it on every options struct before setting fields. It is a macro so
 * that the size is the one the program was compiled with; the function
 * behind it takes that size.
 */
#define mote_session_options_init(o) mote_session_options_init_sized((o), sizeof *(o))
MOTE_API void mote_session_options_init_sized(mote_session_options *o, size_t struct_size);

/*
 * Prepares a model for running: infers every shape, chooses a kernel per
 * node for the ISA, packs weights where a kernel wants it (once per model
 * and ISA: later sessions of the model share the packed copy), plans one
 * arena for all intermediates and starts the thread pool. All allocation
 * happens here, each size checked against the budget first. opts may be
 * NULL for defaults.
 */
MOTE_API mote_status mote_session_new(const mote_model *m, const mote_session_options *opts,
                             mote_session **out);
/*
 * Runs the model. inputs[i] is copied into the session, so it must match
 * model input i's dtype and the session's shape for it exactly. Allocates
 * nothing.
 */
MOTE_API mote_status mote_session_run(mote_session *s, const mote_tensor *inputs, int n_inputs);
/* A view of output i, valid until the next run or free. */
MOTE_API mote_status mote_session_output(const mote_session *s, int i, mote_tensor *out);
MOTE_API void mote_session_free(mote_session *s);

MOTE_API size_t mote_session_arena_bytes(const mote_session *s);
/* Sum of the sizes of all intermediate tensors and per-op scratch buffers
 * (what a runtime without a memory plan would allocate); compare with
 * mote_session_arena_bytes. */
MOTE_API size_t mote_session_naive_bytes(const mote_session *s);
/* The kernel table in use: "ref", "avx2", "avx512", "neon". */
MOTE_API const char *mote_session_isa(const mote_session *s);
MOTE_API int mote_session_threads(const mote_session *s);

/*
 * Replans the session for new input shapes (one per model input, as in
 * the input_shapes option; data ignored): shapes, steps and arena are made
 * anew; prepared weights (packed, folded) are the model's and are not made
 * again; op state (a KV cache) is kept when its size does not change, else
 * it starts cleared. Output views from before are invalid afterwards. The
 * new plan must fit the budget on its own; with a caller's arena it must
 * fit that arena. On failure the session keeps its previous shapes.
 */
MOTE_API mote_status mote_session_reshape(mote_session *s, const mote_tensor *shapes, int n_shapes);

/*
 * Every byte a session holds, by kind; each is counted against the memory
 * budget before it is allocated, and total <= budget.
 */
typedef struct mote_memory {
    size_t arena;      /* intermediates and per-step scratch (one block)   */
    size_t plan;       /* per-shape tables: values, steps, op parameters   */
    size_t state;      /* ops' state kept across runs (KV caches)          */
    size_t prepared;   /* packed / folded weights this session uses; they
                          belong to the model and are shared by all of its
                          sessions (see mote_model_prepared_bytes)         */
    size_t total;      /* the sum of the above                              */
    size_t budget;     /* the budget it was checked against                 */
} mote_memory;
MOTE_API mote_status mote_session_memory(const mote_session *s, mote_memory *out);
/*
 * What a session of m with these options would hold, planned (and its
 * prepared weights made, as the session would) but with neither arena nor
 * state allocated: the sizes an embedder needs before handing mote an
 * arena (mote_memory.arena) or choosing a budget. Fails as
 * mote_session_new would, MOTE_ERR_LIMIT included.
 */
MOTE_API mote_status mote_model_memory(const mote_model *m, const mote_session_options *opts,
                              mote_memory *out);
/* Bytes of prepared weights a model holds for all its sessions (0 before
 * the first session). */
MOTE_API size_t mote_model_prepared_bytes(const mote_model *m);

/*
 * A thread pool to share between sessions (the session option `pool`):
 * threads 0: MOTE_THREADS, else one per physical core; pin -1: MOTE_PIN,
 * 0: never, 1: pin. Sessions on one pool may be run from different
 * threads; their runs then take turns (one run at a time per pool).
 * Destroy it after every session using it is freed.
 */
MOTE_API mote_status mote_pool_create(int threads, int pin, mote_pool **out);
MOTE_API void mote_pool_destroy(mote_pool *p);

/* ----------------------------------------------------------- graph builder */

/*
 * Build a model in C and save it as .mote, or run it directly. Values are
 * identified by small integers; -1 stands for an absent optional input.
 * Op names and attribute semantics follow the ONNX operator specification.
 * Names are copied, weight data is copied.
 */
typedef struct mote_graph mote_graph;

MOTE_API mote_graph *mote_graph_new(void);
MOTE_API void mote_graph_free(mote_graph *g);

/* A model input; dims may hold -1 for a dimension chosen per session. */
MOTE_API int mote_graph_input(mote_graph *g, const char *name, mote_dtype dtype,
                     int ndim, const int64_t *dims);
/* A constant tensor (weight); data is copied. */
MOTE_API int mote_graph_weight(mote_graph *g, const char *name, mote_dtype dtype,
                      int ndim, const int64_t *dims, const void *data);
/*
 * Adds a node of ONNX op type `op` (e.g. "Conv"). out_names may be NULL
 * (outputs are then named "<name>:<k>"). The new output value ids are
 * stored in out_ids[0..n_out-1]. Returns the node id, or -1.
 */
MOTE_API int mote_graph_node(mote_graph *g, const char *op, const char *name,
                    int n_in, const int *in_ids,
                    int n_out, const char *const *out_names, int *out_ids);
/* Attributes of node `node`. */
MOTE_API mote_status mote_graph_attr_int(mote_graph *g, int node, const char *key, int64_t v);
MOTE_API mote_status mote_graph_attr_float(mote_graph *g, int node, const char *key, float v);
MOTE_API mote_status mote_graph_attr_string(mote_graph *g, int node, const char *key, const char *v);
MOTE_API mote_status mote_graph_attr_ints(mote_graph *g, int node, const char *key,
                                 int n, const int64_t *v);
MOTE_API mote_status mote_graph_attr_floats(mote_graph *g, int node, const char *key,
                                   int n, const float *v);
MOTE_API mote_status mote_graph_attr_strings(mote_graph *g, int node, const char *key,
                                    int n, const char *const *v);
/* Marks a value as a model output (in call order). */
MOTE_API mote_status mote_graph_output(mote_graph *g, int value);
/* Metadata stored in the file. */
MOTE_API mote_status mote_graph_meta_string(mote_graph *g, const char *key, const char *v);
MOTE_API mote_status mote_graph_meta_int(mote_graph *g, const char *key, int64_t v);
MOTE_API mote_status mote_graph_meta_float(mote_graph *g, const char *key, double v);

/* Number of values in the graph and a value's id by name (-1 if none). */
MOTE_API int mote_graph_find_value(const mote_graph *g, const char *name);
/*
 * Validates the graph: every input defined, no cycles, every op known,
 * attributes and (where shapes are known) shapes and dtypes consistent.
 */
MOTE_API mote_status mote_graph_check(const mote_graph *g);
/* Writes a .mote file atomically (temporary name, then rename). */
MOTE_API mote_status mote_graph_save(const mote_graph *g, const char *path);
/* Turns a graph into a model without a file; the model takes ownership of
 * g (also on failure, where g is freed). */
MOTE_API mote_status mote_model_from_graph(mote_graph *g, mote_model **out);

/* ------------------------------------------- session state (LLM decoders) */

/*
 * Stateful ops (a decoder's key/value cache) keep their state in session
 * memory across runs; the position of the tokens in a run is an input.
 * mote_session_reset clears that state (a new conversation).
 * mote_session_copy_state copies it from another session of the same
 * model (MOTE_ERR_ARG if the sessions are not of the same graph or their
 * state sizes differ). A decoder needs no copy: one session runs the
 * prompt, then mote_session_reshape to one token keeps the cache.
 */
MOTE_API mote_status mote_session_reset(mote_session *s);
MOTE_API mote_status mote_session_copy_state(mote_session *dst, const mote_session *src);

#ifdef __cplusplus
}
#endif
#endif /* MOTE_H */
