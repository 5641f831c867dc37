#!/usr/bin/env python3
"""A two-page worksheet PDF -> one adapted HTML page: `liseur adapt` wall time (issue 14).

    python3 tests/bench/adapt/pdf_bench.py [--build build] [--runs 3] [--profile P]

Two PDFs of the same two French worksheets of ../shared/bench/corpus-dev (worksheet-fr-01 and -02):
  typed    what a teacher's word processor exports: the worksheets' ground-truth text laid out in
           HTML and printed to PDF by Debian's Chromium (real embedded fonts, a text layer);
  scanned  the corpus's photographed pages (its JPEG files), one per PDF page, no text layer.
Baseline, in the same run: `liseur adapt` of the two JPEG files given as two images (the same
pixels, no PDF). Each run is a fresh `liseur adapt` process (no daemon, workers start cold),
timed from the outside. Prints every run, the medians, each PDF against the baseline as a ratio,
and for the typed PDF how exactly its words came through (character error rate of the adapted
text against the text printed into the PDF). Target: <= 3 s for a two-page PDF on this 2-core
machine. Not a test: nothing is asserted.
"""
import argparse
import html
import json
import os
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
SHARED = os.path.abspath(os.path.join(ROOT, '..', 'shared', 'bench'))
sys.path.insert(0, os.path.join(HERE, '..'))  # tests/bench
from benchlib import private_env  # noqa: E402
SHEETS = ('worksheet-fr-01', 'worksheet-fr-02')


def jpeg_size(data):
    """(width, height, components) from a JPEG's start-of-frame marker."""
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            i += 1
            continue
        marker = data[i + 1]
        length = struct.unpack('>H', data[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            h, w = struct.unpack('>HH', data[i + 5:i + 9])
            return w, h, data[i + 9]
        i += 2 + length
    sys.exit('no frame header in the JPEG')


def scanned_pdf(jpegs, path):
    """One page per JPEG, the image filling an A4-wide page (DCTDecode: the file's own bytes)."""
    objs = ['<< /Type /Catalog /Pages 2 0 R >>', None]
    kids = []
    for data in jpegs:
        w, h, comps = jpeg_size(data)
        pw, ph = 595.0, 595.0 * h / w
        page = len(objs) + 1
        kids.append('%d 0 R' % page)
        content = b'q %.2f 0 0 %.2f 0 0 cm /Im1 Do Q' % (pw, ph)
        objs.append('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] '
                    '/Resources << /XObject << /Im1 %d 0 R >> >> /Contents %d 0 R >>'
                    % (pw, ph, page + 2, page + 1))
        objs.append(b'<< /Length %d >>\nstream\n' % len(content) + content + b'\nendstream')
        space = '/DeviceGray' if comps == 1 else '/DeviceRGB'
        objs.append(('<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s '
                     '/BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n'
                     % (w, h, space, len(data))).encode() + data + b'\nendstream')
    objs[1] = '<< /Type /Pages /Kids [%s] /Count %d >>' % (' '.join(kids), len(kids))
    out = bytearray(b'%PDF-1.4\n')
    offsets = []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        body = body.encode() if isinstance(body, str) else body
        out += b'%d 0 obj\n' % n + body + b'\nendobj\n'
    xref = len(out)
    out += b'xref\n0 %d\n0000000000 65535 f \n' % (len(objs) + 1)
    for off in offsets:
        out += b'%010d 00000 n \n' % off
    out += b'trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n' % (len(objs) + 1, xref)
    with open(path, 'wb') as f:
        f.write(out)


def typed_pdf(texts, path, tmp):
    """The worksheets as a teacher types them (title, fields with dotted leaders, questions with
    a dotted line to answer on), one per A4 page, printed to PDF by Chromium."""
    parts = []
    for text in texts:
        lines = [l for l in text.splitlines() if l.strip()]
        body = ['<h1>%s</h1>' % html.escape(lines[0])]
        for line in lines[1:]:
            if line.rstrip().endswith(':') or ' : ' in line and len(line) < 40:
                line = line.replace(' :', ' : ..........')
            body.append('<p>%s</p>' % html.escape(line))
            if line[:2].rstrip('.').isdigit() and line.rstrip().endswith('?'):
                body.append('<p>' + '.' * 90 + '</p>')
        parts.append('<section>%s</section>' % '\n'.join(body))
    page = ('<!doctype html><html lang="fr"><meta charset="utf-8"><style>'
            '@page { size: A4; margin: 2cm } body { font: 13pt "DejaVu Sans", sans-serif }'
            'h1 { font-size: 20pt } section + section { break-before: page }'
            '</style><body>%s</body></html>' % '\n'.join(parts))
    src = os.path.join(tmp, 'fiche.html')
    with open(src, 'w', encoding='utf-8') as f:
        f.write(page)
    chromium = shutil.which('chromium') or sys.exit('chromium is needed (apt install chromium)')
    subprocess.run([chromium, '--headless', '--no-sandbox', '--disable-gpu',
                    '--no-pdf-header-footer', '--print-to-pdf-no-header',
                    '--user-data-dir=' + os.path.join(tmp, 'chromium'),
                    '--print-to-pdf=' + path, 'file://' + src],
                   check=True, capture_output=True, timeout=120)
    return '\n'.join(text for text in texts)


def cer(truth, got):
    a, b = ' '.join(truth.split()), ' '.join(got.split())
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        prev = cur
    return prev[-1] / max(1, len(a))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'))
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--profile', default='dys-primaire')
    a = ap.parse_args()
    liseur = os.path.join(os.path.abspath(a.build), 'daemon', 'app', 'liseur')
    corpus = os.path.join(SHARED, 'corpus-dev')
    tmp = tempfile.mkdtemp(prefix='liseur-pdf-bench-')
    env = private_env(tmp)

    jpegs = [os.path.join(corpus, s + '.jpg') for s in SHEETS]
    texts = []
    for s in SHEETS:
        with open(os.path.join(corpus, s + '.txt'), encoding='utf-8') as f:
            texts.append(f.read())
    scanned = os.path.join(tmp, 'scanned.pdf')
    scanned_pdf([open(j, 'rb').read() for j in jpegs], scanned)
    typed = os.path.join(tmp, 'typed.pdf')
    typed_pdf(texts, typed, tmp)

    cases = [('images', jpegs), ('typed', [typed]), ('scanned', [scanned])]
    print('profile %s, %d runs each of: liseur adapt FILE... --profile %s -o OUT --json'
          % (a.profile, a.runs, a.profile))
    print('  images:  %s (the baseline: the same two pages as two image files)'
          % ' '.join(os.path.basename(j) for j in jpegs))
    print('  typed:   a 2-page PDF with a text layer (%d KiB)' % (os.path.getsize(typed) // 1024))
    print('  scanned: a 2-page PDF of the two JPEGs (%d KiB)' % (os.path.getsize(scanned) // 1024),
          flush=True)
    out = os.path.join(tmp, 'page.html')
    medians, last = {}, {}
    for name, files in cases:
        walls = []
        for i in range(a.runs):
            t0 = time.perf_counter()
            p = subprocess.run([liseur, 'adapt'] + files + ['--profile', a.profile, '-o', out,
                                                            '--json'], env=env, capture_output=True)
            wall = time.perf_counter() - t0
            if p.returncode != 0:
                sys.exit('liseur adapt %s failed (%d): %s' % (name, p.returncode, p.stderr.decode()))
            r = json.loads(p.stdout)
            t = r['timings']
            doc = r['document']
            words = sum(len(l['words']) for b in doc['blocks'] for l in b['lines'])
            kinds = {}
            for place in doc.get('answers', []):
                kinds[place['kind']] = kinds.get(place['kind'], 0) + 1
            print('%-8s run %d: wall %.2f s | ocr %s ms, speech done %s ms, total %s ms | %d blocks,'
                  ' %d words, page %d px high, answer places %s%s' % (
                      name, i + 1, wall, t.get('ocr_ms'), t.get('speech_done_ms'), t.get('total_ms'),
                      len(doc['blocks']), words, doc.get('height', 0),
                      ' '.join('%s %d' % kv for kv in sorted(kinds.items())) or 'none',
                      '' if not r['warnings'] else ' | %d warnings' % len(r['warnings'])),
                  flush=True)
            walls.append(wall)
            last[name] = r
        medians[name] = statistics.median(walls)

    recognised = '\n'.join(' '.join(w['text'] for l in b['lines'] for w in l['words'])
                           for b in last['typed']['document']['blocks'])
    truth = '\n'.join(texts)
    # The dotted leaders and lines the bench added are the page's, not the worksheet's text.
    got = ' '.join(w for w in recognised.split() if w.strip('.') or not w)
    print('\nmedian wall time: images %.2f s, typed PDF %.2f s (%.2fx the images), scanned PDF '
          '%.2f s (%.2fx the images); target <= 3 s'
          % (medians['images'], medians['typed'], medians['typed'] / medians['images'],
             medians['scanned'], medians['scanned'] / medians['images']))
    print('typed PDF text: CER %.2f %% against the text printed into it (after the adapt plugins)'
          % (100 * cer(truth, got)))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    main()
