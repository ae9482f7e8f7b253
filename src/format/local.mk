# src/format/local.mk — files on disk: the .mote reader (bounds-checked
# cursor), writer and shared rules, CRC-32, numpy .npy files, and the table
# of temporary files being written (the CLI removes them on a signal).
libmote_core_la_SOURCES += src/format/format.h src/format/format.c \
	src/format/reader.c src/format/writer.c src/format/cursor.h src/format/cursor.c \
	src/format/crc32.h src/format/crc32.c src/format/npy.h src/format/npy.c \
	src/format/detect.h src/format/detect.c \
	src/format/tempfiles.h src/format/tempfiles.c
