#!/usr/bin/env python3
"""Every figure of the README's Performance section, measured in one run.

    /usr/bin/python3 tests/bench/run_all.py [--build build] [--out build/bench-report.md]
                                            [--only NAME,...] [--skip NAME,...] [--readme README.md]

Runs the benches one after the other (never two at once: the machine has 2 cores), each as its
own README paragraph documents it, and writes one report: when (UTC), on what (host, kernel, CPU
model, cores), the commit measured (and whether the work tree had changes), the load average
before and after each bench, its wall time, and its whole output. Nothing is asserted: the
benches print ratios against their named baselines. With --readme (a whole run only), the
README's figures block is then written from this report (readme_figures.py): the figures the
README quotes are this run's, as the benches printed them.

Benches, in order (NAME: what it measures):
  ocr_quality  real-dev and corpus-dev, liseur and the tesseract CLI side by side (issue 12)
  first_audio  request to first PCM sample, against `tesseract | espeak-ng`
  speech       the speech path alone (text to first audio, stop)
  speechd      first audio through speech-dispatcher against liseur's own voice (issue 15)
  adapt        `liseur adapt` of a worksheet, page ready
  pdf          `liseur adapt` of a two-page PDF, typed and scanned, against the same pages as
               two images (issue 14)
  answers      answer places found on the corpora's worksheets against hand-written truth, and
               places taken on real-dev's pages that are not worksheets (issue 14)
  hotkey       hotkey to first audio under Xvfb, the re-read of an unchanged window, and the
               watched region's tick
  pointer      `read pointer` on a 1920x1080 screen under Xvfb: the block under the pointer's first
               audio against the whole screen's (issue 17)
  wayland      a window's first audio on headless sway (screencopy, portal) against X11 (issue 13)
  plugins      the plugin chain's cost and its reading-order CER
  load         `status` latency of 64 clients while a full screen is read (issue 18)
  syllables    French syllables against the reference data of ../shared/dys
Needs the build tree of `bash packaging/dev.sh build` (tests and benches included).
"""
import argparse
import datetime
import os
import platform
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
PY = '/usr/bin/python3'  # Debian's: the benches use its packaged modules (Xlib, dbus)


def benches(build):
    lab = os.path.join(build, 'tests', 'bench', 'ocr_quality', 'liseur-ocr-lab')
    b = ['--build', build]
    return [
        ('ocr_quality', [PY, os.path.join(HERE, 'ocr_quality', 'run_quality_bench.py'), '--lab', lab]),
        ('first_audio', [PY, os.path.join(HERE, 'first_audio', 'first_audio_bench.py')] + b),
        ('speech', [PY, os.path.join(HERE, 'speech', 'speech_bench.py')] + b),
        ('speechd', [PY, os.path.join(HERE, 'speechd', 'speechd_bench.py')] + b),
        ('adapt', [PY, os.path.join(HERE, 'adapt', 'adapt_bench.py')] + b + ['--runs', '5']),
        ('pdf', [PY, os.path.join(HERE, 'adapt', 'pdf_bench.py')] + b + ['--runs', '3']),
        ('answers', [PY, os.path.join(HERE, 'answers', 'answers_bench.py')] + b),
        ('hotkey', [PY, os.path.join(HERE, 'hotkey', 'hotkey_bench.py')] + b),
        ('pointer', [PY, os.path.join(HERE, 'hotkey', 'pointer_bench.py')] + b),
        ('wayland', [PY, os.path.join(HERE, 'hotkey', 'wayland_bench.py')] + b),
        ('plugins', [PY, os.path.join(HERE, 'plugins', 'plugin_bench.py')] + b),
        ('load', [PY, os.path.join(HERE, 'load', 'load_bench.py')] + b),
        ('syllables', [os.path.join(build, 'tests', 'bench', 'syllables', 'liseur-syllables-bench')]),
    ]


def load():
    return ' '.join(open('/proc/loadavg').read().split()[:3])


def cpu_model():
    for line in open('/proc/cpuinfo'):
        if line.startswith('model name'):
            return line.split(':', 1)[1].strip()
    return platform.processor() or '?'


def git(*args):
    r = subprocess.run(['git', '-C', ROOT] + list(args), capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else '?'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'))
    ap.add_argument('--out', help='report file (default BUILD/bench-report.md)')
    ap.add_argument('--only', default='', help='comma-separated bench names')
    ap.add_argument('--skip', default='', help='comma-separated bench names')
    ap.add_argument('--readme', help='write the figures into this README (a whole run only)')
    a = ap.parse_args()
    if a.readme and (a.only or a.skip):
        sys.exit('run_all.py: --readme needs every bench in one run (no --only or --skip)')
    build = os.path.abspath(a.build)
    out = a.out or os.path.join(build, 'bench-report.md')
    all_benches = benches(build)
    names = [n for n, _ in all_benches]
    only = [n for n in a.only.split(',') if n]
    skip = [n for n in a.skip.split(',') if n]
    for n in only + skip:
        if n not in names:
            sys.exit('run_all.py: unknown bench %r (known: %s)' % (n, ', '.join(names)))
    chosen = [(n, c) for n, c in all_benches if (not only or n in only) and n not in skip]
    if not os.path.exists(os.path.join(build, 'daemon', 'app', 'liseurd')):
        sys.exit('run_all.py: no liseurd in %s: build first (bash packaging/dev.sh build)' % build)

    started = datetime.datetime.now(datetime.timezone.utc)
    dirty = git('status', '--porcelain', '--untracked-files=no')
    head = [
        '# liseur benchmarks, %s UTC' % started.strftime('%Y-%m-%d %H:%M'),
        '',
        '- machine: %s, %s, %d cores, kernel %s' % (platform.node(), cpu_model(), os.cpu_count() or 0,
                                                   platform.release()),
        '- code: commit %s%s' % (git('rev-parse', '--short', 'HEAD'),
                                 ' with uncommitted changes' if dirty and dirty != '?' else ''),
        '- load average at the start: %s' % load(),
        '- command: %s' % ' '.join([PY, os.path.relpath(__file__, ROOT)] + sys.argv[1:]),
        '',
    ]
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    failed = []
    with open(out, 'w') as report:
        report.write('\n'.join(head) + '\n')
        report.flush()
        print('\n'.join(head), flush=True)
        for name, cmd in chosen:
            before = load()
            t0 = time.monotonic()
            print('== %s: %s' % (name, ' '.join(cmd)), flush=True)
            r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
            wall = time.monotonic() - t0
            section = ['## %s' % name, '',
                       '`%s`: exit %d, %.0f s, load %s before, %s after' % (
                           ' '.join(os.path.relpath(c, ROOT) if c.startswith(ROOT) else c for c in cmd),
                           r.returncode, wall, before, load()),
                       '', '```', r.stdout.rstrip()]
            if r.returncode != 0:
                failed.append(name)
                section += ['--- stderr ---', r.stderr.rstrip()[-4000:]]
            section += ['```', '']
            report.write('\n'.join(section) + '\n')
            report.flush()
            print('   exit %d after %.0f s' % (r.returncode, wall), flush=True)
        ended = datetime.datetime.now(datetime.timezone.utc)
        tail = '- ended %s UTC, load %s; failed: %s' % (ended.strftime('%H:%M'), load(),
                                                       ', '.join(failed) or 'none')
        report.write(tail + '\n')
    print(tail)
    print('report: %s' % out)
    if a.readme:
        sys.path.insert(0, HERE)
        import readme_figures
        readme_figures.write_readme(a.readme, readme_figures.figures(open(out).read()))
        print('figures written into %s' % a.readme)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
