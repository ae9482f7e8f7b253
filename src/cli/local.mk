# src/cli/local.mk — the mote command-line tool: one cmd_NAME.c per command
# (listed in commands.def), the instruments' shared output code, PGM input.
if HAVE_CLI
bin_PROGRAMS += mote
mote_SOURCES = src/cli/main.c src/cli/cli.h src/cli/commands.def src/cli/util.c \
	src/cli/pgm.c src/cli/pgm.h src/cli/instr.c src/cli/instr.h \
	src/cli/cmd_info.c src/cli/cmd_run.c src/cli/cmd_verify.c src/cli/cmd_demo.c \
	src/cli/cmd_convert.c src/cli/cmd_convert_gguf.c src/cli/cmd_convert_tflite.c src/cli/cmd_llama.c src/cli/cmd_generate.c src/cli/cmd_quantize.c src/cli/cmd_quantize_int8.c \
	src/cli/cmd_trace.c src/cli/cmd_profile.c src/cli/cmd_check_kernels.c src/cli/cmd_bench.c \
	src/cli/cmd_dot.c src/cli/json.c src/cli/json.h src/cli/progress.c src/cli/progress.h \
	src/cli/cli_devices.c \
	src/cli/cli_convert.h src/cli/convert_check.c \
	src/cli/cmd_classify.c src/cli/image.c src/cli/image.h
mote_CPPFLAGS = $(AM_CPPFLAGS) $(PNG_CFLAGS) $(JPEG_CFLAGS) -DMOTE_PKGDATADIR='"$(pkgdatadir)"'
mote_LDADD = libmote_core.la $(PNG_LIBS) $(JPEG_LIBS) -lm
dist_man_MANS += docs/mote.1
endif
