# src/cli/local.mk — the mote command-line tool and .npy I/O (owner: cli).

# .npy reading and writing is part of the library (tests and embedders use it).
libmote_core_la_SOURCES += src/npy.c src/npy.h

check_PROGRAMS += tests/test_npy
tests_test_npy_SOURCES = tests/test_npy.c
tests_test_npy_CFLAGS = $(TEST_CFLAGS)
tests_test_npy_LDADD = $(TEST_LIBS)
TESTS += tests/test_npy

EXTRA_DIST += tests/test_cli.sh

if HAVE_CLI
bin_PROGRAMS += mote
# A new command: its cmd_NAME.c here and one line in src/cli/commands.def.
mote_SOURCES = src/cli/main.c src/cli/cli.h src/cli/commands.def src/cli/util.c \
	src/cli/cmd_info.c src/cli/cmd_run.c src/cli/cmd_verify.c src/cli/cmd_demo.c \
	src/cli/pgm.c src/cli/pgm.h
if HAVE_ONNX
mote_SOURCES += src/cli/cmd_convert.c
endif
mote_CPPFLAGS = $(AM_CPPFLAGS) -DMOTE_PKGDATADIR='"$(pkgdatadir)"'
mote_LDADD = libmote_core.la -lm
dist_man_MANS += docs/mote.1

# tests/test_cli.sh runs the built tool on models that tests/cli_fixture makes.
check_PROGRAMS += tests/cli_fixture
tests_cli_fixture_SOURCES = tests/cli_fixture.c
tests_cli_fixture_LDADD = libmote_core.la -lm
TESTS += tests/test_cli.sh
endif
