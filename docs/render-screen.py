#!/usr/bin/env python3
"""Renders a terminal screen captured with `tmux capture-pane -e -p` (text with SGR escapes) to
a PNG, cell by cell, with DejaVu Sans Mono: how docs/picker.png is made from a real terminal.

Usage: python3 docs/render-screen.py CAPTURE.ansi OUT.png
"""
import re
import sys
import unicodedata

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
SIZE = 15
BG, FG = (24, 26, 33), (220, 223, 228)
PALETTE = [(40, 42, 54), (230, 90, 90), (120, 200, 120), (235, 200, 90), (90, 140, 230),
           (200, 120, 220), (90, 200, 220), (220, 223, 228), (110, 115, 130), (255, 120, 120),
           (150, 230, 150), (255, 225, 120), (130, 170, 255), (230, 150, 250), (130, 230, 250),
           (255, 255, 255)]

text = open(sys.argv[1], encoding="utf-8", errors="replace").read().rstrip("\n").split("\n")
font, bold = ImageFont.truetype(FONT, SIZE), ImageFont.truetype(BOLD, SIZE)
cw = int(font.getlength("M"))
ch = SIZE + 5
cols = 150
img = Image.new("RGB", (cols * cw + 20, len(text) * ch + 20), BG)
draw = ImageDraw.Draw(img)


def color(n):
    return PALETTE[n] if n < 16 else FG


for row, line in enumerate(text):
    fg, bg, is_bold, rev = FG, None, False, False
    x = 0
    for part in re.split(r"(\x1b\[[0-9;]*m)", line):
        if part.startswith("\x1b["):
            codes = [int(c) if c else 0 for c in part[2:-1].split(";")]
            i = 0
            while i < len(codes):
                c = codes[i]
                if c == 0:
                    fg, bg, is_bold, rev = FG, None, False, False
                elif c == 1:
                    is_bold = True
                elif c == 7:
                    rev = True
                elif 30 <= c <= 37:
                    fg = color(c - 30)
                elif 90 <= c <= 97:
                    fg = color(c - 90 + 8)
                elif 40 <= c <= 47:
                    bg = color(c - 40)
                elif c == 39:
                    fg = FG
                elif c == 49:
                    bg = None
                elif c in (38, 48) and i + 2 < len(codes) and codes[i + 1] == 5:
                    value = color(codes[i + 2])
                    if c == 38:
                        fg = value
                    else:
                        bg = value
                    i += 2
                i += 1
            continue
        for char in part:
            wide = unicodedata.east_asian_width(char) in "WF"
            w = 2 if wide else 1
            f, b = (bg or BG, fg) if rev else (fg, bg)
            px, py = 10 + x * cw, 10 + row * ch
            if b is not None:
                draw.rectangle([px, py, px + w * cw, py + ch], fill=b)
            draw.text((px, py + 2), char, font=bold if is_bold else font, fill=f)
            x += w
img.save(sys.argv[2])
