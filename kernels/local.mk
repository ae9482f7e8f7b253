# kernels/local.mk — portable reference kernels (owner: ops).
libmote_core_la_SOURCES += kernels/kernels.h
