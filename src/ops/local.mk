# src/ops/local.mk — operator definitions (owner: ops).
libmote_core_la_SOURCES +=
