# arch/opencl/local.mk — the OpenCL kernels (built with --enable-opencl).
# The .cl files are concatenated into one program, in this order (common
# helpers first; conv.cl reuses gemm.cl's tile loop, llm.cl norm.cl's
# reduction), and embedded in the library as a string by embed_cl.sh; the
# host code that builds and runs them is in src/runtime/opencl/.
OPENCL_CL_FILES = $(srcdir)/arch/opencl/common.cl $(srcdir)/arch/opencl/gemm.cl \
	$(srcdir)/arch/opencl/conv.cl $(srcdir)/arch/opencl/elementwise.cl \
	$(srcdir)/arch/opencl/norm.cl $(srcdir)/arch/opencl/pool.cl \
	$(srcdir)/arch/opencl/llm.cl $(srcdir)/arch/opencl/probe.cl
EXTRA_DIST += arch/opencl/common.cl arch/opencl/gemm.cl arch/opencl/conv.cl \
	arch/opencl/elementwise.cl arch/opencl/norm.cl arch/opencl/pool.cl \
	arch/opencl/llm.cl arch/opencl/probe.cl arch/opencl/embed_cl.sh
if HAVE_OPENCL
nodist_libmote_core_la_SOURCES += arch/opencl/cl_source.c
BUILT_SOURCES += arch/opencl/cl_source.c
CLEANFILES += arch/opencl/cl_source.c
arch/opencl/cl_source.c: $(OPENCL_CL_FILES) $(srcdir)/arch/opencl/embed_cl.sh
	$(AM_V_GEN)$(MKDIR_P) arch/opencl && \
	$(SHELL) $(srcdir)/arch/opencl/embed_cl.sh $(OPENCL_CL_FILES) > $@-t && mv $@-t $@
endif
