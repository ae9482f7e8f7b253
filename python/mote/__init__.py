"""mote — Python bindings for the mote inference runtime.

A ctypes module over the shared library libmote (only the functions that
the installed header mote.h declares), so it needs no compiler and no
Python headers, and it keeps working across Python versions: the C API is
small, plain C and takes only handles, integers, strings and a flat tensor
struct, which ctypes describes exactly.

    import numpy as np, mote
    model = mote.Model("models/fashion/fashion.mote")
    print(model.inputs)            # [TensorInfo(name='image', dtype='f32', shape=(1, 1, 28, 28))]
    session = model.session(threads=1)
    out = session.run({"image": np.zeros((1, 1, 28, 28), np.float32)})
    print(out["logits"])

Outputs: session.run copies each output into a new array by default,
because the session's arena (where outputs live) is overwritten by the next
run. session.run(..., copy=False) returns read-only views into the arena
instead (no copy): the next run overwrites them; they keep the session's
memory alive (close() waits for them, reshape() refuses while they exist),
so a view never points at freed memory.

Errors raise mote.MoteError, whose message is mote's own (the file, node or
tensor at fault) and whose .status is the status name ("MOTE_ERR_FORMAT").
"""

import ctypes
import os
import shutil
import subprocess
import weakref
from collections import namedtuple

import numpy as np

__all__ = ["Model", "Session", "MoteError", "TensorInfo", "convert", "version"]

MAX_DIMS = 8


class MoteError(Exception):
    """A failed mote call: str(e) is mote's message, e.status its status name."""

    def __init__(self, message, status="MOTE_ERR_ARG"):
        super().__init__(message)
        self.status = status


TensorInfo = namedtuple("TensorInfo", "name dtype shape")
TensorInfo.__doc__ = "A model input or output: name, dtype name ('f32', ...), shape (None for an open dimension)."


class _Tensor(ctypes.Structure):
    _fields_ = [("dtype", ctypes.c_int),
                ("ndim", ctypes.c_int),
                ("dims", ctypes.c_int64 * MAX_DIMS),
                ("data", ctypes.c_void_p)]


class _SessionOptions(ctypes.Structure):
    _fields_ = [("threads", ctypes.c_int),
                ("pin", ctypes.c_int),
                ("isa", ctypes.c_char_p),
                ("arena", ctypes.c_void_p),
                ("arena_bytes", ctypes.c_size_t),
                ("input_shapes", ctypes.POINTER(_Tensor)),
                ("n_input_shapes", ctypes.c_int),
                ("max_bytes", ctypes.c_size_t)]


# mote dtype codes (mote.h, fixed by the file format) and their numpy types.
# bf16 has no numpy type: its raw 16-bit patterns travel as uint16.
_NP_OF_DTYPE = {1: np.float32, 2: np.float16, 3: np.uint16, 4: np.int8,
                5: np.uint8, 6: np.int32, 7: np.int64, 8: np.bool_}


def _installed_paths():
    try:
        import importlib
        return importlib.import_module(__name__ + "._paths")   # written by make
    except ImportError:
        return None


def _load_library():
    """libmote: $MOTE_LIBRARY, else the one `make install` recorded, else the loader's search."""
    candidates = []
    if os.environ.get("MOTE_LIBRARY"):
        candidates.append(os.environ["MOTE_LIBRARY"])
    p = _installed_paths()
    if p is not None:
        candidates.append(p.LIBRARY)
    candidates.append("libmote.so.0")
    errors = []
    for c in candidates:
        try:
            return ctypes.CDLL(c)
        except OSError as e:
            errors.append(str(e))
    raise ImportError("mote: cannot load libmote (" + "; ".join(errors) + "); set MOTE_LIBRARY to its path")


_lib = _load_library()


def _fn(name, restype, *argtypes):
    f = getattr(_lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


_c_model_p = ctypes.c_void_p
_c_session_p = ctypes.c_void_p
_last_error = _fn("mote_last_error", ctypes.c_char_p)
_status_name = _fn("mote_status_name", ctypes.c_char_p, ctypes.c_int)
_dtype_name = _fn("mote_dtype_name", ctypes.c_char_p, ctypes.c_int)
_model_open = _fn("mote_model_open", ctypes.c_int, ctypes.c_char_p, ctypes.POINTER(_c_model_p))
_model_verify = _fn("mote_model_verify", ctypes.c_int, ctypes.c_char_p)
_model_close = _fn("mote_model_close", None, _c_model_p)
_model_num_inputs = _fn("mote_model_num_inputs", ctypes.c_int, _c_model_p)
_model_num_outputs = _fn("mote_model_num_outputs", ctypes.c_int, _c_model_p)
_model_input = _fn("mote_model_input", ctypes.c_char_p, _c_model_p, ctypes.c_int, ctypes.POINTER(_Tensor))
_model_output = _fn("mote_model_output", ctypes.c_char_p, _c_model_p, ctypes.c_int, ctypes.POINTER(_Tensor))
_model_meta = _fn("mote_model_meta", ctypes.c_char_p, _c_model_p, ctypes.c_char_p)
_options_init = _fn("mote_session_options_init", None, ctypes.POINTER(_SessionOptions))
_session_new = _fn("mote_session_new", ctypes.c_int, _c_model_p, ctypes.POINTER(_SessionOptions),
                   ctypes.POINTER(_c_session_p))
_session_run = _fn("mote_session_run", ctypes.c_int, _c_session_p, ctypes.POINTER(_Tensor), ctypes.c_int)
_session_output = _fn("mote_session_output", ctypes.c_int, _c_session_p, ctypes.c_int, ctypes.POINTER(_Tensor))
_session_free = _fn("mote_session_free", None, _c_session_p)
_session_arena_bytes = _fn("mote_session_arena_bytes", ctypes.c_size_t, _c_session_p)
_session_isa = _fn("mote_session_isa", ctypes.c_char_p, _c_session_p)
_session_threads = _fn("mote_session_threads", ctypes.c_int, _c_session_p)
_session_reset = _fn("mote_session_reset", ctypes.c_int, _c_session_p)
# In-place replanning (mote_session_reshape) is newer than the rest of the
# API: used when the library has it, else reshape makes a new session.
_session_reshape = (_fn("mote_session_reshape", ctypes.c_int, _c_session_p, ctypes.POINTER(_Tensor),
                        ctypes.c_int) if hasattr(_lib, "mote_session_reshape") else None)


def version():
    """The version of this module ("0.1.0")."""
    return "0.1.0"


def _check(status):
    if status != 0:
        msg = (_last_error() or b"").decode("utf-8", "replace")
        name = (_status_name(status) or b"MOTE_ERR_?").decode()
        raise MoteError(msg or name, name)


def _info(getter, handle, i):
    t = _Tensor()
    name = getter(handle, i, ctypes.byref(t))
    dtype = (_dtype_name(t.dtype) or b"?").decode()
    shape = tuple(None if t.dims[k] < 0 else int(t.dims[k]) for k in range(t.ndim))
    return TensorInfo(name.decode("utf-8", "replace"), dtype, shape)


class Model:
    """A .mote model, mapped and validated (mote_model_open). Read-only; any
    number of sessions may be made from it. close() or a with-block frees it
    once its sessions are gone."""

    def __init__(self, path):
        self._h = None
        self._closed = False
        self._sessions = weakref.WeakSet()   # sessions whose C handle is alive
        self.path = os.fspath(path)
        h = _c_model_p()
        _check(_model_open(os.fsencode(self.path), ctypes.byref(h)))
        self._h = h
        self.inputs = [_info(_model_input, h, i) for i in range(_model_num_inputs(h))]
        self.outputs = [_info(_model_output, h, i) for i in range(_model_num_outputs(h))]
        self._input_codes = []
        for i in range(len(self.inputs)):
            t = _Tensor()
            _model_input(h, i, ctypes.byref(t))
            self._input_codes.append(t.dtype)

    def meta(self, key):
        """A metadata value as text ("producer", "labels", ...), or None."""
        self._live()
        v = _model_meta(self._h, key.encode())
        return None if v is None else v.decode("utf-8", "replace")

    def session(self, threads=0, isa=None, pin=None, shapes=None, max_bytes=0):
        """A session (mote_session_new). threads 0: MOTE_THREADS, else one per
        physical core; isa None: MOTE_ISA, else the best ("ref", "avx2", ...);
        pin None: MOTE_PIN; shapes: {input name: shape} for open dimensions;
        max_bytes 0: the default memory budget."""
        return Session(self, threads=threads, isa=isa, pin=pin, shapes=shapes, max_bytes=max_bytes)

    @staticmethod
    def verify(path):
        """Checks every checksum of a .mote file (weights included); raises MoteError if one fails."""
        _check(_model_verify(os.fsencode(os.fspath(path))))

    def _live(self):
        if self._h is None or self._closed:
            raise MoteError("mote: the model is closed")

    def close(self):
        """No new sessions from now on; the mapping is freed at once, or
        when the last session made from it is freed."""
        self._closed = True
        if self._h is not None and not any(s._h is not None for s in self._sessions):
            _model_close(self._h)
            self._h = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        # sessions hold a reference to their model, so none is left here
        if self._h is not None:
            _model_close(self._h)
            self._h = None

    def __repr__(self):
        return "mote.Model(%r)" % self.path


class _ArenaView:
    """Exposes output bytes in a session's arena to numpy without a copy,
    and keeps the session alive while an array uses them."""

    def __init__(self, owner, addr, shape, dtype):
        self._owner = owner
        self.__array_interface__ = {"version": 3, "shape": tuple(shape),
                                    "typestr": np.dtype(dtype).str,
                                    "data": (addr, True)}   # read-only


class Session:
    """One prepared run of a model: shapes fixed, kernels chosen, one arena.
    Used by one thread at a time."""

    def __init__(self, model, threads=0, isa=None, pin=None, shapes=None, max_bytes=0):
        self._h = None
        self._closed = False
        self._views = weakref.WeakSet()      # _ArenaView objects still in use
        model._live()
        self.model = model
        self._opts = dict(threads=threads, isa=isa, pin=pin, max_bytes=max_bytes)
        self._make(shapes)

    def _shape_array(self, shapes):
        """One mote_tensor per model input: the given shape, else the model's."""
        names = [i.name for i in self.model.inputs]
        unknown = [k for k in shapes if k not in names]
        if unknown:
            raise MoteError("mote: the model has no input named '%s' (inputs: %s)"
                            % (unknown[0], ", ".join(names)))
        arr = (_Tensor * max(len(names), 1))()
        for i, info in enumerate(self.model.inputs):
            shape = shapes.get(info.name, info.shape)
            if len(shape) > MAX_DIMS:
                raise MoteError("mote: input '%s': rank %d is over %d" % (info.name, len(shape), MAX_DIMS))
            arr[i].dtype = self.model._input_codes[i]
            arr[i].ndim = len(shape)
            for k, d in enumerate(shape):
                arr[i].dims[k] = -1 if d is None else int(d)
        return arr

    def _make(self, shapes):
        o = _SessionOptions()
        _options_init(ctypes.byref(o))
        if self._opts["threads"]:
            o.threads = int(self._opts["threads"])
        if self._opts["pin"] is not None:
            o.pin = 1 if self._opts["pin"] else 0
        if self._opts["isa"] is not None:
            o.isa = self._opts["isa"].encode()
        if self._opts["max_bytes"]:
            o.max_bytes = int(self._opts["max_bytes"])
        arr = None
        if shapes:
            arr = self._shape_array(shapes)
            o.input_shapes = arr
            o.n_input_shapes = len(self.model.inputs)
        h = _c_session_p()
        _check(_session_new(self.model._h, ctypes.byref(o), ctypes.byref(h)))
        self._h = h
        self.model._sessions.add(self)
        self._shapes = dict(shapes) if shapes else {}

    @property
    def isa(self):
        """The kernel table in use: "ref", "avx2", "avx512", "neon"."""
        self._live()
        return _session_isa(self._h).decode()

    @property
    def threads(self):
        self._live()
        return _session_threads(self._h)

    @property
    def arena_bytes(self):
        """Bytes of the one arena that holds every intermediate tensor."""
        self._live()
        return _session_arena_bytes(self._h)

    def _live(self):
        if self._h is None or self._closed:
            raise MoteError("mote: the session is closed")

    def run(self, inputs, copy=True):
        """Runs the model on {input name: array} (every input, each of the
        input's dtype and the session's shape; arrays of another dtype are
        converted only where numpy's "safe" casting allows; lists and
        scalars are taken as the input's dtype). Returns
        {output name: ndarray}: copies by default; with copy=False,
        read-only views into the arena, which the next run overwrites
        (close() waits for them; reshape() refuses while they exist)."""
        self._live()
        names = [i.name for i in self.model.inputs]
        unknown = [k for k in inputs if k not in names]
        if unknown:
            raise MoteError("mote: the model has no input named '%s' (inputs: %s)"
                            % (unknown[0], ", ".join(names)))
        missing = [n for n in names if n not in inputs]
        if missing:
            raise MoteError("mote: input '%s' is missing" % missing[0])
        ts = (_Tensor * len(names))()
        keep = []
        for i, name in enumerate(names):
            code = self.model._input_codes[i]
            want = np.dtype(_NP_OF_DTYPE[code])
            v = inputs[name]
            # lists and scalars take the input's dtype; arrays keep theirs
            a = np.asarray(v) if isinstance(v, np.ndarray) else np.asarray(v, dtype=want)
            if a.dtype != want:
                if not np.can_cast(a.dtype, want, "safe"):
                    raise MoteError("mote: input '%s' is %s, the model wants %s"
                                    % (name, a.dtype, self.model.inputs[i].dtype), "MOTE_ERR_SHAPE")
                a = a.astype(want)
            a = np.ascontiguousarray(a)
            if a.ndim > MAX_DIMS:
                raise MoteError("mote: input '%s': rank %d is over %d" % (name, a.ndim, MAX_DIMS), "MOTE_ERR_SHAPE")
            keep.append(a)
            ts[i].dtype = code
            ts[i].ndim = a.ndim
            for k, d in enumerate(a.shape):
                ts[i].dims[k] = d
            ts[i].data = a.ctypes.data
        _check(_session_run(self._h, ts, len(names)))
        out = {}
        for i, info in enumerate(self.model.outputs):
            t = _Tensor()
            _check(_session_output(self._h, i, ctypes.byref(t)))
            shape = tuple(int(t.dims[k]) for k in range(t.ndim))
            dt = _NP_OF_DTYPE.get(t.dtype)
            if dt is None:
                raise MoteError("mote: output '%s' has dtype code %d, which numpy cannot hold" % (info.name, t.dtype))
            n = int(np.prod(shape, dtype=np.int64)) if shape else 1
            if n == 0 or not t.data:
                a = np.zeros(shape, dt)
            else:
                view = _ArenaView(self, t.data, shape, dt)
                a = np.asarray(view)
                if copy:
                    a = a.copy()
                else:
                    self._views.add(view)
            out[info.name] = a
        return out

    def reshape(self, shapes):
        """New shapes for the inputs whose dimensions the model leaves open
        ({input name: shape}). With mote_session_reshape in the library the
        session is replanned in place (prepared weights and state kept);
        without it a new session with the same options (threads, ISA,
        budget) replaces the old one. Views from copy=False runs become
        invalid. A failed reshape leaves the session as it was."""
        self._live()
        if len(self._views):
            raise MoteError("mote: %d output view(s) from run(copy=False) still use this "
                            "session's arena; delete them (or run with copy=True) before "
                            "reshape" % len(self._views))
        merged = dict(self._shapes)
        merged.update(shapes)
        if _session_reshape is not None:
            arr = self._shape_array(merged)
            _check(_session_reshape(self._h, arr, len(self.model.inputs)))
            self._shapes = merged
            return
        self._shape_array(merged)   # unknown names fail before anything changes
        old = self._h
        self._h = None
        try:
            self._make(merged)
        except Exception:
            self._h = old
            raise
        _session_free(old)

    def reset(self):
        """Clears stateful ops' state (an LLM's key/value cache)."""
        self._live()
        _check(_session_reset(self._h))

    def close(self):
        """No more runs; the session is freed at once, or, while output
        views from run(copy=False) are alive, when the last one goes."""
        self._closed = True
        if self._h is not None and not len(self._views):
            self._free()

    def _free(self):
        _session_free(self._h)
        self._h = None
        if self.model._closed:
            self.model.close()   # the model waited for its sessions

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        if self._h is not None:
            self._free()


def _mote_cli():
    if os.environ.get("MOTE_CLI"):
        return os.environ["MOTE_CLI"]
    p = _installed_paths()
    if p is not None and os.path.exists(p.CLI):
        return p.CLI
    found = shutil.which("mote")
    if found is None:
        raise MoteError("mote: the 'mote' command-line tool was not found (set MOTE_CLI to its path)", "MOTE_ERR_IO")
    return found


def convert(src, dst, optimize=True, tokenizer=None):
    """Converts an ONNX model, a llama GGUF file or a llama2.c checkpoint
    (tokenizer: its tokenizer.bin) to a .mote file. The importers are part
    of the `mote` tool, not of libmote's public API, so this runs
    `mote convert SRC DST`; a failure raises MoteError with the tool's
    message, and no output file is left."""
    cmd = [_mote_cli(), "convert"]
    if not optimize:
        cmd.append("--no-optimize")
    if tokenizer is not None:
        cmd += ["--tokenizer", os.fspath(tokenizer)]
    cmd += [os.fspath(src), os.fspath(dst)]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        # the tool's message, without its progress lines ("convert: ...")
        lines = [l for l in r.stderr.decode("utf-8", "replace").replace("\r", "\n").splitlines()
                 if l.strip() and not l.startswith("convert:")]
        msg = "\n".join(lines) or ("mote convert exited %d" % r.returncode)
        raise MoteError(msg, "MOTE_ERR_FORMAT" if r.returncode == 1 else "MOTE_ERR_ARG")
