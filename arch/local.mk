# arch/local.mk — the fast kernel tables, one folder per target; each file
# is compiled with its own ISA flags, and src/runtime/cpu.c picks a table at
# run time.
include arch/x86/local.mk
include arch/arm/local.mk
