#!/usr/bin/env python3
"""Real-browser test of the large-print view (label `integration`).

Renders a page with narration through the large-print plugin's C ABI (ctypes, as the host
calls it), opens it in Debian's headless Chromium driven over the DevTools protocol on
--remote-debugging-pipe (no network port, no npm), and checks:
  - the computed colours of the three themes and the font size from the options;
  - that pressing play highlights the words in the order they are spoken, with the
    highlight's computed colours inverted;
  - that the page fetched nothing (the CSP blocks the network; no request leaves it);
  - a worksheet's answer places (the plugin SDK's answer script, shared with the dys view):
    typed answers kept after closing and opening the page, Alt+R / Alt+M / Alt+L / Alt+Q and the
    "Lire" button speak through the browser's speech synthesis (observed by a stand-in) and show
    it on the status line, "Exporter" downloads one script-free file in the page's own look with
    the questions and the answers that fetches nothing and prints black on white, "Effacer" asks
    then empties every field, answers kept by the earlier large-print script are still found,
    the controls are in the page's language and in every theme at 7:1 contrast or more;
  - with --liseur and --image: the same on a page made end to end by `liseur adapt IMAGE
    --profile low-vision` (real OCR, reading-order, espeak-ng narration): theme and size from
    the profile, every adapted word in a span in order, play highlights the timed words in order.

Usage: large_print_browser_test.py PLUGIN.so [--chromium /usr/bin/chromium]
                                   [--liseur build/daemon/app/liseur --image IMG]
Exit status 0 on success; every failure prints what was expected and what was found.
"""
import argparse
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp_pipe import Browser, Checks, evaluate, open_page, render, tone_wav  # noqa: E402
from cdp_pipe import requests as fetched_urls  # noqa: E402

# ------------------------------------------------------------------------------------------
# The page

WORDS = [["Le", "petit", "chat"], ["dort", "au", "soleil."], ["Il", "rêve", "d'une", "souris."]]
WORD_MS = 300


def make_request():
    lines, timings, y = [], [], 10
    t = 200
    for li, words in enumerate(WORDS):
        ws, x = [], 10
        for wi, w in enumerate(words):
            ws.append({"text": w, "box": [x, y, 20 * len(w), 30], "conf": 95, "lang": "fr"})
            timings.append({"start_ms": t, "end_ms": t + WORD_MS - 20, "block": 0, "line": li,
                            "word": wi})
            t += WORD_MS
            x += 20 * len(w) + 10
        lines.append({"box": [10, y, x, 30], "words": ws})
        y += 40
    doc = {"format": "liseur-document/1", "width": 800, "height": 400, "source": "browser-test",
           "lang": "fr", "blocks": [{"index": 0, "kind": "text", "box": [10, 10, 600, 120],
                                     "lang": "fr", "conf": 95, "lines": lines}]}
    narration = {"wav_base64": base64.b64encode(tone_wav(t + 400)).decode(), "words": timings}
    return doc, narration, timings


# ------------------------------------------------------------------------------------------
# A worksheet with answer places (as `liseur adapt` finds them)


def worksheet(lang="fr"):
    def block(i, words, kind="text"):
        return {"index": i, "kind": kind, "box": [10, 10 + 60 * i, 700, 40], "lang": lang,
                "conf": 95, "lines": [{"box": [10, 10 + 60 * i, 700, 40], "words": [
                    {"text": w, "box": [10 + 80 * k, 10 + 60 * i, 70, 40], "conf": 95}
                    for k, w in enumerate(words)]}]}

    if lang == "en":
        texts = [["The", "farm"], ["Name", ":"], ["The", "dog", "guards", "the", "house."],
                 ["1.", "Which", "animal", "gives", "milk", "?"], ["Tick", ":", "the", "hen"],
                 ["Circle", ":", "cat", "/", "dog"]]
    else:
        texts = [["Les", "animaux", "de", "la", "ferme"], ["Prénom", ":"],
                 ["Le", "chien", "garde", "la", "maison."],
                 ["1.", "Quel", "animal", "donne", "du", "lait", "?"],
                 ["Coche", ":", "la", "poule"], ["Entoure", ":", "chat", "/", "chien"]]
    blocks = [block(i, t, "heading" if i == 0 else "text") for i, t in enumerate(texts)]
    box = [0, 0, 10, 10]
    answers = [
        {"kind": "field", "block": 1, "line": 0, "after": 1, "label": texts[1][0],
         "field": "first-name", "ends_line": True, "box": box},
        {"kind": "blank", "block": 2, "line": 0, "after": 2, "box": box},
        {"kind": "lines", "block": 3, "line": 0, "after": len(texts[3]) - 1, "rows": 2,
         "label": " ".join(texts[3]), "box": box},
        {"kind": "check", "block": 4, "line": 0, "after": 1, "label": " ".join(texts[4][2:]),
         "box": box},
        {"kind": "choice", "block": 5, "line": 0, "after": 4, "options": texts[5][2::2],
         "box": box}]
    return {"format": "liseur-document/1", "width": 800, "height": 600, "source": "worksheet",
            "lang": lang, "blocks": blocks, "answers": answers}


# Colours as the browser computed them, the ground found through the ancestors.
COLOURS_JS = """((sel) => { const el = document.querySelector(sel); if (!el) return null;
    let g = el, bg = 'rgba(0, 0, 0, 0)';
    while (g && (bg = getComputedStyle(g).backgroundColor).startsWith('rgba(0, 0, 0, 0')) {
      g = g.parentElement; }
    return [getComputedStyle(el).color, bg]; })(%s)"""


def contrast(fg, bg):
    def lum(rgb):
        ch = [int(v) / 255 for v in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3]]
        ch = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in ch]
        return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2]
    a, b = sorted((lum(fg), lum(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def key(browser, session, k, alt=True):
    """A real key press (Alt+k by default) to the focused element."""
    for kind in ("keyDown", "keyUp"):
        browser.send("Input.dispatchKeyEvent",
                     {"type": kind, "key": k, "code": "Key" + k.upper(),
                      "windowsVirtualKeyCode": ord(k.upper()), "modifiers": 1 if alt else 0},
                     session=session)


def answers_checks(browser, plugin, options, tmp, check):
    """The pupil answers on a large-print page: typed, heard, kept, exported, cleared."""
    domains = ("Network", "Page", "Runtime", "Log")
    pages = {}
    for theme in THEMES:
        pages[theme] = os.path.join(tmp, "answers-%s.html" % theme)
        with open(pages[theme], "w", encoding="utf-8") as f:
            f.write(render(plugin, {"document": worksheet(), "options": {"theme": theme}},
                           options))
    english = os.path.join(tmp, "answers-en.html")
    with open(english, "w", encoding="utf-8") as f:
        f.write(render(plugin, {"document": worksheet("en"), "options": {}}, options))
    page = pages["yellow-on-black"]
    with open(page, encoding="utf-8") as f:
        html = f.read()
    sdk = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "plugins", "sdk",
                       "liseur_answers.hpp")
    with open(sdk, encoding="utf-8") as f:
        script = f.read().split('R"JS(', 1)[1].split(')JS"', 1)[0]
    check(html.count("<script>" + script + "</script>") == 1,
          "answers: the page holds the SDK's answer script, as it is written there")

    # The controls, in French, and in every theme at 7:1 or more (WCAG 1.4.6).
    for theme, path in pages.items():
        s = open_page(browser, path, domains)
        for sel in ("#lp-export", "#lp-clear", "#lp-answer-status", ".lp-answer-say",
                    "input[type=text].lp-answer", "textarea.lp-answer", ".lp-choices label"):
            fg, bg = evaluate(browser, s, COLOURS_JS % json.dumps(sel))
            ratio = contrast(fg, bg)
            check(ratio >= 7, "answers, %s: %s is %s on %s, contrast %.1f:1 (at least 7)"
                  % (theme, sel, fg, bg, ratio))
    s = open_page(browser, page, domains)

    def ev(expr, gesture=False):
        return evaluate(browser, s, expr, gesture)

    labels = ev("""[document.getElementById('lp-export').textContent,
                    document.getElementById('lp-clear').textContent,
                    [...document.querySelectorAll('.lp-answer-say')].map(b => b.textContent),
                    document.getElementById('lp-answer-status').getAttribute('aria-live'),
                    document.getElementById('lp-answer-status').getAttribute('role')]""")
    check(labels == ["Exporter", "Effacer", ["Lire", "Lire", "Lire"], "polite", "status"],
          "answers: Exporter, Effacer, a Lire button per text field, a live status line: %s"
          % labels)

    # The browser's voice, replaced by a stand-in that notes what it is asked to say.
    stand_in = """(() => { window.__spoken = [];
        const fake = {speak: u => window.__spoken.push([u.text, u.lang]), cancel: () => {}};
        Object.defineProperty(window, 'speechSynthesis', {configurable: true, get: () => fake});
        return true; })()"""

    def spoken():
        return ev("window.__spoken.splice(0)")

    def status():
        return ev("document.getElementById('lp-answer-status').textContent")

    ev(stand_in)
    typed = {"answer-0": "Léa", "answer-1": "sa niche", "answer-2": "La vache donne du lait."}
    for fid, text in typed.items():
        ev("document.getElementById(%s).focus()" % json.dumps(fid), True)
        browser.send("Input.insertText", {"text": text}, session=s)
    ev("document.querySelector('input[type=checkbox].lp-answer').click()", True)
    ev("document.getElementById('answer-4-1').click()", True)
    ev("document.getElementById('answer-0').focus()", True)
    key(browser, s, "r")
    said = spoken()
    check(said == [["Léa", "fr"]] and status() == "Léa",
          "answers: Alt+R speaks the answer in French and shows it: %s, %r" % (said, status()))
    key(browser, s, "l")
    check(spoken() == [["a", "fr"]], "answers: Alt+L speaks its last letter")
    ev("document.getElementById('answer-2').focus()", True)
    key(browser, s, "m")
    check(spoken() == [["lait.", "fr"]], "answers: Alt+M speaks the last word of the answer")
    key(browser, s, "q")
    said = spoken()
    check(said == [["1. Quel animal donne du lait ?", "fr"]],
          "answers: Alt+Q speaks the question again: %s" % said)
    check(ev("document.getElementById('answer-2').value") == typed["answer-2"],
          "answers: the keys typed nothing into the field")
    ev("document.querySelector('.lp-answer-say[data-for=\"answer-1\"]').click()", True)
    said = spoken()
    check(said == [["sa niche", "fr"]], "answers: the Lire button speaks its field: %s" % said)

    # Closed and opened again: every answer is still there.
    def values():
        return ev("""[...['answer-0', 'answer-1', 'answer-2'].map(
                         id => document.getElementById(id).value),
                      document.querySelector('input[type=checkbox].lp-answer').checked,
                      [...document.querySelectorAll('.lp-choice')].map(r => r.checked)]""")

    want = list(typed.values()) + [True, [False, True]]
    check(values() == want, "answers: typed, ticked and chosen: %s" % values())
    for t in browser.send("Target.getTargets")["targetInfos"]:
        if t["type"] == "page":
            browser.send("Target.closeTarget", {"targetId": t["targetId"]})
    s = open_page(browser, page, domains)
    check(values() == want, "answers: all kept after closing and opening the page: %s"
          % values())

    # Exporter: the real button, a real download.
    downloads = os.path.join(tmp, "downloads")
    os.makedirs(downloads)
    browser.send("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
    ev("document.getElementById('lp-export').click()", True)
    out = os.path.join(downloads, "fiche-completee.html")
    deadline = time.time() + 20
    while not os.path.exists(out) and time.time() < deadline:
        time.sleep(0.1)
    check(os.path.exists(out), "answers: Exporter downloads fiche-completee.html: %s"
          % os.listdir(downloads))
    check("fiche-completee.html" in status(), "answers: the status line says where: %r" % status())
    if os.path.exists(out):
        with open(out, encoding="utf-8") as f:
            exported = f.read()
        check("<script" not in exported.lower(), "export: no script")
        check("default-src 'none'" in exported and not re.search(
            r"(https?:|//[a-z]|src=|url\()", exported),
            "export: a CSP that blocks every fetch, and no URL in it")
        check("1. Quel animal donne du lait ?" in exported and "Le chien garde" in exported,
              "export: the questions' text")
        check(all(t in exported for t in typed.values()) and "\u2611" in exported and
              "<b>\u2611 chien</b>" in exported, "export: every answer, the ticks and the choice")
        left = [t for t in ("<input", "<textarea", "<button", "<audio") if t in exported]
        check(not left, "export: no field and no button left: %s" % left)
        e = open_page(browser, out, domains)
        shown = evaluate(browser, e, "document.body.innerText")
        check("La vache donne du lait." in shown and "Fiche complétée le" in shown,
              "export: opens and shows the answers")
        look = evaluate(browser, e, """(() => { const b = getComputedStyle(document.body);
            return [b.color, b.backgroundColor, b.fontSize]; })()""")
        check(look == ["rgb(255, 255, 0)", "rgb(0, 0, 0)", "32px"],
              "export: the page's own look (yellow on black, 24pt): %s" % look)
        browser.send("Emulation.setEmulatedMedia", {"media": "print"}, session=e)
        look = evaluate(browser, e, """(() => { const b = getComputedStyle(document.body);
            const a = getComputedStyle(document.querySelector('.answer'));
            return [b.color, b.backgroundColor, a.color]; })()""")
        check(look == ["rgb(0, 0, 0)", "rgb(255, 255, 255)", "rgb(0, 0, 0)"],
              "export: printed black on white: %s" % look)
        pdf = browser.send("Page.printToPDF", {}, session=e)
        check(len(base64.b64decode(pdf["data"])) > 1000, "export: prints (PDF)")
        check(ev("window.liseurExportHtml().includes('sa niche')"),
              "export: window.liseurExportHtml() gives the same sheet")

    # Effacer asks first; confirmed, every field is empty, also after reopening.
    ev("window.confirm = () => false; document.getElementById('lp-clear').click()", True)
    check(values() == want, "Effacer does nothing when not confirmed")
    ev("window.__asked = ''; window.confirm = q => (window.__asked = q, true);"
       " document.getElementById('lp-clear').click()", True)
    empty = ["", "", "", False, [False, False]]
    check(values() == empty and ev("window.__asked").startswith("Effacer"),
          "Effacer, confirmed, empties every field: %s (%r)" % (values(), ev("window.__asked")))
    check(status() == "Les réponses sont effacées.", "Effacer says so: %r" % status())
    s = open_page(browser, page, domains)
    check(values() == empty, "and they stay empty after reopening: %s" % values())

    # Answers kept by the large-print script before it was shared are still found.
    store = ev("'liseur-answers-' + document.querySelector('[data-answers]').dataset.page")
    check(store.startswith("liseur-answers-lp-"), "answers: kept under %s" % store)
    ev("localStorage.setItem(%s, JSON.stringify({'answer-0': 'Tom', 'answer-3': true,"
       " 'answer-4-0': true, 'answer-4-1': false}))" % json.dumps(store))
    s = open_page(browser, page, domains)
    check(values() == ["Tom", "", "", True, [True, False]],
          "answers: the earlier script's saved answers are found: %s" % values())

    # An English sheet: English labels and messages, spoken in English.
    s = open_page(browser, english, domains)
    ev(stand_in)
    labels = ev("""[document.getElementById('lp-export').textContent,
                    document.getElementById('lp-clear').textContent,
                    document.querySelector('.lp-answer-say').textContent,
                    document.querySelector('.lp-choices').getAttribute('aria-label')]""")
    check(labels == ["Export", "Clear", "Read", "Choose"], "English sheet: %s" % labels)
    ev("document.getElementById('answer-0').focus()", True)
    key(browser, s, "r")
    check(status() == "Nothing to read.", "English sheet: Alt+R on nothing: %r" % status())
    browser.send("Input.insertText", {"text": "Sam"}, session=s)
    key(browser, s, "r")
    check(spoken() == [["Sam", "en"]], "English sheet: Alt+R speaks in English")
    check("<title>Completed sheet</title>" in ev("window.liseurExportHtml()"),
          "English sheet: the export's title")

    errors = [e["params"] for e in browser.events
              if e.get("method") == "Runtime.exceptionThrown" or
              (e.get("method") == "Log.entryAdded" and
               e["params"]["entry"].get("level") == "error")]
    check(not errors, "answers: no script error and no CSP refusal: %s" % errors[:3])


# ------------------------------------------------------------------------------------------

THEMES = {"black-on-white": ("rgb(0, 0, 0)", "rgb(255, 255, 255)"),
          "white-on-black": ("rgb(255, 255, 255)", "rgb(0, 0, 0)"),
          "yellow-on-black": ("rgb(255, 255, 0)", "rgb(0, 0, 0)")}


def computed_style(browser, session):
    return evaluate(browser, session, """(() => {
        const b = getComputedStyle(document.body);
        return {color: b.color, background: b.backgroundColor, size: b.fontSize,
                family: b.fontFamily, line: b.lineHeight};
    })()""")


def play_and_record(browser, session):
    """Presses play, waits for the end; returns (audio state, highlighted indices, first colours)."""
    evaluate(browser, session, """(() => {
        window.__seen = []; window.__colours = null;
        new MutationObserver(records => {
          for (const r of records) {
            const el = r.target;
            if (el.classList.contains('lp-current') &&
                window.__seen[window.__seen.length - 1] !== el.dataset.index) {
              window.__seen.push(el.dataset.index);
              if (!window.__colours) {
                const s = getComputedStyle(el);
                window.__colours = {color: s.color, background: s.backgroundColor};
              }
            }
          }
        }).observe(document.getElementById('lp-text'),
                   {subtree: true, attributes: true, attributeFilter: ['class']});
        return true;
    })()""")
    evaluate(browser, session, "document.getElementById('lp-play').click(); true", gesture=True)
    deadline = time.time() + 240
    state = {}
    while time.time() < deadline:
        state = evaluate(browser, session, """(() => {
            const a = document.getElementById('lp-audio');
            return {ended: a.ended, t: a.currentTime, paused: a.paused, duration: a.duration,
                    error: a.error && a.error.code};
        })()""")
        if state["ended"] or state["error"]:
            break
        time.sleep(0.2)
    seen = [int(i) for i in evaluate(browser, session, "window.__seen")]
    return state, seen, evaluate(browser, session, "window.__colours")


def adapt_page(liseur, image, tmp):
    """`liseur adapt IMAGE --profile low-vision` in a fresh XDG tree; returns (page, report)."""
    env = dict(os.environ)
    for d in ("config", "cache", "run", "home"):
        os.makedirs(os.path.join(tmp, "xdg", d), mode=0o700, exist_ok=True)
    env.update(XDG_CONFIG_HOME=os.path.join(tmp, "xdg", "config"),
               XDG_CACHE_HOME=os.path.join(tmp, "xdg", "cache"),
               XDG_RUNTIME_DIR=os.path.join(tmp, "xdg", "run"), HOME=os.path.join(tmp, "xdg", "home"))
    env.pop("LISEUR_PLUGIN_PATH", None)
    page = os.path.join(tmp, "adapted.html")
    p = subprocess.run([liseur, "adapt", image, "--profile", "low-vision", "-o", page, "--json"],
                       env=env, capture_output=True, timeout=300)
    if p.returncode != 0:
        raise SystemExit("FAIL: liseur adapt exited %d: %s" % (p.returncode, p.stderr.decode()))
    return page, json.loads(p.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("plugin")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--liseur", help="also check a page made by `liseur adapt` end to end")
    ap.add_argument("--image", help="the image for --liseur")
    args = ap.parse_args()
    if not os.access(args.chromium, os.X_OK):
        print("FAIL: no chromium at %s (Debian package chromium)" % args.chromium)
        return 1

    check = Checks()

    doc, narration, timings = make_request()
    options = {"theme": "yellow-on-black", "font_size_pt": 24, "line_spacing": 1.5,
               "letter_spacing_em": 0.05, "word_spacing_em": 0.2, "font": "DejaVu Sans",
               "max_width_em": 30, "highlight_word": True}
    html = render(args.plugin, {"document": doc, "options": {}, "narration": narration}, options)

    tmp = tempfile.mkdtemp(prefix="liseur-browser-")
    try:
        page = os.path.join(tmp, "large-print.html")
        with open(page, "w", encoding="utf-8") as f:
            f.write(html)
        # The three themes, each as a per-call option (as the profile's view.theme arrives).
        themed = {}
        for theme in THEMES:
            themed[theme] = os.path.join(tmp, "theme-%s.html" % theme)
            with open(themed[theme], "w", encoding="utf-8") as f:
                f.write(render(args.plugin, {"document": doc, "options": {"theme": theme,
                                                                         "font_size_pt": 30}},
                               options))
        adapted = adapt_page(args.liseur, args.image, tmp) if args.liseur else None

        browser = Browser(args.chromium, os.path.join(tmp, "profile"))
        try:
            session = open_page(browser, page)
            style = computed_style(browser, session)
            check(style["color"] == "rgb(255, 255, 0)", "text is yellow: %s" % style["color"])
            check(style["background"] == "rgb(0, 0, 0)", "background is black: %s" % style["background"])
            # 24 pt = 32 px
            check(style["size"] == "32px", "font size 24pt = 32px: %s" % style["size"])
            check(style["family"].startswith('"DejaVu Sans"'), "font family: %s" % style["family"])
            check(style["line"] == "48px", "line height 1.5: %s" % style["line"])

            spans = evaluate(browser, session,
                             "[...document.querySelectorAll('.lp-word')].map(s => s.textContent)")
            expected_words = [w for line in WORDS for w in line]
            check(spans == expected_words, "one span per word in order: %s" % spans)

            state, seen, colours = play_and_record(browser, session)
            check(bool(state.get("ended")), "the narration played to its end: %s" % state)
            print("     highlighted in this order: %s" % seen)
            expected = list(range(len(expected_words)))
            # Order is what matters; a very slow machine may skip a frame, never reorder.
            check(seen == sorted(seen) and len(set(seen)) == len(seen),
                  "words highlighted in spoken order: %s" % seen)
            check(len(seen) >= len(expected) * 3 // 4 and seen[:1] == [0] and seen[-1:] == [expected[-1]],
                  "the first, the last and most words were highlighted: %s of %s" % (seen, expected))
            check(colours == {"color": "rgb(0, 0, 0)", "background": "rgb(255, 255, 0)"},
                  "the highlighted word is inverted (black on yellow): %s" % colours)
            current = evaluate(browser, session,
                               "document.querySelectorAll('.lp-current').length")
            check(current == 0, "no highlight left after the end: %s" % current)

            for theme, (fg, bg) in THEMES.items():
                s = computed_style(browser, open_page(browser, themed[theme]))
                check(s["color"] == fg and s["background"] == bg and s["size"] == "40px",
                      "theme %s: %s on %s, 30pt = 40px: %s" % (theme, fg, bg, s))

            answers_checks(browser, args.plugin, options, tmp, check)

            if adapted:
                page2, report = adapted
                session = open_page(browser, page2)
                style = computed_style(browser, session)
                # low-vision: yellow on black, view.font_size_pt 28 = 37.33px
                check(style["color"] == "rgb(255, 255, 0)" and style["background"] == "rgb(0, 0, 0)",
                      "liseur adapt page: the profile's yellow-on-black theme: %s" % style)
                check(style["size"].startswith("37.3"), "liseur adapt page: 28pt: %s" % style["size"])
                words = [w["text"] for b in report["document"]["blocks"] for l in b["lines"]
                         for w in l["words"]]
                spans = evaluate(browser, session,
                                 "[...document.querySelectorAll('.lp-word')].map(s => s.textContent)")
                check(spans == words, "liseur adapt page: every adapted word in a span, in order "
                      "(%d spans, %d words)" % (len(spans), len(words)))
                timed = evaluate(browser, session, """(() => {
                    const t = JSON.parse(document.getElementById('lp-timings').textContent);
                    return t.map(w => document.getElementById('w-' + w.block + '-' + w.line + '-' +
                                                              w.word).dataset.index | 0);
                })()""")
                state, seen, colours = play_and_record(browser, session)
                check(bool(state.get("ended")), "liseur adapt page: the narration played to its "
                      "end: %s" % state)
                print("     %d of %d timed words highlighted" % (len(seen), len(timed)))
                check(seen == sorted(seen) and len(set(seen)) == len(seen),
                      "liseur adapt page: words highlighted in spoken order")
                check(len(seen) >= len(timed) * 3 // 4 and seen[:1] == timed[:1]
                      and seen[-1:] == timed[-1:],
                      "liseur adapt page: the first, the last and most timed words highlighted "
                      "(%d of %d)" % (len(seen), len(timed)))
                check(colours == {"color": "rgb(0, 0, 0)", "background": "rgb(255, 255, 0)"},
                      "liseur adapt page: the highlight is black on yellow: %s" % colours)

            requests = fetched_urls(browser)
            check(not requests, "nothing fetched from the network: %s" % requests)
        finally:
            browser.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    return check.exit_status()


if __name__ == "__main__":
    sys.exit(main())
