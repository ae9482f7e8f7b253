# src/instr.mk — the instruments: trace, profile, check-kernels, dot, and
# their shared per-node estimates (owner: instr).

libmote_core_la_SOURCES += src/instrument.c src/instrument.h

EXTRA_DIST += tests/test_instruments.sh

if HAVE_CLI
mote_SOURCES += src/cli/instr.c src/cli/instr.h src/cli/cmd_trace.c src/cli/cmd_profile.c \
	src/cli/cmd_check_kernels.c src/cli/cmd_dot.c

# tests/test_instruments.sh runs them on the bundled model and on a copy
# of it with one weight changed, which tests/instr_fixture writes.
check_PROGRAMS += tests/instr_fixture
tests_instr_fixture_SOURCES = tests/instr_fixture.c src/cli/pgm.c src/cli/pgm.h
tests_instr_fixture_LDADD = libmote_core.la -lm
TESTS += tests/test_instruments.sh
endif

# The numbers behind the instruments: hashes, statistics, FLOP estimates.
check_PROGRAMS += tests/test_instrument
tests_test_instrument_SOURCES = tests/test_instrument.c
tests_test_instrument_CFLAGS = $(TEST_CFLAGS)
tests_test_instrument_LDADD = $(TEST_LIBS)
TESTS += tests/test_instrument
