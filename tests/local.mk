# tests/local.mk — Check unit tests (owner: core). Other areas add their own
# test programs in their fragments, with TEST_LIBS.
TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
TEST_LIBS = libmote_core.la $(CHECK_LIBS) -lm
check_PROGRAMS += tests/test_core
tests_test_core_SOURCES = tests/test_core.c tests/testutil.c tests/testutil.h
tests_test_core_CFLAGS = $(TEST_CFLAGS)
tests_test_core_LDADD = $(TEST_LIBS)
TESTS += tests/test_core
if !HAVE_CHECK
check-local:
	@echo "make check needs the Check library: apt-get install check, then re-run ./configure" >&2; exit 1
endif
check_PROGRAMS += tests/test_session
tests_test_session_SOURCES = tests/test_session.c tests/testutil.c tests/testutil.h
tests_test_session_CFLAGS = $(TEST_CFLAGS)
tests_test_session_LDADD = $(TEST_LIBS) -lpthread
TESTS += tests/test_session
# Cross builds run the test programs through configure's MOTE_TEST_RUNNER
# (e.g. qemu-aarch64); empty on a native build (arm engineer's line).
LOG_COMPILER = $(MOTE_TEST_RUNNER)
