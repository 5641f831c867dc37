#!/usr/bin/python3
"""Writes small images in every format and pixel layout the image loader must accept.

Usage: make_format_samples.py OUTDIR

Each image is 64x32: the left half (x < 32) is a known colour, the right half is white, or
transparent where the format has alpha (the loader composites it on white). image_loader_test
checks a pixel in each half after loading. Deterministic (PIL from python3-pil).
"""

import os
import sys

from PIL import Image

W, H = 64, 32
RED = (200, 30, 30)


def halves(mode, left, right):
    img = Image.new(mode, (W, H), right)
    img.paste(Image.new(mode, (W // 2, H), left), (0, 0))
    return img


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)

    def p(name):
        return os.path.join(out, name)

    rgb = halves("RGB", RED, (255, 255, 255))
    grey = halves("L", 50, 255)
    rgb.save(p("rgb.png"))
    grey.save(p("grey.png"))
    halves("1", 0, 1).save(p("bilevel.png"))
    rgb.convert("P", palette=Image.Palette.ADAPTIVE, colors=4).save(p("palette.png"))
    # Palette with a transparent entry (tRNS) for the right half.
    pal = rgb.convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
    pal.save(p("palette-trns.png"), transparency=pal.getpixel((W - 1, 0)))
    halves("RGBA", (30, 30, 200, 255), (0, 0, 0, 0)).save(p("rgba.png"))
    halves("LA", (0, 255), (0, 0)).save(p("grey-alpha.png"))
    # 16-bit grey: 0x3232 reduces to 0x32 = 50.
    halves("I;16", 0x3232, 0xFFFF).save(p("grey16.png"))
    # 16-bit RGB PNG: PIL cannot write it, so it comes from the raw rows.
    write_rgb16_png(p("rgb16.png"))
    rgb.save(p("rgb.jpg"), quality=95)
    grey.save(p("grey.jpg"), quality=95)
    halves("CMYK", (0, 220, 220, 40), (0, 0, 0, 0)).save(p("cmyk.jpg"), quality=95)
    rgb.save(p("rgb.tif"), compression="tiff_lzw")
    halves("1", 0, 1).save(p("bilevel-g4.tif"), compression="group4")
    rgb.save(p("rgb.bmp"))
    rgb.convert("P", palette=Image.Palette.ADAPTIVE, colors=4).save(p("palette.bmp"))
    rgb.convert("P", palette=Image.Palette.ADAPTIVE, colors=4).save(p("palette.gif"))
    # Several frames / pages: the first one is read.
    other = halves("RGB", (30, 200, 30), (0, 0, 0))
    first = rgb.convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
    first.save(p("animated.gif"), save_all=True, duration=100,
               append_images=[other.convert("P", palette=Image.Palette.ADAPTIVE, colors=4)])
    rgb.save(p("multipage.tif"), save_all=True, append_images=[other], compression="tiff_lzw")
    rgb.save(p("rgb.webp"), lossless=True)
    halves("RGBA", (30, 30, 200, 255), (0, 0, 0, 0)).save(p("rgba.webp"), lossless=True)
    grey.save(p("grey.pgm"))
    rgb.save(p("rgb.ppm"))


def write_rgb16_png(path):
    import struct
    import zlib

    rows = b""
    for _ in range(H):
        row = b"\x00"
        for x in range(W):
            r, g, b = RED if x < W // 2 else (255, 255, 255)
            row += struct.pack(">HHH", r * 257, g * 257, b * 257)
        rows += row

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 16, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


if __name__ == "__main__":
    main()
