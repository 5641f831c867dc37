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
import ctypes
import json
import math
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

# ------------------------------------------------------------------------------------------
# The plugin through its C ABI (mirrors plugins/sdk/liseur_plugin.h, ABI 1)

class Output(ctypes.Structure):
    pass

WRITE = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(Output), ctypes.c_void_p, ctypes.c_size_t)
SET_ERROR = ctypes.CFUNCTYPE(None, ctypes.POINTER(Output), ctypes.c_void_p, ctypes.c_size_t)
Output._fields_ = [("struct_size", ctypes.c_uint32), ("host_data", ctypes.c_void_p),
                   ("write", WRITE), ("set_error", SET_ERROR)]
HOOK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t,
                        ctypes.POINTER(Output))
CREATE = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t,
                          ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(Output))
DESTROY = ctypes.CFUNCTYPE(None, ctypes.c_void_p)


class Plugin(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32), ("abi_version", ctypes.c_uint32),
                ("id", ctypes.c_char_p), ("version", ctypes.c_char_p), ("create", CREATE),
                ("destroy", DESTROY), ("adapt", HOOK), ("speak", HOOK), ("render", HOOK)]


def render(plugin_path, request, options):
    lib = ctypes.CDLL(plugin_path)
    lib.liseur_plugin_entry.restype = ctypes.POINTER(Plugin)
    lib.liseur_plugin_entry.argtypes = [ctypes.c_uint32]
    api = lib.liseur_plugin_entry(1).contents
    chunks, errors = [], []

    def write(_out, data, n):
        chunks.append(ctypes.string_at(data, n))
        return 0

    def set_error(_out, data, n):
        errors.append(ctypes.string_at(data, n).decode("utf-8", "replace"))

    out = Output(ctypes.sizeof(Output), None, WRITE(write), SET_ERROR(set_error))
    inst = ctypes.c_void_p()
    opts = json.dumps(options).encode()
    if api.create(opts, len(opts), ctypes.byref(inst), ctypes.byref(out)) != 0:
        raise SystemExit("create failed: %s (options %s)" % (errors, options))
    req = json.dumps(request).encode()
    status = api.render(inst, req, len(req), ctypes.byref(out))
    if status != 0:
        raise SystemExit("render failed with status %d: %s" % (status, errors))
    api.destroy(inst)
    return json.loads(b"".join(chunks))["html"]


# ------------------------------------------------------------------------------------------
# The page

WORDS = [["Le", "petit", "chat"], ["dort", "au", "soleil."], ["Il", "rêve", "d'une", "souris."]]
WORD_MS = 300


def tone_wav(ms, rate=16000):
    n = int(rate * ms / 1000)
    data = b"".join(struct.pack("<h", int(3000 * math.sin(2 * math.pi * 440 * i / rate)))
                    for i in range(n))
    return (b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " +
            struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16) + b"data" +
            struct.pack("<I", len(data)) + data)


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
# Chromium over --remote-debugging-pipe: NUL-terminated JSON messages, fd 3 in, fd 4 out.

class Browser:
    def __init__(self, chromium, profile):
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        args = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--remote-debugging-pipe",
                "--autoplay-policy=no-user-gesture-required", "--mute-audio",
                "--window-size=1000,800", "about:blank"]

        def child_fds():
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        self.proc = subprocess.Popen(args, pass_fds=(3, 4), preexec_fn=child_fds,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._next = 0
        self.events = []

    def send(self, method, params=None, session=None, timeout=30):
        self._next += 1
        msg = {"id": self._next, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = self._read(deadline)
            if m.get("id") == self._next:
                if "error" in m:
                    raise RuntimeError("%s failed: %s" % (method, m["error"]))
                return m["result"]
            self.events.append(m)
        raise RuntimeError("%s: no answer within %d s" % (method, timeout))

    def _read(self, deadline):
        while b"\0" not in self._buf:
            if time.time() > deadline:
                raise RuntimeError("chromium stopped talking")
            chunk = os.read(self._from_chrome, 65536)
            if not chunk:
                raise RuntimeError("chromium closed the pipe (exit %s)" % self.proc.poll())
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def close(self):
        try:
            self.send("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def evaluate(browser, session, expr, gesture=False):
    r = browser.send("Runtime.evaluate", {"expression": expr, "returnByValue": True,
                                          "awaitPromise": True, "userGesture": gesture},
                     session=session)
    if "exceptionDetails" in r:
        raise RuntimeError("page error in %r: %s" % (expr, r["exceptionDetails"]))
    return r["result"].get("value")


# ------------------------------------------------------------------------------------------

THEMES = {"black-on-white": ("rgb(0, 0, 0)", "rgb(255, 255, 255)"),
          "white-on-black": ("rgb(255, 255, 255)", "rgb(0, 0, 0)"),
          "yellow-on-black": ("rgb(255, 255, 0)", "rgb(0, 0, 0)")}


def open_page(browser, path):
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    browser.send("Network.enable", session=session)
    browser.send("Page.enable", session=session)
    browser.send("Page.navigate", {"url": "file://" + path}, session=session)
    deadline = time.time() + 20
    while evaluate(browser, session, "document.readyState") != "complete":
        if time.time() > deadline:
            raise RuntimeError("the page did not load: " + path)
        time.sleep(0.1)
    return session


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


def network_requests(browser):
    return [e["params"]["request"]["url"] for e in browser.events
            if e.get("method") == "Network.requestWillBeSent"
            and not e["params"]["request"]["url"].startswith(("file:", "data:"))]


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

    failures = []

    def check(ok, what):
        print(("ok   " if ok else "FAIL ") + what)
        if not ok:
            failures.append(what)

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

            requests = network_requests(browser)
            check(not requests, "nothing fetched from the network: %s" % requests)
        finally:
            browser.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
