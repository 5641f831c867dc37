#!/usr/bin/env python3
"""The pupil answers on the adapted page: a real worksheet image through the real `liseur adapt`
(OCR, page marks, reading-order, dys view), then answered in Debian's headless Chromium.

  1. A worksheet is drawn by Chromium itself (HTML printed on a white A5-ish page, with a field
     line "Prénom : ..........  Date : ........", a fill-in sentence, numbered questions with
     dotted answer lines under them, check boxes, "Entoure ... : chat / chien" and a ruled table
     to complete) and captured
     as a PNG: real pixels, real fonts, no image in the repository.
  2. `liseur adapt PNG --profile dys-primaire --no-narration -o page.html --json`: the answer
     places found are checked against what was drawn (kinds, labels, the lines they follow).
  3. The page in Chromium: every field is a real form control with a label; Tab reaches them in
     reading order; text typed in each is kept in the browser's storage and is still there after
     the page is closed and opened again; Alt+R in a field reads it back (through the browser's
     speech synthesis, or says it has none); choices are buttons that toggle; the export is one
     HTML file with the question texts and the answers in place, no script, nothing to fetch;
     "Effacer" asks, then empties every field; the page fetched nothing.

Usage: answers_browser_test.py --liseur build/daemon/app/liseur [--chromium /usr/bin/chromium]
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
import cdp_pipe as cdp  # noqa: E402

SHEET = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><style>
body { margin: 0; background: #fff; color: #111; font: 26px "DejaVu Serif", serif; width: 1400px; }
main { padding: 50px 70px; }
h1 { font-size: 38px; margin: 0 0 30px; text-align: center; }
p { margin: 0 0 26px; }
.dots { display: inline-block; border-bottom: 3px dotted #777; height: 1px; vertical-align: baseline; }
.rule { border-bottom: 3px dotted #777; height: 50px; margin: 0 0 30px 40px; }
table { border-collapse: collapse; margin: 0 0 26px 40px; }
td { border: 3px solid #222; padding: 8px 20px; width: 260px; height: 40px; }
.box { display: inline-block; width: 22px; height: 22px; border: 3px solid #222; vertical-align: -3px;
       margin: 0 10px 0 30px; }
</style></head><body><main>
<h1>Les animaux de la ferme</h1>
<p>Prénom : <span class="dots" style="width: 300px"></span> &nbsp;&nbsp; Date : <span class="dots" style="width: 240px"></span></p>
<p>Complète : Le chien garde <span class="dots" style="width: 260px"></span> la maison.</p>
<p>1. Quel animal donne du lait ?</p>
<div class="rule"></div>
<p>2. Où dorment les poules ?</p>
<div class="rule"></div>
<p>3. Coche les animaux qui volent :<span class="box"></span>la poule<span class="box"></span>le cochon</p>
<p>Entoure la bonne réponse : chat / chien</p>
<p>4. Complète le tableau.</p>
<table><tr><td>Mot</td><td>Nature</td></tr><tr><td>chat</td><td></td></tr>
<tr><td>courir</td><td></td></tr></table>
</main></body></html>
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--liseur", required=True)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--keep", help="copy the worksheet image and the pages here")
    args = ap.parse_args()
    if not os.access(args.chromium, os.X_OK):
        print("FAIL: no chromium at %s (Debian package chromium)" % args.chromium)
        return 1
    check = cdp.Checks()
    tmp = tempfile.mkdtemp(prefix="liseur-answers-")
    try:
        browser = cdp.Browser(args.chromium, os.path.join(tmp, "profile"))
        try:
            # 1. The worksheet's pixels.
            sheet = os.path.join(tmp, "sheet.html")
            with open(sheet, "w", encoding="utf-8") as f:
                f.write(SHEET)
            s = cdp.new_session(browser, ("Page",))
            browser.send("Emulation.setDeviceMetricsOverride",
                         {"width": 1400, "height": 1300, "deviceScaleFactor": 1, "mobile": False},
                         session=s)
            cdp.navigate(browser, s, sheet)
            shot = browser.send("Page.captureScreenshot", {"format": "png"}, session=s)
            png = os.path.join(tmp, "fiche.png")
            with open(png, "wb") as f:
                f.write(base64.b64decode(shot["data"]))

            if args.keep:
                shutil.copy(png, args.keep)
            # 2. liseur adapt, in a fresh XDG tree.
            env = dict(os.environ)
            for d in ("config", "cache", "run", "home"):
                os.makedirs(os.path.join(tmp, "xdg", d), mode=0o700)
            env.update(XDG_CONFIG_HOME=os.path.join(tmp, "xdg", "config"),
                       XDG_CACHE_HOME=os.path.join(tmp, "xdg", "cache"),
                       XDG_RUNTIME_DIR=os.path.join(tmp, "xdg", "run"),
                       HOME=os.path.join(tmp, "xdg", "home"))
            env.pop("LISEUR_PLUGIN_PATH", None)
            page = os.path.join(tmp, "fiche-adaptee.html")
            p = subprocess.run([args.liseur, "adapt", png, "--profile", "dys-primaire",
                                "--no-narration", "-o", page, "--json"],
                               env=env, capture_output=True, text=True, timeout=300)
            check(p.returncode == 0, "liseur adapt made the page (%s)" % p.stderr.strip()[-300:])
            if p.returncode != 0:
                return check.exit_status()
            doc = json.loads(p.stdout)["document"]
            places = doc.get("answers", [])

            def line_text(a):
                words = doc["blocks"][a["block"]]["lines"][a["line"]]["words"]
                return " ".join(w["text"] for w in words[:a["after"] + 1])

            kinds = [a["kind"] for a in places]
            print("found:", [(a["kind"], a.get("label", ""), line_text(a)[-30:]) for a in places])
            fields = {a.get("field") for a in places if a["kind"] == "field"}
            check({"first-name", "date"} <= fields, "the Prénom and Date fields: %s" % fields)
            blank = [a for a in places if a["kind"] == "blank"]
            check(len(blank) == 1 and line_text(blank[0]).endswith("garde"),
                  "the fill-in blank after 'Le chien garde': %s" % [line_text(a) for a in blank])
            lines = [line_text(a) for a in places if a["kind"] == "lines"]
            check(any(t.endswith("lait ?") for t in lines) and
                  any(t.endswith("poules ?") for t in lines),
                  "an answer under each question: %s" % lines)
            checks = [a.get("label", "") for a in places if a["kind"] == "check"]
            check(checks == ["la poule", "le cochon"], "two check boxes with their choices: %s" % checks)
            choice = [a.get("options") for a in places if a["kind"] == "choice"]
            check(choice == [["chat", "chien"]], "the choice chat / chien: %s" % choice)
            cells = [(a.get("label", ""), a.get("row")) for a in places if a["kind"] == "cell"]
            check(cells == [("Nature", 1), ("Nature", 2)], "the table's two empty cells: %s" % cells)
            check(len(places) == 10, "nothing else taken for a place (%d found: %s)" % (len(places), kinds))

            # 3. The page.
            s = cdp.open_page(browser, page)

            def ev(expr, gesture=False):
                return cdp.evaluate(browser, s, expr, gesture)

            n = ev("document.querySelectorAll('.dys-answer').length")
            check(n == len(places), "one control per place on the page: %d" % n)
            unlabelled = ev("""[...document.querySelectorAll('.dys-answer')]
                               .filter(f => !f.getAttribute('aria-label')).length""")
            check(unlabelled == 0, "every field has a label for screen readers")
            check(ev("document.querySelector('#answer-0').getAttribute('aria-label')") == "Prénom",
                  "the first field is labelled Prénom")
            # Tab from the top reaches the fields in reading order.
            # Tab through each part of the sheet (one exercise at a time), then "Suivant".
            ev("document.activeElement.blur(); window.scrollTo(0, 0)")
            order = []
            parts = ev("document.querySelectorAll('.dys-screen').length") or 1
            for part in range(parts):
                for _ in range(40):
                    browser.send("Input.dispatchKeyEvent", {"type": "keyDown", "key": "Tab",
                                                            "code": "Tab",
                                                            "windowsVirtualKeyCode": 9}, session=s)
                    browser.send("Input.dispatchKeyEvent", {"type": "keyUp", "key": "Tab",
                                                            "code": "Tab",
                                                            "windowsVirtualKeyCode": 9}, session=s)
                    a = ev("document.activeElement.closest('.dys-answer') ? "
                           "document.activeElement.closest('.dys-answer').id : ''")
                    if a and a not in order:
                        order.append(a)
                if part + 1 < parts:
                    ev("document.getElementById('dys-next').click()", True)
            want = ["answer-%d" % i for i in range(len(places))]
            check(order == want, "Tab reaches every answer in reading order: %s" % order)

            # Typing: real key input into the focused field.
            typed = {}
            texts = ["Léa", "12 mars", "la maison", "La vache.", "Dans le poulailler.", "nom",
                     "verbe"]
            text_fields = ev("[...document.querySelectorAll("
                             "'input[type=text].dys-answer, textarea.dys-answer')].map(f => f.id)")
            def reveal(fid):  # show the part holding the field, then focus it
                ev("(() => { const f = document.getElementById(%s);"
                   " const part = f.closest('.dys-screen');"
                   " for (const b of ['dys-prev', 'dys-next'])"
                   "   for (let i = 0; i < 20 && part && part.hidden; ++i)"
                   "     document.getElementById(b).click();"
                   " f.focus(); })()" % json.dumps(fid), True)

            for fid, text in zip(text_fields, texts):
                reveal(fid)
                browser.send("Input.insertText", {"text": text}, session=s)
                typed[fid] = text
            reveal(ev("document.querySelector('input[type=checkbox].dys-answer').id"))
            ev("document.querySelectorAll('input[type=checkbox].dys-answer')[0].click()", True)
            reveal(ev("document.querySelector('.dys-choices').id"))
            ev("document.querySelector('.dys-choice[data-option=\"1\"]').click()", True)
            got = ev("Object.fromEntries([...document.querySelectorAll('.dys-answer')]"
                     ".filter(f => f.value !== undefined && f.type !== 'checkbox')"
                     ".map(f => [f.id, f.value]))")
            check(all(got.get(k) == v for k, v in typed.items()), "typed into every field: %s" % got)

            # What is typed is shown in syllables, cut and coloured like the sheet's words: the
            # same splitter as the sheet's (WebAssembly in the page), on the focused field.
            check(ev("new Promise(r => { let n = 0; const t = () => "
                     "document.body.dataset.typedSyllables || ++n > 100 ? r(document.body.dataset."
                     "typedSyllables || '') : setTimeout(t, 50); t(); })") == "ready",
                  "the syllable splitter started in the page")
            reveal(text_fields[2])
            ev("document.activeElement.select()", True)
            browser.send("Input.insertText", {"text": "le chocolat chantent"}, session=s)
            syl = ev("[...document.querySelectorAll('#dys-typed-text .dys-syl')]"
                     ".map(e => e.textContent + '/' + e.className)")
            check(syl == ["le/dys-syl dys-s0", "cho/dys-syl dys-s0", "co/dys-syl dys-s1",
                          "lat/dys-syl dys-s0", "chan/dys-syl dys-s0", "tent/dys-syl dys-s1"],
                  "the typed answer in syllables, colours restarting at each word: %s" % syl)
            check(ev("document.getElementById('dys-typed-text').textContent") ==
                  "le chocolat chantent", "the panel shows the whole answer")
            check(ev("document.getElementById('dys-typed').hidden") is False,
                  "the panel is shown while typing")
            colour = ev("getComputedStyle(document.querySelector('#dys-typed-text .dys-s1'))"
                        ".color")
            word_colour = ev("getComputedStyle(document.querySelector('.dys-word .dys-s1')).color")
            check(colour == word_colour, "a typed syllable has the sheet's syllable colour "
                  "(%s, %s)" % (colour, word_colour))
            ev("document.activeElement.select()", True)
            browser.send("Input.insertText", {"text": typed[text_fields[2]]}, session=s)
            ev("document.activeElement.blur(); document.getElementById('dys-focus').focus()", True)
            check(ev("document.getElementById('dys-typed').hidden") is True,
                  "the panel is hidden once out of the fields")

            # Read back (Alt+R): the browser's voice, or a clear message when it has none.
            reveal(text_fields[0])
            browser.send("Input.dispatchKeyEvent", {"type": "keyDown", "key": "r", "code": "KeyR",
                                                    "modifiers": 1, "windowsVirtualKeyCode": 82},
                         session=s)
            status = ev("document.getElementById('dys-answer-status').textContent")
            check("Léa" in status, "Alt+R reads the answer back: %r" % status)

            # Closed and opened again: the answers are still there.
            for t in browser.send("Target.getTargets")["targetInfos"]:
                if t["type"] == "page":
                    browser.send("Target.closeTarget", {"targetId": t["targetId"]})
            s = cdp.open_page(browser, page)
            got = ev("Object.fromEntries([...document.querySelectorAll('.dys-answer')]"
                     ".filter(f => f.type !== 'checkbox' && f.value !== undefined)"
                     ".map(f => [f.id, f.value]))")
            check(all(got.get(k) == v for k, v in typed.items()),
                  "the answers are kept after closing and opening the page: %s" % got)
            check(ev("document.querySelectorAll('input[type=checkbox].dys-answer')[0].checked") is True,
                  "the ticked box is kept")
            check(ev("document.querySelector('.dys-choice[data-option=\"1\"]')"
                     ".getAttribute('aria-pressed')") == "true", "the chosen answer is kept")

            # Export: one file, the questions with the answers in place, no script, no fetch.
            html = ev("window.liseurExportHtml()")
            out = os.path.join(tmp, "fiche-completee.html")
            with open(out, "w", encoding="utf-8") as f:
                f.write(html)
            check("<script" not in html.lower(), "the exported sheet has no script")
            check("lait" in html and "poules" in html, "it has the questions' text")
            check(all(t in html for t in texts), "and every answer typed")
            check("Nature" in html, "and the table's column heads")
            check("\u2611 chien" in html or "\u2611 chien".encode().decode() in html,
                  "and the chosen answer marked")
            s2 = cdp.open_page(browser, out)
            shown = cdp.evaluate(browser, s2, "document.body.innerText")
            check("Dans le poulailler." in shown, "the exported file opens and shows the answers")

            # Effacer asks first; confirmed, every field is empty, also after reopening.
            ev("window.confirm = () => false; document.getElementById('dys-clear').click()", True)
            check(ev("document.getElementById(%s).value" % json.dumps(text_fields[0])) == "Léa",
                  "Effacer does nothing when not confirmed")
            ev("window.confirm = () => true; document.getElementById('dys-clear').click()", True)
            left = ev("[...document.querySelectorAll('input[type=text].dys-answer, "
                      "textarea.dys-answer')].filter(f => f.value).length")
            check(left == 0, "Effacer, confirmed, empties every field")
            s = cdp.open_page(browser, page)
            left = ev("[...document.querySelectorAll('input[type=text].dys-answer, "
                      "textarea.dys-answer')].filter(f => f.value).length")
            check(left == 0, "and they stay empty after reopening")
            check(cdp.requests(browser) == [], "nothing was fetched: %s" % cdp.requests(browser))

            # 4. The same sheet in large print (profile low-vision): a field at every place, in
            # the page's own large font, labelled; what is typed and ticked is kept.
            lp = os.path.join(tmp, "fiche-gros.html")
            p = subprocess.run([args.liseur, "adapt", png, "--profile", "low-vision",
                                "--no-narration", "-o", lp, "--json"],
                               env=env, capture_output=True, text=True, timeout=300)
            check(p.returncode == 0, "liseur adapt made the large-print page (%s)"
                  % p.stderr.strip()[-300:])
            if p.returncode == 0:
                lp_places = json.loads(p.stdout)["document"].get("answers", [])
                s = cdp.open_page(browser, lp)
                names = ev("[...new Set([...document.querySelectorAll('.lp-answer')]"
                           ".map(f => f.name))].length")
                check(names == len(lp_places) and names >= 10,
                      "large print: one control per place (%s for %d places)"
                      % (names, len(lp_places)))
                check(ev("[...document.querySelectorAll('.lp-answer')]"
                         ".filter(f => f.type !== 'radio' && !f.getAttribute('aria-label')).length")
                      == 0, "large print: every field has a label for screen readers")
                sizes = ev("(() => { const f = document.querySelector('input[type=text].lp-answer');"
                           " const w = f.closest('.lp-line').querySelector('.lp-word');"
                           " return [getComputedStyle(w).fontSize, getComputedStyle(f).fontSize];"
                           " })()")
                check(sizes[0] == sizes[1], "large print: fields in the text's size: %s" % sizes)
                ev("document.querySelector('input[type=text].lp-answer').focus()", True)
                browser.send("Input.insertText", {"text": "Léa"}, session=s)
                ev("document.querySelector('textarea.lp-answer').focus()", True)
                browser.send("Input.insertText", {"text": "Du lait."}, session=s)
                ev("document.querySelector('input[type=checkbox].lp-answer').click()", True)
                ev("document.querySelectorAll('input[type=radio].lp-answer')[1].click()", True)
                s = cdp.open_page(browser, lp)
                kept = ev("[document.querySelector('input[type=text].lp-answer').value,"
                          " document.querySelector('textarea.lp-answer').value,"
                          " document.querySelector('input[type=checkbox].lp-answer').checked,"
                          " document.querySelectorAll('input[type=radio].lp-answer')[1].checked]")
                check(kept == ["Léa", "Du lait.", True, True],
                      "large print: the answers are kept after reopening: %s" % kept)
                check(cdp.requests(browser) == [], "large print: nothing was fetched")
        finally:
            browser.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return check.exit_status()


if __name__ == "__main__":
    sys.exit(main())
