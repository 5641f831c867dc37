#!/usr/bin/env python3
"""Real-browser test of the large-print view (label `integration`).

Renders a page with narration through the large-print plugin's C ABI (ctypes, as the host
calls it), opens it in Debian's headless Chromium driven over the DevTools protocol on
--remote-debugging-pipe (no network port, no npm), and checks:
  - the computed colours of the three themes and the font size from the options;
  - that pressing play highlights the words in the order they are spoken, with the
    highlight's computed colours inverted;
  - that the page fetched nothing (the CSP blocks the network; no request leaves it);
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
