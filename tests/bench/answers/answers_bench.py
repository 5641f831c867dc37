#!/usr/bin/env python3
"""Answer places found on worksheets: `liseur adapt --json` against hand-written ground truth.

    /usr/bin/python3 tests/bench/answers/answers_bench.py [--build build] [--shared ../shared]

Each truth/NAME.json names a worksheet of ../shared/bench/<corpus> and the places a pupil must
be able to answer in: fields by their label ("Prénom"), answer lines or boxes by the end of the
line they follow ("au marché ?"). A found place matches a true one of the same family (field;
lines/box/blank; check/choice) when its label is the same word (fields) or the text of the line
it follows ends like the true one (letters and digits only, accents folded, OCR slips allowed: a
similarity of 0.75 over the true text's length). Each true place is matched once; found places
matching nothing are false.

Then every image of real-dev (scans, photos, screenshots: none is a worksheet) is adapted too and
the places taken there are counted: each is a field the page offers where nobody asked for an
answer (forms and dialogs do have some).

Prints, per sheet and in all: true places, found, matched, recall (target >= 90 %), false share
of the found (target <= 5 %), and the time of `liseur adapt --no-narration` per sheet.
"""
import argparse
import difflib
import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))


def fold(text):
    text = unicodedata.normalize('NFD', text.lower())
    return ''.join(c for c in text if c.isalnum())


def family(kind):
    return {'field': 'field', 'lines': 'write', 'box': 'write', 'blank': 'write', 'cell': 'write',
            'check': 'choose', 'choice': 'choose'}.get(kind, kind)


def line_text(doc, place):
    return ' '.join(w['text'] for w in doc['blocks'][place['block']]['lines'][place['line']]['words']
                    [:place['after'] + 1])


def matches(truth, found, doc):
    if family(truth['kind']) != family(found['kind']):
        return False
    if truth['kind'] == 'field':
        return fold(found.get('label', '')) == fold(truth['label'])
    want = fold(truth['after'])
    have = fold(line_text(doc, found))[-len(want) - 2:]
    if have.endswith(want):
        return True
    tail = have[-len(want):]
    return difflib.SequenceMatcher(None, tail, want).ratio() >= 0.75


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'))
    ap.add_argument('--shared', default=os.path.join(ROOT, '..', 'shared'))
    ap.add_argument('--json', help='also write the figures as JSON here')
    a = ap.parse_args()
    cli = os.path.join(a.build, 'daemon', 'app', 'liseur')
    rows, totals = [], dict(truth=0, found=0, matched=0)
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(tmp, 'config'),
                   XDG_RUNTIME_DIR=os.path.join(tmp, 'run'), HOME=tmp)
        os.makedirs(env['XDG_RUNTIME_DIR'], mode=0o700)
        for path in sorted(glob.glob(os.path.join(HERE, 'truth', '*.json'))):
            truth = json.load(open(path, encoding='utf-8'))
            image = os.path.join(a.shared, 'bench', truth['corpus'], truth['image'])
            if not os.path.exists(image):
                sys.exit(f'answers_bench: {image} is missing (give --shared DIR)')
            t0 = time.monotonic()
            out = subprocess.run([cli, 'adapt', image, '-o', os.path.join(tmp, 'page.html'),
                                  '--no-narration', '--json'], env=env, capture_output=True,
                                 text=True)
            times.append(time.monotonic() - t0)
            if out.returncode != 0:
                sys.exit(f'answers_bench: liseur adapt {image} failed: {out.stderr.strip()}')
            doc = json.loads(out.stdout)['document']
            found = doc.get('answers', [])
            left = list(found)
            matched = 0
            for t in truth['places']:
                for f in left:
                    if matches(t, f, doc):
                        left.remove(f)
                        matched += 1
                        break
            rows.append((truth['image'], len(truth['places']), len(found), matched, times[-1]))
            totals['truth'] += len(truth['places'])
            totals['found'] += len(found)
            totals['matched'] += matched
        # Held-out check: pages that are not worksheets.
        counts, pages = {}, 0
        images = sorted(glob.glob(os.path.join(a.shared, 'bench', 'real-dev', '*.png')) +
                        glob.glob(os.path.join(a.shared, 'bench', 'real-dev', '*.jpg')))
        for image in images:
            out = subprocess.run([cli, 'adapt', image, '-o', os.path.join(tmp, 'page.html'),
                                  '--no-narration', '--json'], env=env, capture_output=True,
                                 text=True)
            if out.returncode != 0:
                continue
            found = json.loads(out.stdout)['document'].get('answers', [])
            pages += 1 if found else 0
            for f in found:
                counts[f['kind']] = counts.get(f['kind'], 0) + 1
        total = sum(counts.values())
        print(f'real-dev (not worksheets): {total} places on {pages} of {len(images)} images '
              f'({", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"})')
    print(f"{'sheet':28} {'true':>5} {'found':>6} {'matched':>8} {'time s':>7}")
    for name, t, f, m, s in rows:
        print(f'{name:28} {t:5d} {f:6d} {m:8d} {s:7.2f}')
    recall = totals['matched'] / max(1, totals['truth'])
    false = (totals['found'] - totals['matched']) / max(1, totals['found'])
    print(f"answer places: {totals['matched']} of {totals['truth']} found = {recall:.1%} "
          f"(target >= 90 %); false {totals['found'] - totals['matched']} of {totals['found']} "
          f"found = {false:.1%} (target <= 5 %); median time per sheet "
          f"{statistics.median(times):.2f} s")
    if a.json:
        json.dump(dict(totals, recall=recall, false=false, median_s=statistics.median(times),
                       sheets=[dict(image=r[0], truth=r[1], found=r[2], matched=r[3], s=r[4])
                               for r in rows]), open(a.json, 'w'), indent=1)


if __name__ == '__main__':
    main()
