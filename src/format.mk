# src/format.mk — the .mote reader and writer (owner: format).
libmote_core_la_SOURCES +=
