# bench/local.mk — benchmark programs (owner: x86).
