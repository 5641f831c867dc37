#!/usr/bin/env python3
"""A photographed one-page worksheet -> adapted HTML with narration: `liseur adapt` wall time.

    python3 tests/bench/adapt/adapt_bench.py [--build build] [--runs 5] [--image IMG] [--profile P]

The image is the largest photographed worksheet of ../shared/bench/corpus-dev (degrade "photo" in
its manifest, made by gen_corpus.py: 300 dpi, rotated, vignetted, defocused, JPEG). The profile is
dys-primaire when the dys plugin is installed (`liseur plugins --json`), else low-vision. Each run
is a fresh `liseur adapt` process, as a teacher runs it (no daemon: every worker starts cold),
timed from the outside; the program's own split (OCR done, speech done, render) comes from its
--json report. Prints every run and the median; target <= 3 s on this 2-core machine.
Not a test: nothing is asserted.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
SHARED = os.path.abspath(os.path.join(ROOT, '..', 'shared', 'bench'))
sys.path.insert(0, os.path.join(HERE, '..'))  # tests/bench
from benchlib import private_env  # noqa: E402


def largest_photo_worksheet():
    corpus = os.path.join(SHARED, 'corpus-dev')
    best = None
    with open(os.path.join(corpus, 'manifest.jsonl'), encoding='utf-8') as f:
        for line in f:
            c = json.loads(line)
            if c.get('kind') != 'worksheet' or c.get('degrade') != 'photo':
                continue
            area = c.get('width', 0) * c.get('height', 0)
            if best is None or area > best[0]:
                best = (area, c['id'])
    if not best:
        sys.exit('no photographed worksheet in %s' % corpus)
    for ext in ('.jpg', '.png'):
        p = os.path.join(corpus, best[1] + ext)
        if os.path.exists(p):
            return p
    sys.exit('image of %s not found' % best[1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'))
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--image')
    ap.add_argument('--profile')
    a = ap.parse_args()
    liseur = os.path.join(os.path.abspath(a.build), 'daemon', 'app', 'liseur')
    img = a.image or largest_photo_worksheet()
    tmp = tempfile.mkdtemp(prefix='liseur-adapt-bench-')
    env = private_env(tmp)
    profile = a.profile
    if not profile:
        scan = json.loads(subprocess.run([liseur, 'plugins', '--json'], env=env, check=True,
                                         capture_output=True).stdout)
        plugins = scan.get('plugins', scan) if isinstance(scan, dict) else scan
        ok = any(p.get('id') == 'dys' and p.get('state') in ('available', 'ok')
                 for p in plugins if isinstance(p, dict))
        profile = 'dys-primaire' if ok else 'low-vision'
    out = os.path.join(tmp, 'page.html')
    print('image %s, profile %s, %d runs of: liseur adapt IMG --profile %s -o OUT --json'
          % (img, profile, a.runs, profile), flush=True)
    walls, reports = [], []
    for i in range(a.runs):
        t0 = time.perf_counter()
        p = subprocess.run([liseur, 'adapt', img, '--profile', profile, '-o', out, '--json'],
                           env=env, capture_output=True)
        wall = time.perf_counter() - t0
        if p.returncode != 0:
            sys.exit('liseur adapt failed (%d): %s' % (p.returncode, p.stderr.decode()))
        r = json.loads(p.stdout)
        t = r['timings']
        words = sum(len(l['words']) for b in r['document']['blocks'] for l in b['lines'])
        print('run %d: wall %.2f s | ocr %s ms, speech done %s ms, render %s ms, total %s ms | '
              '%d blocks, %d words, %d timed, %.1f s audio, page %d KiB%s' % (
                  i + 1, wall, t.get('ocr_ms'), t.get('speech_done_ms'), t.get('render_ms'),
                  t.get('total_ms'), len(r['document']['blocks']), words,
                  len(r['narration']['words']), t.get('audio_ms', 0) / 1000.0,
                  os.path.getsize(out) // 1024,
                  '' if not r['warnings'] else ' | %d warnings' % len(r['warnings'])), flush=True)
        walls.append(wall)
        reports.append(r)
    print('\nmedian wall time %.2f s (min %.2f, max %.2f) over %d runs; target <= 3 s'
          % (statistics.median(walls), min(walls), max(walls), len(walls)))
    subprocess.run(['rm', '-rf', tmp])


if __name__ == '__main__':
    main()
