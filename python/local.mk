# python/local.mk — the `mote` Python module (ctypes over libmote), installed
# into Python's site directory when configure found Python 3 with numpy.
# _paths.py records where `make install` puts libmote and the mote tool.
EXTRA_DIST += python/README.md python/mote/__init__.py
if HAVE_PYTHON
motepydir = $(pythondir)/mote
motepy_PYTHON = python/mote/__init__.py
nodist_motepy_PYTHON = python/mote/_paths.py
noinst_DATA = python/mote/_paths.py
CLEANFILES += python/mote/_paths.py
python/mote/_paths.py: Makefile
	$(AM_V_GEN)$(MKDIR_P) python/mote && \
	{ echo '# written by make: where `make install` puts libmote and the mote tool'; \
	  echo "LIBRARY = '$(libdir)/libmote.so.0'"; \
	  echo "CLI = '$(bindir)/mote'"; } > $@
# tests/test_python.sh runs the suite with this interpreter (empty: skipped).
MOTE_TEST_PY = $(PYTHON)
else
MOTE_TEST_PY =
endif
