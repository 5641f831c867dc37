#!/usr/bin/env python3
"""Real-browser test of the dys view (label `integration`).

Renders a two-exercise worksheet with a real narration WAV (a tone, with word timings) through
the dys plugin's C ABI (ctypes, as the host calls it), opens it in Debian's headless Chromium
over --remote-debugging-pipe (no network port, no npm), and checks in the browser itself:
  - the computed font size and letter, word and line spacing of the WCAG and "aéré" presets, and
    that the OpenDyslexic font (fonts-opendyslexic) is the one drawn;
  - the computed colours of alternating lines (blue, red, green), of alternating syllables
    (cho-co-lat blue, red, blue) and of greyed silent letters;
  - that line focus (3 lines) hides the other lines and moves with the arrow keys, and that one
    exercise is shown per screen with Previous/Next;
  - that pressing play highlights the words in spoken order, the screen and the focused lines
    following the narration; that clicking a word or a line's button plays just that word or line;
  - that every button has a label, that an empty document and one-paragraph screens with one
    line visible in a dark theme work, that no script error happened and the CSP refused
    nothing (its hashes match the inline style and script), and that the page fetched nothing.

Usage: dys_browser_test.py PLUGIN.so [--chromium /usr/bin/chromium]
Exit status 0 on success; every failure prints what was expected and what was found.
"""
import argparse
import base64
import json
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cdp_pipe as cdp  # noqa: E402  (the DevTools pipe, the plugin's C ABI, the tone WAV)

# Screen 1: a heading and six lines; screen 2: exercise 2.
EXERCISES = [
    ("heading", ["Exercice 1"]),
    ("text", ["Le chocolat est bon.", "La grenouille saute.", "Le petit chat dort.",
              "Papa mange une pomme.", "L'oiseau chante.", "Les enfants jouent."]),
    ("text", ["2. Recopie la phrase :", "Le lapin court."]),
]
WORD_MS = 220

BLUE, RED, GREEN = "rgb(0, 80, 200)", "rgb(200, 16, 46)", "rgb(0, 122, 51)"
SILENT = "rgb(140, 140, 140)"


def make_request():
    blocks, timings, y, t = [], [], 10, 300
    for b, (kind, lines) in enumerate(EXERCISES):
        out = []
        for li, text in enumerate(lines):
            ws, x = [], 10
            for wi, w in enumerate(text.split(" ")):
                ws.append({"text": w, "box": [x, y, 20 * len(w), 30], "conf": 95, "lang": "fr"})
                timings.append({"start_ms": t, "end_ms": t + WORD_MS - 20, "block": b,
                                "line": li, "word": wi})
                t += WORD_MS
                x += 20 * len(w) + 10
            out.append({"box": [10, y, x, 30], "words": ws})
            y += 40
        blocks.append({"index": b, "kind": kind, "box": [10, out[0]["box"][1], 700, 40 * len(out)],
                       "lang": "fr", "conf": 95, "lines": out})
    doc = {"format": "liseur-document/1", "width": 800, "height": y, "source": "browser-test",
           "lang": "fr", "blocks": blocks}
    narration = {"wav_base64": base64.b64encode(cdp.tone_wav(t + 400)).decode(), "words": timings}
    return doc, narration, timings


def manifest_defaults(plugin):
    with open(os.path.join(os.path.dirname(plugin), "manifest.json"), encoding="utf-8") as f:
        return {k: v["default"] for k, v in json.load(f)["options"].items()}


def px(value):
    return float(value[:-2]) if value.endswith("px") else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("plugin")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    args = ap.parse_args()
    if not os.access(args.chromium, os.X_OK):
        print("FAIL: no chromium at %s (Debian package chromium)" % args.chromium)
        return 1

    check = cdp.Checks()

    def near(a, b):
        return abs(a - b) < 0.05

    doc, narration, timings = make_request()
    options = manifest_defaults(args.plugin)
    options.update({"font": "OpenDyslexic", "font_size_pt": 18, "spacing": "wcag",
                    "line_focus": 3, "screens": "exercise", "syllables": True,
                    "silent_letters": True})
    pages = {
        "wcag": cdp.render(args.plugin, {"document": doc, "options": {}, "narration": narration},
                           options),
        # Edge cases that must not break the page's script: nothing recognised; one paragraph
        # per screen with one line visible, dark theme, no highlight.
        "empty": cdp.render(args.plugin, {"document": dict(doc, blocks=[]), "options": {}},
                            options),
        "blocks": cdp.render(args.plugin, {"document": doc, "narration": narration, "options": {
            "screens": "block", "line_focus": 1, "theme": "white-on-black",
            "highlight_word": False}}, options),
        # The aéré preset raises 14 pt to 16 pt, line spacing to 2 and doubles word spacing.
        "aere": cdp.render(args.plugin, {"document": doc, "options": {
            "spacing": "aere", "font_size_pt": 14, "line_spacing": 1.2, "word_spacing_em": 0}},
            options),
    }

    tmp = tempfile.mkdtemp(prefix="liseur-dys-browser-")
    try:
        paths = {}
        for name, html in pages.items():
            paths[name] = os.path.join(tmp, "dys-%s.html" % name)
            with open(paths[name], "w", encoding="utf-8") as f:
                f.write(html)
        browser = cdp.Browser(args.chromium, os.path.join(tmp, "profile"))
        try:
            session = cdp.new_session(browser, ("Network", "Page", "Runtime", "Log"))

            def load(path):
                cdp.navigate(browser, session, path, ready="!!document.getElementById('dys-text')")

            def evaluate(expr, gesture=False):
                return cdp.evaluate(browser, session, expr, gesture)

            def key(name, code):
                for kind in ("keyDown", "keyUp"):
                    browser.send("Input.dispatchKeyEvent",
                                 {"type": kind, "key": name, "code": name,
                                  "windowsVirtualKeyCode": code}, session=session)

            def wait_until(expr, seconds=30):
                deadline = time.time() + seconds
                while time.time() < deadline:
                    value = evaluate(expr)
                    if value:
                        return value
                    time.sleep(0.1)
                return evaluate(expr)

            load(paths["empty"])
            check(evaluate("document.querySelectorAll('.dys-word').length") == 0,
                  "an empty document gives an empty page")
            load(paths["blocks"])
            shown = evaluate("""[...document.querySelectorAll('.dys-line')].filter(l =>
                !l.closest('.dys-screen').hidden && getComputedStyle(l).visibility === 'visible')
                .map(l => l.dataset.block + '-' + l.dataset.line)""")
            check(shown == ["0-0"], "one paragraph per screen, one line visible: %s" % shown)
            colour = evaluate("getComputedStyle(document.querySelector('.dys-line')).color")
            check(colour == "rgb(124, 180, 255)", "a dark theme has light line colours: %s" % colour)

            # --- The aéré preset: 16 pt = 21.33 px, line 2, letters 0.12 em, words 0.32 em.
            load(paths["aere"])
            s = evaluate("""(() => { const b = getComputedStyle(document.body);
                return {size: b.fontSize, line: b.lineHeight, letter: b.letterSpacing,
                        word: b.wordSpacing}; })()""")
            size = px(s["size"])
            check(near(size, 16 * 4 / 3), "aéré: font raised to 16pt = 21.33px: %s" % s)
            check(near(px(s["line"]), 2 * size), "aéré: line spacing 2: %s" % s["line"])
            check(near(px(s["letter"]), 0.12 * size), "aéré: letters 0.12em: %s" % s["letter"])
            check(near(px(s["word"]), 0.32 * size), "aéré: words 0.32em (doubled): %s" % s["word"])

            # --- The WCAG page, the one the rest of the test uses.
            load(paths["wcag"])
            s = evaluate("""(() => { const b = getComputedStyle(document.body);
                return {size: b.fontSize, line: b.lineHeight, letter: b.letterSpacing,
                        word: b.wordSpacing, family: b.fontFamily, bg: b.backgroundColor}; })()""")
            check(s["size"] == "24px", "font size 18pt = 24px: %s" % s["size"])
            check(near(px(s["line"]), 36), "WCAG line spacing 1.5 = 36px: %s" % s["line"])
            check(near(px(s["letter"]), 2.88), "WCAG letters 0.12em = 2.88px: %s" % s["letter"])
            check(near(px(s["word"]), 3.84), "WCAG words 0.16em = 3.84px: %s" % s["word"])
            check(s["family"].replace('"', "").startswith("OpenDyslexic, DejaVu Sans"),
                  "font family OpenDyslexic, then DejaVu Sans: %s" % s["family"])
            check(s["bg"] == "rgb(255, 251, 232)", "cream background: %s" % s["bg"])
            # The font really drawn: OpenDyslexic's glyphs are wider than DejaVu Sans's.
            widths = evaluate("""(() => {
                const w = f => { const e = document.createElement('span');
                  e.style.font = '40px ' + f; e.style.letterSpacing = '0';
                  e.textContent = 'chocolat grenouille'; document.body.appendChild(e);
                  const r = e.getBoundingClientRect().width; e.remove(); return r; };
                return {dys: w('"OpenDyslexic"'), dejavu: w('"DejaVu Sans"')}; })()""")
            check(abs(widths["dys"] - widths["dejavu"]) > 5,
                  "OpenDyslexic is installed and drawn (text widths %s)" % widths)

            colours = evaluate("""(() => {
                const c = el => getComputedStyle(el).color;
                const lines = [...document.querySelectorAll('[data-block="1"].dys-line')];
                const choco = document.getElementById('w-1-0-1');
                return {lines: lines.map(c),
                        syllables: [...choco.querySelectorAll('.dys-syl')].map(
                            s => [s.firstChild.textContent, c(s)]),
                        silent: [...choco.querySelectorAll('.dys-silent')].map(
                            s => [s.textContent, c(s)]),
                        tint: getComputedStyle(lines[1]).backgroundColor}; })()""")
            check(colours["lines"] == [BLUE, RED, GREEN, BLUE, RED, GREEN],
                  "lines alternate blue, red, green: %s" % colours["lines"])
            check(colours["syllables"] == [["cho", BLUE], ["co", RED], ["la", BLUE]],
                  "cho-co-lat in alternating blue and red: %s" % colours["syllables"])
            check(colours["silent"] == [["t", SILENT]],
                  "the silent t of chocolat is grey: %s" % colours["silent"])
            check(colours["tint"] == "rgba(200, 16, 46, 0.1)",
                  "a line keeps its colour as a tint behind coloured syllables: %s"
                  % colours["tint"])

            # --- One exercise per screen, line focus of 3 lines.
            visible_js = """(() => {
                const shown = el => !el.closest('.dys-screen').hidden &&
                    getComputedStyle(el).visibility === 'visible';
                return [...document.querySelectorAll('.dys-line')].filter(shown).map(
                    l => l.dataset.block + '-' + l.dataset.line); })()"""
            shown = evaluate(visible_js)
            check(shown == ["0-0", "1-0"],
                  "line focus 3 on the first line: only it and the next are visible: %s" % shown)
            key("ArrowDown", 40)
            key("ArrowDown", 40)
            shown = evaluate(visible_js)
            check(shown == ["1-0", "1-1", "1-2"],
                  "two arrows down: the focus window moved to 3 lines: %s" % shown)
            hidden = evaluate("""getComputedStyle(document.querySelector(
                '.dys-line[data-block="1"][data-line="4"]')).visibility""")
            check(hidden == "hidden", "a line outside the window is hidden: %s" % hidden)
            screen2 = evaluate("document.getElementById('dys-screen-1').hidden")
            check(screen2 is True, "exercise 2 is not shown with exercise 1")
            evaluate("document.getElementById('dys-next').click(); true")
            state = evaluate("""({one: document.getElementById('dys-screen-0').hidden,
                                  two: document.getElementById('dys-screen-1').hidden,
                                  where: document.getElementById('dys-where').textContent})""")
            check(state == {"one": True, "two": False, "where": "Partie 2 sur 2"},
                  "Next shows exercise 2 alone: %s" % state)
            evaluate("document.getElementById('dys-prev').click(); true")

            buttons = evaluate("""[...document.querySelectorAll('button')].map(b =>
                [b.getAttribute('type'), (b.getAttribute('aria-label') || b.textContent).trim()])""")
            check(all(t == "button" and name for t, name in buttons),
                  "every button is a real button with a label: %s" % buttons[:8])

            # --- Play: record each highlighted word, and whether it was on screen and unmasked.
            evaluate("""(() => {
                window.__seen = []; window.__shown = true;
                new MutationObserver(records => {
                  for (const r of records) {
                    const el = r.target;
                    if (el.classList.contains('dys-current') &&
                        window.__seen[window.__seen.length - 1] !== el.dataset.index) {
                      window.__seen.push(el.dataset.index);
                      const line = el.closest('.dys-line');
                      if (el.closest('.dys-screen').hidden ||
                          getComputedStyle(line).visibility !== 'visible') window.__shown = false;
                      if (!window.__style) {
                        const s = getComputedStyle(el);
                        window.__style = {bg: s.backgroundColor, outline: s.outlineStyle};
                      }
                    }
                  }
                }).observe(document.getElementById('dys-text'),
                           {subtree: true, attributes: true, attributeFilter: ['class']});
                return true; })()""")
            evaluate("document.getElementById('dys-play').click(); true", gesture=True)
            pressed = wait_until("document.getElementById('dys-play').getAttribute('aria-pressed')"
                                 " === 'true'", 10)
            check(pressed is True, "the play button says it is pressed while playing")
            state = wait_until("""(() => { const a = document.getElementById('dys-audio');
                return (a.ended || a.error) ? {ended: a.ended, error: a.error && a.error.code}
                                           : null; })()""", 60)
            check(bool(state and state.get("ended")), "the narration played to its end: %s" % state)
            seen = [int(i) for i in evaluate("window.__seen")]
            print("     highlighted in this order: %s" % seen)
            total = len(timings)
            check(seen == sorted(seen) and len(set(seen)) == len(seen),
                  "words highlighted in spoken order: %s" % seen)
            check(len(seen) >= total * 3 // 4 and seen[:1] == [0] and seen[-1:] == [total - 1],
                  "the first, the last and most words were highlighted: %d of %d" %
                  (len(seen), total))
            check(evaluate("window.__shown") is True,
                  "every highlighted word was on screen and inside the focus window")
            style = evaluate("window.__style")
            check(style == {"bg": "rgb(255, 224, 102)", "outline": "solid"},
                  "the word heard is marked by a background and an outline: %s" % style)
            where = evaluate("document.getElementById('dys-where').textContent")
            check(where == "Partie 2 sur 2", "the screen followed the narration: %s" % where)

            # --- Click one word: only it is played, then the audio pauses.
            evaluate("window.__seen = []; true")
            evaluate("document.getElementById('dys-prev').click(); true")
            evaluate("document.getElementById('w-1-1-1').click(); true", gesture=True)
            state = wait_until("""(() => { const a = document.getElementById('dys-audio');
                return (a.paused && window.__seen.length) ? {paused: a.paused, ended: a.ended}
                                                          : null; })()""", 20)
            seen = evaluate("window.__seen")
            grenouille = evaluate("document.getElementById('w-1-1-1').dataset.index")
            check(state == {"paused": True, "ended": False} and seen == [grenouille],
                  "clicking 'grenouille' plays that word alone: %s, highlighted %s" %
                  (state, seen))

            # --- A line's button plays that line, word after word.
            evaluate("window.__seen = []; true")
            evaluate("document.querySelector('.dys-line[data-block=\"1\"][data-line=\"3\"] "
                     ".dys-say').click(); true", gesture=True)
            state = wait_until("""(() => { const a = document.getElementById('dys-audio');
                return (a.paused && window.__seen.length) ? {paused: a.paused, ended: a.ended}
                                                          : null; })()""", 20)
            seen = evaluate("window.__seen")
            line = evaluate("""[...document.querySelectorAll(
                '.dys-line[data-block="1"][data-line="3"] .dys-word')].map(w => w.dataset.index)""")
            check(state == {"paused": True, "ended": False} and seen == line[:len(seen)] and
                  seen[-1:] == line[-1:],
                  "the line button plays 'Papa mange une pomme.' alone: %s of %s" % (seen, line))

            # No script error on any page, and no inline style or script refused by the CSP (its
            # hashes match what the page holds).
            errors = [e["params"] for e in browser.events
                      if e.get("method") == "Runtime.exceptionThrown" or
                      (e.get("method") == "Log.entryAdded" and
                       e["params"]["entry"].get("level") == "error")]
            check(not errors, "no script error and no CSP refusal: %s" % errors[:3])
            requests = cdp.requests(browser)
            check(not requests, "nothing fetched from the network: %s" % requests)
        finally:
            browser.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    return check.exit_status()


if __name__ == "__main__":
    sys.exit(main())
