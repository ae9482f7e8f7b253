# src/format.mk — the .mote reader and writer (owner: format).
libmote_core_la_SOURCES += src/format.h src/format.c src/format_read.c src/format_cursor.h src/format_cursor.c src/format_write.c \
	src/crc32.h src/crc32.c

check_PROGRAMS += tests/test_format
tests_test_format_SOURCES = tests/test_format.c
tests_test_format_CFLAGS = $(TEST_CFLAGS)
tests_test_format_LDADD = $(TEST_LIBS)
TESTS += tests/test_format
