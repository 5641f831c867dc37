#!/usr/bin/env python3
"""Writes the golden inputs (data/*/*.in.json) from compact descriptions: lines of words laid out
left to right with boxes, as Tesseract would give them. Run by hand when a case changes; the
expected outputs (*.out.json) are then regenerated with LISEUR_UPDATE_GOLDEN=1 and reviewed."""
import base64, json, os, struct

HERE = os.path.dirname(os.path.abspath(__file__))


def line(words, y, h=20, x=10, gap=None, conf=95, lang="fr"):
    """words: list of str, or (str, conf) tuples, or None for a wide gap (a table column)."""
    out, cx = [], x
    for w in words:
        if w is None:
            cx += 6 * h
            continue
        text, c = (w, conf) if isinstance(w, str) else w
        width = max(6, int(len(text) * h * 0.5))
        out.append({"text": text, "box": [cx, y, width, h], "conf": c, "lang": lang})
        cx += width + (gap if gap is not None else h // 3)
    x0 = out[0]["box"][0]
    x1 = max(w["box"][0] + w["box"][2] for w in out)
    return {"box": [x0, y, x1 - x0, h], "words": out}


def block(lines, kind="text", lang="fr"):
    x0 = min(l["box"][0] for l in lines)
    y0 = min(l["box"][1] for l in lines)
    x1 = max(l["box"][0] + l["box"][2] for l in lines)
    y1 = max(l["box"][1] + l["box"][3] for l in lines)
    return {"index": 0, "kind": kind, "box": [x0, y0, x1 - x0, y1 - y0], "lang": lang, "conf": 90,
            "lines": lines}


def doc(blocks, lang="fr"):
    for i, b in enumerate(blocks):
        b["index"] = i
    return {"format": "liseur-document/1", "width": 800, "height": 600, "source": "golden",
            "lang": lang, "blocks": blocks}


def split(s):
    return s.split(" ")


CASES = {
    "hyphenation": doc([block([
        line(split("C'est très impor-"), 10),
        line(split("tant de bien lire. Il est peut-"), 32),
        line(split("être parti avec Jean-"), 54),
        line(split("Pierre chez sa grand-"), 76),
        line(split("mère, dit-"), 98),
        line(split("il. La cou-"), 120),
        line(split("leur du ciel change."), 142),
    ])]),
    "table": doc([block([
        line(["|", "Nom", "|", None, "Classe", "|", None, "Âge", "|"], 10),
        line(["|", "Dupont", "|", None, "CM2", "|", None, "10", "|"], 32),
        line(["|", "Martin", "|", None, "CE1", "|", None, "7", "|"], 54),
    ])]),
    "list": doc([
        block([line(split("Il te faut :"), 10)]),
        block([
            line(split("• un cahier"), 40),
            line(split("• deux crayons de"), 62),
            line(split("couleur ;"), 84),
            line(split("• une gomme."), 106),
        ]),
        block([
            line(split("1. Lis la consigne."), 140),
            line(split("2. Réponds aux ques-"), 162),
            line(split("tions."), 184),
        ]),
    ]),
    "heading": doc([
        block([line(split("Le cycle de l'eau"), 10, h=40)]),
        block([
            line(split("L'eau des océans s'évapore avec la"), 70),
            line(split("chaleur. Elle forme des nuages."), 92),
        ]),
        block([
            line(split("Les nuages"), 130, h=34),
            line(split("Dans le ciel, la vapeur se"), 176),
            line(split("refroidit. Il pleut !"), 198),
        ]),
    ]),
    "noise": doc([block([
        line(["|", "Bonjour|", "~", "à", "tous", "!", "___"], 10),
        line([("rnrnm", 20), "Voici", ("PDF", 30), "le", "texte", ".........", ("a#%&", 15)], 32),
        line(["|", "||", "Merci", "—", "au", "revoir", "."], 54),
    ])]),
    "english-table": doc([block([
        line(["Name", None, "Form"], 10, lang="en"),
        line(["Smith", None, "Year 5"], 32, lang="en"),
    ], lang="en")], lang="en"),
}


def wav_base64(ms=1200, rate=8000):
    samples = int(rate * ms / 1000)
    data = b"\x00\x00" * samples
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack(
        "<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16) + b"data" + struct.pack("<I", len(data))
    return base64.b64encode(header + data).decode()


def main():
    for name, d in CASES.items():
        with open(os.path.join(HERE, "data", "reading-order", name + ".in.json"), "w") as f:
            json.dump(d, f, ensure_ascii=False, indent=1)
            f.write("\n")
    # large-print: a document after reading-order, with and without narration.
    simple = doc([
        block([line(split("Le loup"), 10, h=40)], kind="heading"),
        block([line(split("Le loup & l'agneau <sont> là."), 70)]),
        block([line(split("un"), 100), line(split("deux"), 122)], kind="list"),
    ])
    words = [(0, 0, 0), (0, 0, 1), (1, 0, 0), (1, 0, 1), (1, 0, 2), (1, 0, 3), (1, 0, 4), (1, 0, 5),
             (2, 0, 0), (2, 1, 0)]
    narration = {"wav_base64": wav_base64(),
                 "words": [{"start_ms": 100 * i, "end_ms": 100 * i + 90, "block": b, "line": l,
                            "word": w} for i, (b, l, w) in enumerate(words)]}
    cases = {
        "plain": {"document": simple, "options": {"theme": "black-on-white", "font_size_pt": 20}},
        "narrated": {"document": simple, "options": {"theme": "yellow-on-black"}, "narration": narration},
    }
    for name, req in cases.items():
        with open(os.path.join(HERE, "data", "large-print", name + ".in.json"), "w") as f:
            json.dump(req, f, ensure_ascii=False, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
