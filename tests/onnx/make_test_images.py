#!/usr/bin/python3
"""make_test_images.py — draws the images tests/onnx/real_models.sh gives
the PP-OCRv4 models (tests/onnx/images/*.ppm; the files are committed, this
is how they were made, with Pillow and the DejaVu Sans font):

  text_line.ppm  one line of printed text, 320 x 48 (the recognizer's height)
  page.ppm       three short lines of text on a page, 256 x 160
"""
import os
import sys
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def main(out):
    os.makedirs(out, exist_ok=True)
    line = Image.new("RGB", (320, 48), "white")
    ImageDraw.Draw(line).text((8, 8), "mote reads 2026", fill="black", font=ImageFont.truetype(FONT, 28))
    line.save(os.path.join(out, "text_line.ppm"))
    page = Image.new("RGB", (256, 160), "white")
    d = ImageDraw.Draw(page)
    f = ImageFont.truetype(FONT, 18)
    for i, s in enumerate(("Inference in C", "one arena, no malloc", "ONNX Runtime 1.30")):
        d.text((16, 20 + 44 * i), s, fill="black", font=f)
    page.save(os.path.join(out, "page.ppm"))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "images"))
