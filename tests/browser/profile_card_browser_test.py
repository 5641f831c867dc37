#!/usr/bin/env python3
"""Real-browser test of the printable profile card (label `integration`).

Makes cards with the real CLI (`liseur profile new/set/card`, in a private XDG config
directory), opens them in Debian's headless Chromium driven over the DevTools protocol on
--remote-debugging-pipe (no network port, no npm), and checks:
  - the card renders: the profile's name, voice, rate and hotkeys are in the page as set;
  - printed (Page.printToPDF with the page's own @page size), it is exactly one A4 page;
  - the page fetched nothing and broke no Content-Security-Policy rule.

Usage: profile_card_browser_test.py --liseur build/daemon/app/liseur [--chromium /usr/bin/chromium]
       [--keep DIR]   (keeps the cards and their PDFs in DIR, to look at them)
Exit status 0 on success; every failure prints what was expected and what was found.
"""
import argparse
import base64
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp_pipe import Browser, Checks, evaluate, open_page, requests  # noqa: E402  (the DevTools pipe)

A4_POINTS = (595.28, 841.89)


def run(liseur, env, *args):
    r = subprocess.run([liseur, *args], env=env, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise SystemExit("FAIL: liseur %s exited %d: %s%s" % (" ".join(args), r.returncode,
                                                           r.stdout, r.stderr))
    return r.stdout


def pdf_pages(pdf):
    """Page objects and the page sizes of a PDF made by Chromium (Skia writes no object streams)."""
    pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
    boxes = [tuple(float(v) for v in m.groups()[2:]) for m in
             re.finditer(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]", pdf)]
    return pages, boxes


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--liseur", required=True)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--keep", default="")
    args = ap.parse_args()
    if not os.access(args.chromium, os.X_OK):
        print("FAIL: no chromium at %s (Debian package chromium)" % args.chromium)
        return 1

    check = Checks()

    tmp = tempfile.mkdtemp(prefix="liseur-card-")
    try:
        env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(tmp, "config"),
                   XDG_RUNTIME_DIR=os.path.join(tmp, "run"), XDG_CACHE_HOME=os.path.join(tmp, "cache"),
                   LANG="C.UTF-8")
        env.pop("LC_ALL", None)
        env.pop("LC_MESSAGES", None)
        os.makedirs(env["XDG_RUNTIME_DIR"], mode=0o700)
        # A pupil's profile made as support staff make it: from a template, then adjusted.
        run(args.liseur, env, "profile", "new", "lea", "--from", "dys-primaire")
        run(args.liseur, env, "profile", "set", "lea", "speech.rate", "135")
        run(args.liseur, env, "profile", "set", "lea", "speech.voice_fr", "fr-be")
        run(args.liseur, env, "profile", "set", "lea", "hotkeys.stop", "Ctrl+Alt+Shift+X")
        run(args.liseur, env, "profile", "set", "lea", "hotkeys.spell", "")
        run(args.liseur, env, "profile", "set", "lea", "profile.description",
            "Léa, CE2 <classe de Mme Roux> & \"AESH\"")
        cards = {
            # name: (profile, extra args, expected rate text, expected French voice)
            "lea": ("lea", [], "135 mots par minute", "fr-be"),
            "blind-expert-en": ("blind-expert", ["--lang", "en"], "330 words per minute", "fr"),
            "low-vision": ("low-vision", ["--lang", "fr"], "170 mots par minute", "fr"),
        }
        paths = {}
        for name, (profile, extra, _, _) in cards.items():
            paths[name] = os.path.join(tmp, name + ".html")
            run(args.liseur, env, "profile", "card", profile, "-o", paths[name], *extra)

        browser = Browser(args.chromium, os.path.join(tmp, "chromium"))
        try:
            for name, (profile, extra, rate, voice) in cards.items():
                page = paths[name]
                session = open_page(browser, page, ("Network", "Page", "Log", "Runtime"))
                info = evaluate(browser, session, """(() => {
                    const text = id => { const e = document.getElementById(id);
                                         return e ? e.querySelector('td').textContent : null; };
                    const keys = {};
                    for (const tr of document.querySelectorAll('#hotkeys tr[data-action]'))
                      keys[tr.dataset.action] = tr.querySelector('td').textContent;
                    const r = document.getElementById('profile-name').getBoundingClientRect();
                    return {name: document.getElementById('profile-name').textContent,
                            description: (document.getElementById('profile-description') || {}).textContent,
                            rate: text('rate'), voice: text('voice-fr'), keys,
                            nameVisible: r.width > 0 && r.height > 0,
                            scripts: document.scripts.length, lang: document.documentElement.lang};
                })()""")
                check(info["name"] == profile, "%s: the card is titled %r: %r" % (name, profile, info["name"]))
                check(info["nameVisible"], "%s: the title is laid out on screen" % name)
                check(info["rate"] == rate, "%s: rate %r: %r" % (name, rate, info["rate"]))
                check(info["voice"] == voice, "%s: French voice %r: %r" % (name, voice, info["voice"]))
                check(info["scripts"] == 0, "%s: no script in the page: %s" % (name, info["scripts"]))
                keys = info["keys"]
                check(len(keys) >= 13, "%s: one hotkey row per action: %d" % (name, len(keys)))
                if name == "lea":
                    check(keys.get("stop") == "Ctrl+Alt+Maj+X",
                          "lea: stop is the key set for her: %r" % keys.get("stop"))
                    check(keys.get("spell") == "aucun", "lea: spell has no key: %r" % keys.get("spell"))
                    check(info["description"] == "Léa, CE2 <classe de Mme Roux> & \"AESH\"",
                          "lea: the description is shown as written, not as markup: %r" %
                          info["description"])
                else:
                    shift = "Shift" if info["lang"] == "en" else "Maj"
                    check(keys.get("read_window") == "Ctrl+Alt+%s+W" % shift,
                          "%s: read_window: %r" % (name, keys.get("read_window")))

                pdf = base64.b64decode(browser.send("Page.printToPDF", {
                    "preferCSSPageSize": True, "printBackground": True}, session=session)["data"])
                pages, boxes = pdf_pages(pdf)
                check(pages == 1, "%s: printed on exactly one page: %d" % (name, pages))
                a4 = all(abs(b[0] - A4_POINTS[0]) < 2 and abs(b[1] - A4_POINTS[1]) < 2 for b in boxes)
                check(bool(boxes) and a4, "%s: the page is A4 (595 x 842 pt): %s" % (name, boxes[:3]))
                if args.keep:
                    os.makedirs(args.keep, exist_ok=True)
                    shutil.copy(page, args.keep)
                    with open(os.path.join(args.keep, name + ".pdf"), "wb") as f:
                        f.write(pdf)

            own = {"file://" + p for p in paths.values()}
            fetched = requests(browser, local=True)
            check(bool(fetched) and set(fetched) <= own,
                  "nothing fetched but the cards themselves: %s" % sorted(set(fetched) - own))
            csp = [e["params"]["entry"]["text"] for e in browser.events
                   if e.get("method") == "Log.entryAdded"
                   and "Content Security Policy" in e["params"]["entry"].get("text", "")]
            csp += [str(e["params"]) for e in browser.events
                    if e.get("method") == "Runtime.consoleAPICalled"]
            check(not csp, "no Content-Security-Policy violation or console message: %s" % csp)
        finally:
            browser.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    return check.exit_status()


if __name__ == "__main__":
    sys.exit(main())
