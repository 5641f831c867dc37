#!/usr/bin/env python3
"""Read under the pointer on a full screen: first audio of the block under the pointer, against
reading the whole screen, under Xvfb (issue 17: pointer block first audio <= 60 ms on a full screen).

    /usr/bin/python3 tests/bench/hotkey/pointer_bench.py [--build build] [--runs 3]

Starts its own 1920x1080 Xvfb whose root window shows a screenshot of the synthetic corpus
(../shared/bench/corpus-dev screen-en-01 and screen-fr-01: menus, a side bar, paragraphs and
cards), set with ImageMagick's `display -window root`, and a warm liseurd (paced null sink). The
points read are the centres of the text blocks the tesseract CLI finds in the same image (`tsv`
output, blocks of at least 3 words), so they fall on text whatever the screenshot, and are not
chosen by liseur's own layout. For each image, in one run and interleaved:
  pointer     `xdotool mousemove X Y`, then `liseur read pointer`: the daemon's first_audio_ms
              (request -> first PCM handed to the sink: the capture of a band of the screen, the
              choice of the text under the pointer in it (capture/pointer_area.h), its layout, and
              the recognition of that block only), apart for blocks of one line (labels, menu
              items, titles: the issue-17 target) and of several lines (paragraphs, spoken once
              recognised whole, so later), and the wall time from starting the CLI to the
              first-audio event; the words of the first utterance are checked against the
              tesseract CLI's words of that block (share found), so a fast read of the wrong block,
              or of a block cut at the area's edges, would show; "nothing read" counts reads that
              ended without a word
  screen      `liseur read screen` of the same screen: first_audio_ms (its first block in
              reading order), the baseline
Every read is preceded by a `reload` (which forgets the recognitions kept by content, so each is
recognised) and stopped once its first audio came. Prints medians and the ratio screen/pointer.
Not a test: nothing is asserted.
"""
import argparse
import csv
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import benchlib  # noqa: E402  (liseurd in a private XDG tree, over its socket)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
SHARED = os.path.abspath(os.path.join(ROOT, '..', 'shared', 'bench'))


def norm(word):
    w = unicodedata.normalize('NFC', word).lower()
    return ''.join(c for c in w if c.isalnum())


def tesseract_blocks(img, min_words=3):
    """[(cx, cy, words, lines)] of the tesseract CLI's text blocks (tsv level 2) with >= min_words."""
    out = subprocess.run(['tesseract', img, 'stdout', '-l', 'eng+fra', 'tsv'], capture_output=True,
                         text=True, check=True).stdout
    blocks = {}
    for row in csv.DictReader(io.StringIO(out), delimiter='\t', quoting=csv.QUOTE_NONE):
        if row['level'] == '2':
            x, y, w, h = (int(row[k]) for k in ('left', 'top', 'width', 'height'))
            blocks[row['block_num']] = [x + w // 2, y + h // 2, [], 0]
        elif row['level'] == '4' and row['block_num'] in blocks:
            blocks[row['block_num']][3] += 1
        elif row['level'] == '5' and row['text'].strip() and row['block_num'] in blocks:
            n = norm(row['text'])
            if n:
                blocks[row['block_num']][2].append(n)
    return [tuple(b) for b in blocks.values() if len(b[2]) >= min_words]


class Daemon(benchlib.Daemon):
    def __init__(self, build, tmp, env):
        super().__init__(build, tmp, audio='paced-null', client='pointer-bench',
                         events=['first-audio', 'job-started', 'job-finished', 'utterance-started', 'error'],
                         env=env, start_timeout=30, keep_events=True)
        self.sock.settimeout(60)

    def read(self, source):
        """`liseur read SOURCE` after a reload: (wall ms to first-audio, daemon first_audio_ms,
        the text of the first utterance)."""
        self.request('reload')
        self.queued.clear()
        t0 = time.perf_counter()
        child = subprocess.Popen([self.cli, '--no-spawn', 'read', source], env=self.env)
        job, wall, text = None, None, None
        while wall is None:
            m = self.line()
            ev = m.get('event')
            if ev == 'job-started' and m.get('kind') == 'read':
                job = m['job']
                if os.environ.get('BENCH_DEBUG'):
                    print('  %s' % m.get('source'), file=sys.stderr)
            elif ev == 'job-finished' and m.get('job') == job:
                child.wait()
                return None, None, ''  # nothing was read: no first audio
            elif ev == 'utterance-started' and m.get('job') == job and text is None:
                text = m.get('text', '')
            elif ev == 'first-audio' and job is not None and m.get('job') == job:
                wall = (time.perf_counter() - t0) * 1000
            elif ev == 'error':
                raise SystemExit('the reading failed: %s' % m)
        self.request('stop')
        while True:
            m = self.line()
            if m.get('event') == 'utterance-started' and m.get('job') == job and text is None:
                text = m.get('text', '')
            if m.get('event') == 'job-finished' and m.get('job') == job:
                fa = m['timings']['first_audio_ms']
                break
        child.wait()
        return wall, fa, text or ''


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'))
    ap.add_argument('--corpus', default=os.path.join(SHARED, 'corpus-dev'))
    ap.add_argument('--images', default='screen-en-01,screen-fr-01')
    ap.add_argument('--runs', type=int, default=3, help='reads of each point')
    ap.add_argument('--md', help='also write the table as markdown here')
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    tmp = tempfile.mkdtemp(prefix='liseur-pointer-bench-')
    xvfb, display = benchlib.start_xvfb('1920x1080')
    env = dict(os.environ, DISPLAY=display)
    env.pop('WAYLAND_DISPLAY', None)
    rows = []
    d = None
    try:
        d = Daemon(build, tmp, env)
        for cid in a.images.split(','):
            img = os.path.join(a.corpus, cid + '.png')
            subprocess.run(['display', '-window', 'root', img], env=env, stderr=subprocess.DEVNULL)
            blocks = tesseract_blocks(img)
            if not blocks:
                raise SystemExit('the tesseract CLI found no block in ' + img)
            d.read('screen')  # warm-up: models loaded, caches hot
            ptr_fa, ptr_wall, scr_fa, scr_wall, found = [], [], [], [], []
            one_line, several = [], []  # first audio of blocks of one line / of several lines
            nothing = 0
            for _ in range(a.runs):
                for cx, cy, words, lines in blocks:
                    subprocess.run(['xdotool', 'mousemove', str(cx), str(cy)], env=env, check=True)
                    w, fa, text = d.read('pointer')
                    if fa is None:
                        print('  (%d,%d): nothing read' % (cx, cy), file=sys.stderr)
                        nothing += 1
                        continue
                    ptr_wall.append(w)
                    ptr_fa.append(fa)
                    (one_line if lines <= 1 else several).append(fa)
                    spoken = {norm(t) for t in text.split()} - {''}
                    found.append(len(spoken & set(words)) / max(len(spoken), 1))
                    if os.environ.get('BENCH_DEBUG'):
                        print('  (%d,%d) %.0f ms, %.0f %% of %r' % (cx, cy, fa, 100 * found[-1], text[:70]),
                              file=sys.stderr)
                w, fa, _ = d.read('screen')
                scr_wall.append(w)
                scr_fa.append(fa)
            med = statistics.median
            r = dict(id=cid, points=len(blocks), ptr_fa=med(ptr_fa), ptr_wall=med(ptr_wall),
                     ptr_max=max(ptr_fa), scr_fa=med(scr_fa), scr_wall=med(scr_wall), found=med(found),
                     one=med(one_line) if one_line else None, n_one=len(one_line) // a.runs,
                     several=med(several) if several else None, n_several=len(several) // a.runs,
                     nothing=nothing)
            rows.append(r)
            print('%s: %d points; pointer first audio %.0f ms (max %.0f, wall %.0f), screen %.0f ms (wall %.0f);'
                  ' first words from the block pointed at: %.0f %%'
                  % (cid, r['points'], r['ptr_fa'], r['ptr_max'], r['ptr_wall'], r['scr_fa'], r['scr_wall'],
                     100 * r['found']), file=sys.stderr)
    finally:
        if d:
            d.close()
        xvfb.terminate()
        xvfb.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    md = ['| screen (1920x1080, pointer on each text block) | `read pointer` first audio, one-line blocks (ms) '
          '| several-line blocks (ms) | all (ms) | slowest (ms) | client wall (ms) | `read screen` first audio (ms) '
          '| ratio screen/pointer | first utterance from the block pointed at (words, median) | nothing read '
          '| target (one-line blocks) |',
          '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|']
    for r in rows:
        fmt = lambda v, n: '%.0f (%d blocks)' % (v, n) if v is not None else '-'
        md.append('| %s | %s | %s | %.0f | %.0f | %.0f | %.0f | %.1f× | %.0f %% | %d | <= 60 ms %s |' % (
            r['id'], fmt(r['one'], r['n_one']), fmt(r['several'], r['n_several']), r['ptr_fa'], r['ptr_max'],
            r['ptr_wall'], r['scr_fa'], r['scr_fa'] / max(r['ptr_fa'], 0.1), 100 * r['found'], r['nothing'],
            'met' if r['one'] is not None and r['one'] <= 60 else 'NOT met'))
    text = '\n'.join(md) + '\n'
    print(text)
    if a.md:
        open(a.md, 'w').write(text)


if __name__ == '__main__':
    main()
