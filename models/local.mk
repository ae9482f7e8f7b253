# models/local.mk — the bundled default model: models/fashion (a
# Fashion-MNIST CNN). train.py (Python, run by hand to retrain) writes
# weights.bin, accuracy.txt and the samples; build_fashion turns the weights
# into fashion.mote with the graph-builder API. The outputs are committed, so
# building and testing need no Python. Retrain:
# /usr/bin/python3 models/fashion/train.py (after `make`).
noinst_PROGRAMS += models/fashion/build_fashion
models_fashion_build_fashion_SOURCES = models/fashion/build_fashion.c
models_fashion_build_fashion_LDADD = libmote_core.la

fashiondir = $(pkgdatadir)/fashion
dist_fashion_DATA = models/fashion/fashion.mote models/fashion/accuracy.txt
fashionsamplesdir = $(pkgdatadir)/fashion/samples
dist_fashionsamples_DATA = \
	models/fashion/samples/00_tshirt.pgm models/fashion/samples/01_trouser.pgm \
	models/fashion/samples/02_pullover.pgm models/fashion/samples/03_dress.pgm \
	models/fashion/samples/04_coat.pgm models/fashion/samples/05_sandal.pgm \
	models/fashion/samples/06_shirt.pgm models/fashion/samples/07_sneaker.pgm \
	models/fashion/samples/08_bag.pgm models/fashion/samples/09_ankle_boot.pgm \
	models/fashion/samples/logits.txt
EXTRA_DIST += models/fashion/README.md models/fashion/train.py \
	models/fashion/weights.bin models/fashion/weights.txt
