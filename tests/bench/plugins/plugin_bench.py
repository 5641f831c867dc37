#!/usr/bin/env python3
"""The plugin chain's figures (issue 6), each in one run against its own baseline.

    python3 tests/bench/plugins/plugin_bench.py [--build build] [--runs 60] [--only latency|daemon|cer]

latency  liseur-chain-bench on a 600x200 dialog of ../shared/bench/corpus-dev: the warm chain's
         adapt+speak round trip on the first block (median of --runs), and first audio (OCR
         request -> first PCM from the speech worker) without and with the chain, interleaved.
         Target: the chain adds <= 5 ms.
daemon   First audio of the same dialog through two warm liseurd, one with chain [] and one with
         ["reading-order"] (the profile's chain, applied per block before speech), alternated,
         as tests/bench/first_audio/first_audio_bench.py measures it.
cer      The dev corpus scored by ../shared/bench/ocr_eval.py (same scorer, same run) twice:
           without  `liseur ocr --json IMG` printed as text (a private liseurd whose chain is []),
           with     the SAME recognised document run through reading-order block by block
                    (liseur-chain-bench text), as the daemon and `liseur adapt` apply it.
         Using the same OCR output isolates what the plugin changes. Prints both tables by kind
         and the difference. Reading-order must not raise the CER.
Not a test: nothing is asserted.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
SHARED = os.path.abspath(os.path.join(ROOT, '..', 'shared', 'bench'))


def latency(build, runs):
    img = os.path.join(SHARED, 'corpus-dev', 'dialog-fr-01.png')
    env = dict(os.environ, LISEUR_LIBEXEC_DIR=os.path.join(build, 'daemon', 'app'))
    env.pop('LISEUR_PLUGIN_PATH', None)
    exe = os.path.join(build, 'tests', 'bench', 'plugins', 'liseur-chain-bench')
    print('== latency: %s latency %s --runs %d' % (exe, img, runs), flush=True)
    subprocess.run([exe, 'latency', img, '--chain', 'reading-order', '--runs', str(runs)],
                   env=env, check=True)


def daemon_first_audio(build, runs):
    """First audio through two warm liseurd, chain [] and chain ["reading-order"], alternated."""
    sys.path.insert(0, os.path.join(ROOT, 'tests', 'bench', 'first_audio'))
    from first_audio_bench import Daemon  # noqa: E402 (the same daemon driver as that bench)
    img = os.path.join(SHARED, 'corpus-dev', 'dialog-fr-01.png')
    tmp = tempfile.mkdtemp(prefix='liseur-chain-daemon-')
    daemons = {}
    try:
        for name, chain in (('without', '[]'), ('with', '["reading-order"]')):
            d = os.path.join(tmp, name)
            os.makedirs(os.path.join(d, 'config', 'liseur'), mode=0o700)
            with open(os.path.join(d, 'config', 'liseur', 'liseur.toml'), 'w') as f:
                f.write('[plugins]\nchain = %s\n' % chain)
            daemons[name] = Daemon(build, d)
        for d in daemons.values():  # warm-up: models, voices, the plugin host
            for _ in range(3):
                d.read(img)
        got = {'without': [], 'with': []}
        for i in range(runs):
            order = ('without', 'with') if i % 2 else ('with', 'without')
            for name in order:
                got[name].append(daemons[name].read(img)[0])
        print('\nfirst audio through liseurd (daemon first_audio_ms), %s, %d runs each, '
              'alternated\n' % (os.path.basename(img), runs))
        print('| chain | median ms | p10 | p90 |')
        print('|---|---|---|---|')
        q = lambda v, p: sorted(v)[min(len(v) - 1, int(p * (len(v) - 1) + 0.5))]
        for name, label in (('without', '[]'), ('with', '["reading-order"]')):
            v = got[name]
            print('| %s | %.1f | %.1f | %.1f |' % (label, statistics.median(v), q(v, .1), q(v, .9)))
        print('\nadded by the chain (difference of medians): %.1f ms (target <= 5 ms)'
              % (statistics.median(got['with']) - statistics.median(got['without'])))
    finally:
        for d in daemons.values():
            d.proc.terminate()
            d.proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def kind_table(results):
    """Micro-averaged CER / WER by kind from ocr_eval's per-case counts."""
    groups = {}
    for r in results:
        kind = r['id'].split('-')[0]
        for key in (kind, 'all'):
            g = groups.setdefault(key, dict(char_edits=0, ref_chars=0, word_edits=0, ref_words=0,
                                            bow_missed=0, n=0))
            for f in ('char_edits', 'ref_chars', 'word_edits', 'ref_words', 'bow_missed'):
                g[f] += r['counts'][f]
            g['n'] += 1
    return groups


def cer(build, runs_dir, docs=None):
    liseur = os.path.join(build, 'daemon', 'app', 'liseur')
    chain = os.path.join(build, 'tests', 'bench', 'plugins', 'liseur-chain-bench')
    xdg = os.path.join(runs_dir, 'xdg')
    for d in ('run', 'config/liseur', 'cache', 'home'):
        os.makedirs(os.path.join(xdg, d), mode=0o700, exist_ok=True)
    # No chain in the daemon: `liseur ocr` is the baseline even once liseurd applies the chain.
    with open(os.path.join(xdg, 'config', 'liseur', 'liseur.toml'), 'w') as f:
        f.write('[plugins]\nchain = []\n')
    cache = docs or os.path.join(runs_dir, 'docs')
    os.makedirs(cache, exist_ok=True)
    envs = ['XDG_RUNTIME_DIR=' + os.path.join(xdg, 'run'),
            'XDG_CONFIG_HOME=' + os.path.join(xdg, 'config'),
            'XDG_CACHE_HOME=' + os.path.join(xdg, 'cache'), 'HOME=' + os.path.join(xdg, 'home'),
            'LISEUR_LIBEXEC_DIR=' + os.path.join(build, 'daemon', 'app')]
    env = dict(os.environ, **dict(e.split('=', 1) for e in envs))
    env.pop('LISEUR_PLUGIN_PATH', None)
    cmds = {
        # The document is kept so the second pass scores the very same recognition.
        'without': "%s ocr --json {img} | tee %s/{id}.json | %s text --chain ''" % (liseur, cache, chain),
        'with': '%s text --chain reading-order < %s/{id}.json' % (chain, cache),
    }
    if docs:  # the documents of an earlier run: score the same recognition again
        cmds['without'] = "%s text --chain '' < %s/{id}.json" % (chain, cache)
    out = {}
    try:
        for name in ('without', 'with'):
            path = os.path.join(runs_dir, name + '.json')
            print('== cer %s: %s' % (name, cmds[name]), flush=True)
            args = [sys.executable, os.path.join(SHARED, 'ocr_eval.py'), '--corpus',
                    os.path.join(SHARED, 'corpus-dev'), '--cmd', cmds[name], '--out', path,
                    '--title', 'reading-order ' + name]
            for e in envs:
                args += ['--env', e]
            subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL)
            with open(path, encoding='utf-8') as f:
                results = json.load(f)['results']
            failed = [r['id'] for r in results if r['rc'] != 0]
            if failed:
                sys.exit('cer %s: the command failed on %d cases (%s ...): %s'
                         % (name, len(failed), ', '.join(failed[:3]), cmds[name]))
            out[name] = kind_table(results)
    finally:
        subprocess.run([liseur, '--no-spawn', 'shutdown'], env=env, capture_output=True)

    print('\nCER / WER of `liseur ocr` on the dev corpus, without and with reading-order '
          '(same recognition, same scorer, same run)\n')
    print('| kind | cases | CER without | CER with | diff (pp) | WER without | WER with | '
          'bag-of-words miss without | with |')
    print('|---|---|---|---|---|---|---|---|---|')
    for kind in sorted(out['without'], key=lambda k: (k == 'all', k)):
        a, b = out['without'][kind], out['with'][kind]
        rate = lambda g, e, n: 100.0 * g[e] / g[n] if g[n] else 0.0
        ca, cb = rate(a, 'char_edits', 'ref_chars'), rate(b, 'char_edits', 'ref_chars')
        print('| %s | %d | %.2f %% | %.2f %% | %+.2f | %.2f %% | %.2f %% | %.2f %% | %.2f %% |' % (
            kind, a['n'], ca, cb, cb - ca, rate(a, 'word_edits', 'ref_words'),
            rate(b, 'word_edits', 'ref_words'), rate(a, 'bow_missed', 'ref_words'),
            rate(b, 'bow_missed', 'ref_words')))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'))
    ap.add_argument('--runs', type=int, default=60)
    ap.add_argument('--only', choices=['latency', 'daemon', 'cer'])
    ap.add_argument('--keep', help='keep the per-case results in this directory')
    ap.add_argument('--docs', help='cer: reuse the recognised documents kept by an earlier --keep '
                    '(DIR/docs) instead of running liseur ocr')
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    if a.only in (None, 'latency'):
        latency(build, a.runs)
    if a.only in (None, 'daemon'):
        daemon_first_audio(build, max(10, a.runs // 3))
    if a.only in (None, 'cer'):
        runs_dir = a.keep or tempfile.mkdtemp(prefix='liseur-plugin-bench-')
        os.makedirs(runs_dir, exist_ok=True)
        try:
            cer(build, runs_dir, a.docs)
        finally:
            if not a.keep:
                shutil.rmtree(runs_dir, ignore_errors=True)


if __name__ == '__main__':
    main()
