# src/graph/local.mk — the graph IR and what every layer uses: tensors and
# dtypes, errors, checked size arithmetic.
libmote_core_la_SOURCES += src/mote.h \
	src/graph/graph.h src/graph/graph.c src/graph/graph_rewrite.c src/graph/dtype.c src/graph/error.c \
	src/graph/version.c \
	src/graph/internal.h
