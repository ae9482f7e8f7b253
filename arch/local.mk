# arch/local.mk — per-ISA kernel tables, each file compiled with its own flags (owner: x86 / arm).
include arch/arm/local.mk
