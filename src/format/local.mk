# src/format/local.mk — files on disk: the .mote reader (bounds-checked
# cursor), writer and shared rules, CRC-32, and numpy .npy files.
libmote_core_la_SOURCES += src/format/format.h src/format/format.c \
	src/format/reader.c src/format/writer.c src/format/cursor.h src/format/cursor.c \
	src/format/crc32.h src/format/crc32.c src/format/npy.h src/format/npy.c \
	src/format/detect.h src/format/detect.c
