#!/usr/bin/python3
"""Generates the OCR test fixtures and the two bundled demo images, with their expected text.

Deterministic: no randomness, fonts from Debian's fonts-dejavu-core and fonts-liberation, PIL from
python3-pil. Run from anywhere:

    tests/data/make_fixtures.py            # writes tests/data/ocr/ and packaging/examples/

Each image X.png gets X.txt: the text a reader should say, in reading order, one block per
paragraph (blank line between blocks). The French texts are public domain (La Fontaine, 1668;
Perrault, 1697; see ../shared/dys/texts/README.md); the English UI strings are written here.
"""

import os
import sys

from PIL import Image, ImageDraw, ImageFont

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
OCR_DIR = os.path.join(HERE, "ocr")
EXAMPLES_DIR = os.path.join(REPO, "packaging", "examples")

DEJAVU = "/usr/share/fonts/truetype/dejavu/"
LIBERATION = "/usr/share/fonts/truetype/liberation/"


def font(name, size):
    for d in (DEJAVU, LIBERATION):
        p = os.path.join(d, name)
        if os.path.exists(p):
            return ImageFont.truetype(p, size)
    sys.exit(f"font {name} not found: apt-get install fonts-dejavu-core fonts-liberation")


def wrap(draw, text, fnt, width):
    """Greedy word wrap to `width` pixels."""
    lines, line = [], ""
    for word in text.split():
        trial = (line + " " + word).strip()
        if draw.textlength(trial, font=fnt) <= width or not line:
            line = trial
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def draw_paragraph(draw, xy, text, fnt, width, fill, spacing=1.45):
    x, y = xy
    size = fnt.size
    lines = wrap(draw, text, fnt, width)
    for line in lines:
        draw.text((x, y), line, font=fnt, fill=fill)
        y += int(size * spacing)
    return y, lines


def button(draw, box, label, fnt, fill, outline, text_fill, radius=6):
    draw.rounded_rectangle(box, radius=radius, fill=fill, outline=outline, width=1)
    x0, y0, x1, y1 = box
    w = draw.textlength(label, font=fnt)
    bbox = fnt.getbbox(label)
    h = bbox[3] - bbox[1]
    draw.text((x0 + (x1 - x0 - w) / 2, y0 + (y1 - y0 - h) / 2 - bbox[1]), label, font=fnt,
              fill=text_fill)


def save(img, path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    img.save(path, optimize=True)
    with open(os.path.splitext(path)[0] + ".txt", "w", encoding="utf-8") as f:
        f.write(text.strip() + "\n")
    print(f"{os.path.relpath(path, REPO)}: {img.size[0]}x{img.size[1]} {img.mode}, "
          f"{os.path.getsize(path)} bytes")


def dialog_en(path):
    """A 600x200 English message box: title bar, message, three buttons."""
    img = Image.new("RGB", (600, 200), (246, 245, 244))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, 599, 39), fill=(222, 221, 218))
    d.line((0, 40, 599, 40), fill=(192, 191, 188))
    title = "Save changes to document?"
    tf = font("DejaVuSans-Bold.ttf", 17)
    d.text(((600 - d.textlength(title, font=tf)) / 2, 10), title, font=tf, fill=(36, 31, 49))
    mf = font("DejaVuSans.ttf", 17)
    msg = "Your changes to report.odt will be lost if you close without saving."
    _, lines = draw_paragraph(d, (28, 62), msg, mf, 544, (36, 31, 49))
    bf = font("DejaVuSans.ttf", 16)
    labels = ["Cancel", "Close Without Saving", "Save"]
    boxes = [(28, 140, 148, 176), (206, 140, 426, 176), (472, 140, 572, 176)]
    for label, box in zip(labels, boxes):
        blue = label == "Save"
        button(d, box, label, bf, (53, 132, 228) if blue else (255, 255, 255),
               (28, 113, 216) if blue else (200, 199, 196),
               (255, 255, 255) if blue else (36, 31, 49))
    text = title + "\n\n" + "\n".join(lines) + "\n\n" + " ".join(labels)
    save(img.convert("P", palette=Image.Palette.ADAPTIVE, colors=64), path, text)


MULTI_TITLE = "Reading in the school library"
MULTI_PARAS = [
    "The library opens at half past eight every morning. Pupils may borrow two books at a time "
    "and keep them for three weeks. Please bring them back on time so that others can read them "
    "too.",
    "Quiet reading takes place after lunch on Mondays and Thursdays. Each class has its own "
    "table near the windows, and the teacher chooses a short story to read aloud before the "
    "pupils choose their own books.",
    "New books arrive at the start of each term. If you would like the library to buy a "
    "particular title, write its name and author on a card and leave it in the blue box by the "
    "door.",
]


def multiblock(path):
    """A 1200x900 page: a title and three well separated paragraphs (streaming, cancel)."""
    img = Image.new("L", (1200, 900), 255)
    d = ImageDraw.Draw(img)
    tf = font("DejaVuSans-Bold.ttf", 36)
    d.text((80, 70), MULTI_TITLE, font=tf, fill=0)
    pf = font("DejaVuSerif.ttf", 22)
    y = 200
    blocks = [MULTI_TITLE]
    for para in MULTI_PARAS:
        y, lines = draw_paragraph(d, (80, y), para, pf, 1040, 20)
        blocks.append("\n".join(lines))
        y += 90
    save(img, path, "\n\n".join(blocks))


# La Fontaine, "La Cigale et la Fourmi" (1668), first lines, public domain. Kept inline so the
# fixtures do not depend on ../shared being present.
CIGALE = [
    "La Cigale et la Fourmi",
    "",
    "La Cigale, ayant chanté",
    "Tout l'été,",
    "Se trouva fort dépourvue",
    "Quand la bise fut venue :",
    "Pas un seul petit morceau",
    "De mouche ou de vermisseau.",
    "Elle alla crier famine",
    "Chez la Fourmi sa voisine,",
    "La priant de lui prêter",
    "Quelque grain pour subsister",
    "Jusqu'à la saison nouvelle.",
]

# Perrault, "Le Petit Chaperon rouge" (1697), opening, public domain.
CHAPERON = ("Il était une fois une petite fille de Village, la plus jolie qu'on eût su voir ; sa "
            "mère en était folle, et sa mère-grand plus folle encore. Cette bonne femme lui fit "
            "faire un petit chaperon rouge, qui lui seyait si bien, que partout on l'appelait le "
            "Petit Chaperon rouge.")


def french_text(path):
    """A short French school text with accents: a title and a fable's first lines."""
    img = Image.new("L", (760, 560), 255)
    d = ImageDraw.Draw(img)
    tf = font("LiberationSerif-Bold.ttf", 30)
    d.text((50, 36), CIGALE[0], font=tf, fill=0)
    bf = font("LiberationSerif-Regular.ttf", 24)
    y = 100
    for line in CIGALE[2:]:
        d.text((50, y), line, font=bf, fill=0)
        y += 36
    save(img, path, CIGALE[0] + "\n\n" + "\n".join(CIGALE[2:]))


def dark_theme(path):
    """A dark-theme application window: light text on a dark grey background."""
    img = Image.new("RGB", (800, 360), (36, 36, 36))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, 799, 44), fill=(48, 48, 48))
    tf = font("DejaVuSans-Bold.ttf", 17)
    d.text((24, 12), "Settings", font=tf, fill=(238, 238, 238))
    hf = font("DejaVuSans-Bold.ttf", 20)
    d.text((40, 80), "Accessibility", font=hf, fill=(255, 255, 255))
    bf = font("DejaVuSans.ttf", 17)
    para = ("Large text makes every label easier to read. The screen reader speaks the "
            "window under the pointer when you press the reading key.")
    y, lines = draw_paragraph(d, (40, 130), para, bf, 720, (222, 222, 222))
    rows = ["Large text: On", "Screen reader: Off"]
    y += 30
    for row in rows:
        d.text((40, y), row, font=bf, fill=(200, 200, 200))
        y += 36
    text = "Settings\n\nAccessibility\n\n" + "\n".join(lines) + "\n\n" + "\n".join(rows)
    save(img.convert("P", palette=Image.Palette.ADAPTIVE, colors=64), path, text)


def example_ecole_fr(path):
    """Demo: a French worksheet of a few lines (title, instruction, text)."""
    img = Image.new("L", (900, 520), 255)
    d = ImageDraw.Draw(img)
    tf = font("LiberationSans-Bold.ttf", 30)
    d.text((60, 40), "Lecture : Le Petit Chaperon rouge", font=tf, fill=0)
    inf = font("LiberationSans-Italic.ttf", 22)
    consigne = "Lis le texte à voix haute, puis réponds aux questions."
    d.text((60, 100), consigne, font=inf, fill=40)
    bf = font("LiberationSans-Regular.ttf", 24)
    y, lines = draw_paragraph(d, (60, 160), CHAPERON, bf, 780, 0, spacing=1.5)
    y += 30
    qs = ["1. Comment s'appelle la petite fille ?", "2. Qui lui a fait le chaperon rouge ?"]
    for q in qs:
        d.text((60, y), q, font=bf, fill=0)
        y += 40
    text = ("Lecture : Le Petit Chaperon rouge\n\n" + consigne + "\n\n" + "\n".join(lines) +
            "\n\n" + "\n".join(qs))
    save(img, path, text)


def example_ui_en(path):
    """Demo: an English UI screenshot: window title, a message, buttons."""
    img = Image.new("RGB", (640, 240), (250, 250, 250))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, 639, 42), fill=(53, 53, 53))
    tf = font("DejaVuSans-Bold.ttf", 16)
    title = "Software Update"
    d.text(((640 - d.textlength(title, font=tf)) / 2, 12), title, font=tf, fill=(255, 255, 255))
    hf = font("DejaVuSans-Bold.ttf", 19)
    d.text((32, 66), "Updates are ready to install", font=hf, fill=(30, 30, 30))
    mf = font("DejaVuSans.ttf", 16)
    msg = "Three updates are available. Your computer will restart after installing them."
    _, lines = draw_paragraph(d, (32, 104), msg, mf, 576, (60, 60, 60))
    bf = font("DejaVuSans.ttf", 16)
    labels = ["Remind Me Later", "Install Now"]
    button(d, (300, 180, 470, 216), labels[0], bf, (255, 255, 255), (190, 190, 190), (30, 30, 30))
    button(d, (488, 180, 608, 216), labels[1], bf, (38, 162, 105), (30, 130, 85), (255, 255, 255))
    text = (title + "\n\nUpdates are ready to install\n\n" + "\n".join(lines) + "\n\n" +
            " ".join(labels))
    save(img.convert("P", palette=Image.Palette.ADAPTIVE, colors=64), path, text)


def main():
    dialog_en(os.path.join(OCR_DIR, "dialog-en.png"))
    multiblock(os.path.join(OCR_DIR, "multiblock-en.png"))
    french_text(os.path.join(OCR_DIR, "cigale-fr.png"))
    dark_theme(os.path.join(OCR_DIR, "dark-en.png"))
    example_ecole_fr(os.path.join(EXAMPLES_DIR, "ecole-fr.png"))
    example_ui_en(os.path.join(EXAMPLES_DIR, "ui-en.png"))


if __name__ == "__main__":
    main()
