#!/usr/bin/python3
"""Generates the OcrEngine test fixtures in tests/data/ocr/engine/: one small image per hard case
of issue 3 (dark theme, 8 px text, coloured buttons, a form, two columns, a rotated and vignetted
worksheet photo, French accents) with its expected text in reading order (X.png -> X.txt), and
the pages of paper of issue 12: a French page at print size with a pale yellow title, a light
blue subtitle and two columns on toned, noisy paper (page-fr.jpg), the same page turned a quarter
counter-clockwise in its pixels (page-fr-rot90.jpg), and stored sideways with EXIF Orientation 6
as a phone does (page-fr-exif6.jpg); a terminal listing, a form's dotted lines, and a magazine
page with its title below two columns of unequal length (headline-below.jpg), French colons
spaced on both sides (french-colons.png).

Deterministic (fixed seed, Debian fonts from fonts-dejavu-core and fonts-liberation, PIL from
python3-pil). The texts are written for these tests. Run: tests/ocr/engine/make_engine_fixtures.py
"""

import math
import os
import random

from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(os.path.dirname(HERE)), "data", "ocr", "engine")
DEJAVU = "/usr/share/fonts/truetype/dejavu/"
LIBERATION = "/usr/share/fonts/truetype/liberation/"


def font(path, size):
    return ImageFont.truetype(path, size)


def wrap(text, fnt, width):
    lines, cur = [], ""
    for word in text.split():
        trial = (cur + " " + word).strip()
        if fnt.getlength(trial) <= width or not cur:
            cur = trial
        else:
            lines.append(cur)
            cur = word
    if cur:
        lines.append(cur)
    return lines


def paragraph(draw, x, y, text, fnt, width, fill, leading=1.45):
    size = fnt.size
    for line in wrap(text, fnt, width):
        draw.text((x, y), line, font=fnt, fill=fill)
        y += int(size * leading)
    return y


def scanned(page, rnd, noise):
    """`page` as a scanner or camera sees it: grey sensor noise of +-`noise` levels per pixel (from
    `rnd`, so fixtures are reproducible), then a slight blur."""
    px = page.load()
    w, h = page.size
    for y in range(h):
        for x in range(w):
            r, g, b = px[x, y]
            n = rnd.randint(-noise, noise)
            px[x, y] = (max(0, min(255, r + n)), max(0, min(255, g + n)), max(0, min(255, b + n)))
    return page.filter(ImageFilter.GaussianBlur(0.6))


def save(name, img, truth, **kw):
    os.makedirs(OUT, exist_ok=True)
    img.save(os.path.join(OUT, name), **kw)
    stem = os.path.splitext(name)[0]
    with open(os.path.join(OUT, stem + ".txt"), "w", encoding="utf-8") as f:
        f.write(truth.strip() + "\n")


EN1 = ("The library opens at nine on weekdays and closes early on Saturday. Members can borrow six "
       "books at a time and keep them for three weeks.")
EN2 = ("Please return the laptops to the charging cupboard before you leave, and report any broken "
       "keys to the front desk.")
FR1 = ("L'élève a déjà préparé sa leçon : il relit à voix haute les phrases où l'on entend « é », "
       "« è » et « ê ». Ça l'aide à mémoriser l'orthographe des mots difficiles.")


def dark_theme():
    f = font(DEJAVU + "DejaVuSans.ttf", 13)
    fb = font(DEJAVU + "DejaVuSans-Bold.ttf", 16)
    img = Image.new("RGB", (560, 190), "#1e1e1e")
    d = ImageDraw.Draw(img)
    d.text((16, 12), "Opening hours", font=fb, fill="#f0f0f0")
    y = paragraph(d, 16, 44, EN1, f, 520, "#e2e2e2")
    paragraph(d, 16, y + 10, EN2, f, 520, "#e2e2e2")
    save("dark-theme.png", img, "Opening hours\n" + EN1 + "\n" + EN2)


def small_text():
    f = font(LIBERATION + "LiberationSans-Regular.ttf", 8)
    img = Image.new("RGB", (330, 60), "#f6f5f4")
    d = ImageDraw.Draw(img)
    paragraph(d, 8, 8, EN1, f, 310, "#2e3436", leading=1.4)
    save("small-8px.png", img, EN1)


def buttons():
    f = font(LIBERATION + "LiberationSans-Regular.ttf", 13)
    img = Image.new("RGB", (640, 120), "#eef4ec")
    d = ImageDraw.Draw(img)
    tabs = ["General", "Sound", "Keyboard"]
    x = 16
    for t in tabs:
        d.text((x, 14), t, font=f, fill="#1f3d1f")
        x += int(f.getlength(t)) + 36
    d.line((12, 40, 628, 40), fill="#b8c4b5", width=1)
    labels = [("Save settings", "#2e7d32"), ("Cancel", "#c62828"), ("Read aloud", "#1565c0"),
              ("Help", "#6a1b9a")]
    x = 16
    for text, colour in labels:
        w = int(f.getlength(text)) + 28
        d.rounded_rectangle((x, 62, x + w, 92), radius=14, fill=colour)
        d.text((x + 14, 69), text, font=f, fill="#ffffff")
        x += w + 14
    truth = " ".join(tabs) + "\n" + " ".join(t for t, _ in labels)
    save("buttons.png", img, truth)


def form():
    f = font(LIBERATION + "LiberationSans-Regular.ttf", 13)
    fb = font(LIBERATION + "LiberationSans-Bold.ttf", 16)
    rows = [("First name", "Amelia"), ("Class", "Year five"), ("Favourite book", "The Hobbit"),
            ("Reading speed", "Slow")]
    img = Image.new("RGB", (520, 60 + 36 * len(rows)), "#fafafa")
    d = ImageDraw.Draw(img)
    d.text((16, 12), "Pupil profile", font=fb, fill="#202020")
    y = 48
    for label, value in rows:
        d.text((16, y + 6), label, font=f, fill="#303030")
        d.rectangle((200, y, 470, y + 26), outline="#9a9a9a", fill="#ffffff")
        d.text((208, y + 6), value, font=f, fill="#202020")
        y += 36
    truth = "Pupil profile\n" + "\n".join(f"{l} {v}" for l, v in rows)
    save("form.png", img, truth)


def two_columns():
    f = font(DEJAVU + "DejaVuSans.ttf", 12)
    fb = font(DEJAVU + "DejaVuSans-Bold.ttf", 17)
    left = ("Rivers carry rain from the hills down to the sea. Along the way they shape valleys, "
            "feed farms and give towns their water.")
    right = ("Most large cities grew beside a river, because boats were the cheapest way to move "
             "heavy goods before railways were built.")
    img = Image.new("RGB", (700, 150), "#ffffff")
    d = ImageDraw.Draw(img)
    d.text((16, 10), "Rivers and towns", font=fb, fill="#111111")
    paragraph(d, 16, 48, left, f, 300, "#222222")
    paragraph(d, 370, 48, right, f, 300, "#222222")
    save("two-columns.png", img, "Rivers and towns\n" + left + "\n" + right)


def worksheet_photo():
    rnd = random.Random(7)
    f = font(DEJAVU + "DejaVuSerif.ttf", 34)
    fb = font(DEJAVU + "DejaVuSerif-Bold.ttf", 42)
    q = ["1. Where does the river start?", "2. Name two towns it passes through.",
         "3. Why did people build mills by the water?"]
    page = Image.new("L", (1300, 700), 255)
    d = ImageDraw.Draw(page)
    d.text((80, 50), "Geography: Rivers", font=fb, fill=20)
    y = 150
    for line in q:
        d.text((80, y), line, font=f, fill=25)
        y += 110
    page = page.rotate(-2.0, resample=Image.BICUBIC, expand=False, fillcolor=255)
    page = page.filter(ImageFilter.GaussianBlur(0.8))
    # Paper tone, vignetting and sensor noise of a phone photo.
    w, h = page.size
    px = page.load()
    cx, cy = w / 2, h / 2
    rmax = math.hypot(cx, cy)
    for yy in range(h):
        for xx in range(w):
            r = math.hypot(xx - cx, yy - cy) / rmax
            shade = 0.93 - 0.35 * r * r
            v = px[xx, yy] * shade + rnd.gauss(0, 6)
            px[xx, yy] = max(0, min(255, int(v)))
    save("worksheet-photo.jpg", page.convert("RGB"), "Geography: Rivers\n" + "\n".join(q),
         quality=80)


def french():
    f = font(DEJAVU + "DejaVuSans.ttf", 14)
    img = Image.new("RGB", (560, 110), "#ffffff")
    d = ImageDraw.Draw(img)
    paragraph(d, 14, 12, FR1, f, 530, "#1a1a1a")
    save("french-accents.png", img, FR1)


def french_colons():
    """A French worksheet on screen (web page at 1x): a space on both sides of each colon, so the
    colon stands further from the letters than a full stop, and a dotted line to write on."""
    f = font(DEJAVU + "DejaVuSans.ttf", 13)
    fb = font(DEJAVU + "DejaVuSans-Bold.ttf", 13)
    rows = ["Une partie de cette eau se transforme en vapeur : c'est",
            "l'évaporation. Elle forme des nuages : c'est la condensation."]
    img = Image.new("RGB", (520, 100), "#ffffff")
    d = ImageDraw.Draw(img)
    d.text((14, 10), "Nom :", font=fb, fill="#1a1a1a")
    d.text((14 + fb.getlength("Nom : "), 10), "........................", font=f, fill="#1a1a1a")
    for k, row in enumerate(rows):
        d.text((14, 40 + 20 * k), row, font=f, fill="#1a1a1a")
    save("french-colons.png", img, "Nom : ........................\n" + "\n".join(rows))


def english():
    f = font(DEJAVU + "DejaVuSans.ttf", 14)
    img = Image.new("RGB", (560, 90), "#ffffff")
    d = ImageDraw.Draw(img)
    paragraph(d, 14, 12, EN2, f, 530, "#1a1a1a")
    save("english.png", img, EN2)


def pronoun_i():
    """The pronoun I in a sans-serif font, where the capital is a plain bar like '|'."""
    f = font(DEJAVU + "DejaVuSans.ttf", 13)
    img = Image.new("RGB", (560, 70), "#ffffff")
    d = ImageDraw.Draw(img)
    text = ("When I reflect upon the number of people I have met, I am moved to say that I "
            "think I know them, but I do not.")
    paragraph(d, 12, 10, text, f, 530, "#222222")
    save("pronoun-i.png", img, text)


def cards():
    """Two cards with a pale rounded border and tightly spaced lines: at a low ink threshold the
    letters of consecutive lines touch, which must not be taken for rules or frames."""
    f = font(DEJAVU + "DejaVuSans.ttf", 13)
    fb = font(DEJAVU + "DejaVuSans-Bold.ttf", 13)
    img = Image.new("RGB", (640, 120), "#fafafa")
    d = ImageDraw.Draw(img)
    texts = [("Signal", ["Everything you have learned in school", "as obvious becomes less and less",
                         "obvious as you begin to study it"]),
             ("Shortcuts", ["Economists state their growth figures", "to the nearest tenth of a point",
                            "to prove they have a sense of humour"])]
    truth = []
    for i, (title, lines) in enumerate(texts):
        x = 10 + i * 315
        d.rounded_rectangle((x, 10, x + 300, 108), radius=8, outline="#d4d4d4", fill="#ffffff")
        d.text((x + 14, 20), title, font=fb, fill="#333333")
        y = 44
        for line in lines:
            d.text((x + 14, y), line, font=f, fill="#444444")
            y += 15
        truth.append(title + "\n" + "\n".join(lines))
    save("cards.png", img, "\n".join(truth))


def pronoun_il():
    """The French pronoun Il in sans-serif fonts, where I and l are the same bar (read 'I!')."""
    lines = []
    img = Image.new("L", (720, 200), 255)
    d = ImageDraw.Draw(img)
    y = 10
    for path in (LIBERATION + "LiberationSans-Regular.ttf", DEJAVU + "DejaVuSans.ttf"):
        f = font(path, 24)
        for text in ("Il était une fois une petite fille de Village, la plus jolie",
                     "Ils allaient au bois, et il faisait beau ce jour-là."):
            d.text((12, y), text, font=f, fill=0)
            lines.append(text)
            y += 44
    save("pronoun-il.png", img, "\n".join(lines))


FR_LEFT = ("Le matin, les élèves arrivent à l'école avant huit heures et demie. Ils rangent leur "
           "cartable sous le porte-manteau, puis ils écrivent la date au tableau.")
FR_RIGHT = ("L'après-midi, la classe va à la bibliothèque du quartier. Chacun choisit un livre et le "
            "raconte ensuite aux autres, en trois phrases courtes.")


def paper_page():
    """A page of paper as a scanner or a phone sees it: print-size text (about 300 dpi), a pale
    yellow title and a light blue subtitle, two columns, paper tone and sensor noise. Saved
    upright, turned a quarter in its pixels, and stored sideways with EXIF Orientation 6."""
    rnd = random.Random(12)
    f = font(DEJAVU + "DejaVuSerif.ttf", 34)
    ft = font(DEJAVU + "DejaVuSans-Bold.ttf", 52)
    fs = font(DEJAVU + "DejaVuSans-Bold.ttf", 40)
    w, h = 1500, 900
    page = Image.new("RGB", (w, h), (246, 243, 236))
    d = ImageDraw.Draw(page)
    d.text((60, 40), "La journée de la classe", font=ft, fill="#e8b400")
    d.text((60, 120), "Une semaine ordinaire", font=fs, fill="#6fa8dc")
    col = 650
    yl = paragraph(d, 60, 210, FR_LEFT, f, col, "#1a1a1a", leading=1.35)
    yr = paragraph(d, 60 + col + 80, 210, FR_RIGHT, f, col, "#1a1a1a", leading=1.35)
    assert max(yl, yr) < h - 20
    page = scanned(page, rnd, 9)
    truth = ("La journée de la classe\nUne semaine ordinaire\n" + FR_LEFT + "\n" + FR_RIGHT)
    save("page-fr.jpg", page, truth, quality=90)
    # The same page lying on its side: turned a quarter counter-clockwise in the pixels.
    save("page-fr-rot90.jpg", page.transpose(Image.Transpose.ROTATE_90), truth, quality=90)
    # Stored sideways as a phone does, with EXIF Orientation 6 ("turn 90 degrees clockwise to
    # show"): the stored pixels are the page turned a quarter counter-clockwise.
    exif = Image.Exif()
    exif[0x0112] = 6
    save("page-fr-exif6.jpg", page.transpose(Image.Transpose.ROTATE_90), truth, quality=92,
         exif=exif.tobytes())
    # Photographed at an angle on a dark wooden table: the page's corners (top-left, top-right,
    # bottom-right, bottom-left) land on PHOTO_CORNERS of a 1800x1300 photo; the table has a
    # grain, the light falls off to one side. ocr_engine_test.cpp holds the same corners.
    w_photo, h_photo = 1800, 1300
    corners = PHOTO_CORNERS
    photo = Image.new("RGB", (w_photo, h_photo), (70, 50, 35))
    pp = photo.load()
    for y in range(h_photo):
        for x in range(w_photo):
            g = rnd.randint(-12, 12) + int(8 * math.sin(x / 9.0 + y / 40.0))
            pp[x, y] = (70 + g, 50 + g, 35 + g)
    coeffs = perspective_coeffs(corners, [(0, 0), (w, 0), (w, h), (0, h)])
    warped = page.transform((w_photo, h_photo), Image.Transform.PERSPECTIVE, coeffs,
                            Image.Resampling.BICUBIC)
    mask = Image.new("L", (w, h), 255).transform((w_photo, h_photo),
                                                  Image.Transform.PERSPECTIVE, coeffs,
                                                  Image.Resampling.BILINEAR)
    photo.paste(warped, (0, 0), mask)
    shade = Image.linear_gradient("L").rotate(90).resize((w_photo, h_photo))
    photo = Image.composite(photo, Image.new("RGB", photo.size, (0, 0, 0)),
                            shade.point(lambda v: 150 + v * 105 // 255))
    save("page-fr-photo.jpg", photo.filter(ImageFilter.GaussianBlur(0.7)), truth, quality=90)


# Where the corners of the 1500x900 page land in page-fr-photo.jpg.
PHOTO_CORNERS = [(230, 160), (1610, 90), (1660, 1150), (170, 1210)]


def perspective_coeffs(dst, src):
    """PIL's PERSPECTIVE coefficients mapping output points `dst` back to input points `src`."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(dst, src):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rhs.append(u)
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs.append(v)
    # Gaussian elimination on the 8x8 system.
    n = 8
    a = [r + [b] for r, b in zip(rows, rhs)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(a[r][c]))
        a[c], a[p] = a[p], a[c]
        for r in range(n):
            if r != c:
                f = a[r][c] / a[c][c]
                a[r] = [x - f * y for x, y in zip(a[r], a[c])]
    return [a[i][n] / a[i][i] for i in range(n)]


def terminal_listing():
    """A terminal (DejaVu Sans Mono, light on dark) showing `ls -l`: its columns are cut apart by
    runs of spaces, and a listing is read row by row, never as a paragraph of its cut pieces."""
    f = font(DEJAVU + "DejaVuSansMono.ttf", 13)
    rows = ["eleve@classe:~/cours$ ls -l",
            "total 32",
            "-rw-r--r-- 1 eleve eleve   519 28 nov.  09:12 dictee.txt",
            "-rw-r--r-- 1 eleve eleve 18000 28 nov.  09:12 sciences.pdf",
            "drwxr-xr-x 2 eleve eleve  4096 28 nov.  09:12 Geographie",
            "-rw-r--r-- 1 eleve eleve    33  1 dec.  17:40 problemes.txt",
            "eleve@classe:~/cours$ head -1 dictee.txt",
            "Lundi matin, Lea a prepare son cartable : une trousse, deux cahiers.",
            "eleve@classe:~/cours$"]
    img = Image.new("RGB", (620, 24 + 17 * len(rows)), "#1e1e1e")
    d = ImageDraw.Draw(img)
    for k, row in enumerate(rows):
        d.text((6, 8 + 17 * k), row, font=f, fill="#e0e0e0")
    save("terminal-listing.png", img, "\n".join(" ".join(r.split()) for r in rows))


def form_fields():
    """A worksheet's header as a scanner sees it: "Nom : ..... Prénom : ..... Date : ....." with
    dotted lines to write on, then an instruction. The labels are read, the dots not."""
    rnd = random.Random(41)
    f = font(DEJAVU + "DejaVuSans.ttf", 34)
    w, h = 1600, 300
    page = Image.new("RGB", (w, h), (245, 243, 238))
    d = ImageDraw.Draw(page)
    d.text((60, 60), "Nom : ...................... Prénom : .................. Date : ............",
           font=f, fill="#202020")
    d.text((60, 160), "1. Lis le texte puis réponds aux questions.", font=f, fill="#202020")
    page = scanned(page, rnd, 8)
    save("form-fields.jpg", page, "Nom : Prénom : Date :\n1. Lis le texte puis réponds aux questions.",
         quality=90)


def headline_below():
    """A magazine page as scanned: two columns of print, and the article's title in large print
    below them, as a spread often sets it. The title is read first."""
    rnd = random.Random(23)
    f = font(LIBERATION + "LiberationSerif-Regular.ttf", 32)
    ft = font(LIBERATION + "LiberationSerif-Bold.ttf", 96)
    w, h = 1500, 1000
    page = Image.new("RGB", (w, h), (246, 244, 238))
    d = ImageDraw.Draw(page)
    col = 640
    yl = paragraph(d, 80, 60, FR_LEFT + " " + FR1, f, col, "#1a1a1a", leading=1.35)
    yr = paragraph(d, 80 + col + 60, 60, FR_RIGHT, f, col, "#1a1a1a", leading=1.35)
    title = "Une journée à l'école"
    y = max(yl, yr) + 60
    d.text((80, y), title, font=ft, fill="#101010")
    assert y + 120 < h
    page = scanned(page, rnd, 8)
    save("headline-below.jpg", page, title + "\n" + FR_LEFT + " " + FR1 + "\n" + FR_RIGHT,
         quality=90)


def table_grid():
    """A table to fill on a worksheet, its grid drawn 3 px wide: the grid's uprights, four text
    lines tall, must be taken for rules, not letters (taken for letters, the page's typical
    letter height became a cell's, and the instruction and every cell were lost)."""
    f = font(DEJAVU + "DejaVuSans.ttf", 22)
    img = Image.new("RGB", (760, 420), "white")
    d = ImageDraw.Draw(img)
    d.text((30, 20), "3. Complète le tableau.", font=f, fill="black")
    x0, y0, cw, rh = 40, 80, 230, 70
    for r in range(5):
        d.line((x0, y0 + r * rh, x0 + 3 * cw, y0 + r * rh), fill="black", width=3)
    for c in range(4):
        d.line((x0 + c * cw, y0, x0 + c * cw, y0 + 4 * rh), fill="black", width=3)
    head = ["Verbe", "Présent", "Passé"]
    for c, t in enumerate(head):
        d.text((x0 + c * cw + 16, y0 + 22), t, font=f, fill="black")
    verbs = ["chanter", "finir", "prendre"]
    for r, t in enumerate(verbs):
        d.text((x0 + 16, y0 + (r + 1) * rh + 22), t, font=f, fill="black")
    save("table-grid.png", img, "3. Complète le tableau.\n" + "\n".join(head + verbs))


if __name__ == "__main__":
    paper_page()
    dark_theme()
    small_text()
    buttons()
    form()
    two_columns()
    worksheet_photo()
    french()
    english()
    cards()
    pronoun_i()
    pronoun_il()
    terminal_listing()
    form_fields()
    headline_below()
    french_colons()
    table_grid()
