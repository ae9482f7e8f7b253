# arch/local.mk — the fast kernel tables, one folder per target; each file
# is compiled with its own ISA flags, and src/runtime/cpu.c picks a table at
# run time. arch/opencl holds the OpenCL kernels (src/runtime/opencl
# builds and runs them).
include arch/x86/local.mk
include arch/arm/local.mk
include arch/opencl/local.mk
