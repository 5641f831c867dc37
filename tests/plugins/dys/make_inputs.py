#!/usr/bin/env python3
"""Writes the dys plugin's golden inputs (data/*.in.json) from compact descriptions: lines of
words laid out left to right, as Tesseract would give them. Run by hand when a case changes
(/usr/bin/python3 make_inputs.py); the expected outputs (*.out.json) are then regenerated with
LISEUR_UPDATE_GOLDEN=1 and reviewed. Render cases are whole render requests; speak cases are
documents."""
import base64, json, os, struct

HERE = os.path.dirname(os.path.abspath(__file__))


def line(text, y, h=20, lang="fr", word_langs=None):
    out, x = [], 10
    for i, t in enumerate(text.split(" ")):
        w = max(6, int(len(t) * h * 0.5))
        out.append({"text": t, "box": [x, y, w, h], "conf": 95,
                    "lang": (word_langs or {}).get(i, lang)})
        x += w + h // 3
    return {"box": [10, y, x - 10, h], "words": out}


def block(lines, kind="text", lang="fr"):
    y0 = min(l["box"][1] for l in lines)
    y1 = max(l["box"][1] + l["box"][3] for l in lines)
    x1 = max(l["box"][0] + l["box"][2] for l in lines)
    return {"index": 0, "kind": kind, "box": [10, y0, x1 - 10, y1 - y0], "lang": lang,
            "conf": 90, "lines": lines}


def doc(blocks, lang="fr"):
    for i, b in enumerate(blocks):
        b["index"] = i
    return {"format": "liseur-document/1", "width": 1200, "height": 1600, "source": "golden",
            "lang": lang, "blocks": blocks}


def lines_of(texts, y=10, **kw):
    return [line(t, y + 30 * i, **kw) for i, t in enumerate(texts)]


def wav_base64(ms=2000, rate=8000):
    data = b"\x00\x00" * int(rate * ms / 1000)
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack(
        "<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16) + b"data" + struct.pack("<I", len(data))
    return base64.b64encode(header + data).decode()


def narration_for(d, step=100):
    words, t = [], 0
    for b, blk in enumerate(d["blocks"]):
        for l, ln in enumerate(blk["lines"]):
            for w, _ in enumerate(ln["words"]):
                words.append({"start_ms": t, "end_ms": t + step - 10, "block": b, "line": l,
                              "word": w})
                t += step
    return {"wav_base64": wav_base64(t + 500), "words": words}


# Hard words of the school convention (../shared/dys/README.md), an English block that must stay
# whole, and an English word inside a French line.
SYLLABLES = doc([
    block(lines_of([
        "chocolat arbre pomme éléphant oiseau maintenant grenouille",
        "quatre requin quille coquillage",
        "montagne gagner agneau",
        "fille papillon travail feuille",
        "l'arbre peut-être jusqu'à aujourd'hui",
        "ils chantent et jouent",
        "table petits chats",
    ]) + [line("le football est super", 220, word_langs={1: "en"})]),
    block(lines_of(["The elephant eats chocolate"], y=300, lang="en"), lang="en"),
])

LINES = doc([
    block(lines_of(["un", "deux", "trois", "quatre", "cinq", "six", "sept"])),
    block(lines_of(["huit", "neuf"], y=260)),
])

ESCAPING = doc([block([
    line('<script>alert(1)</script> a&b "citation" l\'école', 10),
    line("<img src=x onerror=alert(1)> </main></body>", 40, lang='fr" onmouseover="alert(1)'),
], lang="<en>")])

WORKSHEET = doc([
    block([line("Exercice 1", 10, h=30)], kind="heading"),
    block(lines_of(["Lis les mots.", "Entoure les syllabes."], y=60)),
    block(lines_of(["chocolat", "pomme"], y=130), kind="list"),
    block(lines_of(["2. Recopie la phrase :", "Le chat dort."], y=200)),
    block(lines_of(["Consigne : colorie le dessin."], y=270)),
])

# Speech: sentences, commas, quotes, a long run without punctuation, an English sentence.
SPEECH = doc([
    block([line("La cigale et la fourmi", 10, h=30)], kind="heading"),
    block(lines_of([
        "La cigale, ayant chanté tout l'été, se trouva fort dépourvue",
        "quand la bise fut venue. « Vous chantiez ? j'en suis fort aise :",
        "eh bien ! dansez maintenant. »",
        "Le petit garçon regarde les oiseaux qui volent au-dessus de la grande maison blanche avec son chien",
    ], y=60)),
    block(lines_of(["The little boy looks at the birds that fly over the big white house with his dog."],
                   y=200, lang="en"), lang="en"),
    block([line("", 260)]),
])


def main():
    worksheet_narrated = {"document": WORKSHEET, "narration": narration_for(WORKSHEET),
                          "options": {"screens": "exercise", "line_focus": 3}}
    render = {
        "syllables": {"document": SYLLABLES, "options": {}},
        "silent-only": {"document": SYLLABLES, "options": {"syllables": False}},
        "arcs": {"document": SYLLABLES,
                 "options": {"syllable_style": "arcs", "silent_letters": False,
                             "syllable_colours": ["#0000ff", "orange"]}},
        "lines": {"document": LINES, "options": {"syllables": False, "silent_letters": False,
                                                 "word_colours": ["dark-blue", "dark-red"]}},
        "escaping": {"document": ESCAPING,
                     "options": {"font": 'x"; } body { background: url(http://evil.example/) }'},
                     "narration": narration_for(ESCAPING)},
        "worksheet": worksheet_narrated,
        # The profile's [view] table as `liseur adapt` passes it (dys-primaire), unknown keys too.
        "profile-view": {"document": WORKSHEET, "options": {
            "enabled": True, "theme": "dys", "font": "OpenDyslexic", "font_size_pt": 18,
            "line_spacing": 2.0, "letter_spacing_em": 0.12, "word_spacing_em": 0.3,
            "syllables": True, "line_colours": ["blue", "red", "green"],
            "syllable_colours": ["blue", "red"], "line_focus": 3, "silent_letters": True,
            "highlight_word": True}},
    }
    for name, req in render.items():
        with open(os.path.join(HERE, "data", "render-" + name + ".in.json"), "w") as f:
            json.dump(req, f, ensure_ascii=False, indent=1)
            f.write("\n")
    for name, d in {"speech": SPEECH, "worksheet": WORKSHEET}.items():
        with open(os.path.join(HERE, "data", "speak-" + name + ".in.json"), "w") as f:
            json.dump(d, f, ensure_ascii=False, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
