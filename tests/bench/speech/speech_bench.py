#!/usr/bin/env python3
"""Speech a blind user drives: review -> first audio, stop -> silence, pause/resume samples.

    /usr/bin/python3 tests/bench/speech/speech_bench.py [--build build] [--runs 20]

A warm liseurd with the paced null sink (a stand-in sound card that plays in real time in 10 ms
steps) reads tests/data/ocr/multiblock-en.png once, then, in one run:
  review      `review next-line` over the socket (alternating with `review first` at the end of
              the text): the daemon's first_audio_ms of the say job it starts (request received ->
              first PCM sample handed to the sink) and the client's wall time from sending the
              request to the first-audio event. Target <= 20 ms.
  stop        while a long text is being played: wall time from sending `stop` to its reply (the
              sink is flushed before the reply), plus the audio the sink still played after the
              reply (played_samples from status, 300 ms later). Target <= 30 ms.
  pause       a text played straight through, then again with two pauses in the middle: the
              paced sink records what it played and what the daemon gave it (LISEUR_AUDIO_RECORD;
              espeak-ng's output differs slightly between two calls, so one synthesis is compared
              with itself): equal sample for sample means no sample lost or repeated.
  baseline    espeak-ng alone: `espeak-ng -q --stdout` from start to its first audio byte (cold
              process: what a naive client pays for each command).
Prints a table with medians and the ratio baseline/liseur. Not a test: nothing is asserted, but
the exit status is 1 when the pause/resume recordings differ.
"""
import argparse
import os
import shutil
import statistics
import struct
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import benchlib  # noqa: E402  (liseurd in a private XDG tree, over its socket)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
RATE = 22050


def espeak_first_audio(text):
    """Seconds from starting espeak-ng to its first audio byte past the WAV header."""
    return benchlib.seconds_to_first_audio(['espeak-ng', '-q', '--stdout', '-v', 'en-gb', text])


def wav_samples(path):
    d = open(path, 'rb').read()
    pos = 12
    while pos + 8 <= len(d):
        cid, n = d[pos:pos + 4], struct.unpack('<I', d[pos + 4:pos + 8])[0]
        if cid == b'data':
            return d[pos + 8:pos + 8 + n]
        pos += 8 + n + (n & 1)
    return b''


class Daemon(benchlib.Daemon):
    def __init__(self, build, tmp, record=None):
        super().__init__(build, tmp, audio='paced-null', client='speech-bench',
                         events=['first-audio', 'word', 'job-finished'],
                         extra_env={'LISEUR_AUDIO_RECORD': record} if record else None)
        for _ in range(300):  # both workers warm
            w = self.request('status', {})['workers']
            if w['ocr']['ready'] and w['speech']['ready']:
                break
            time.sleep(0.05)

    def until(self, pred):
        while True:
            m = self.line()
            if pred(m):
                return m

    def review(self, action):
        """(daemon first_audio_ms, client wall ms to first-audio, at_edge)."""
        t0 = time.perf_counter()
        rid = self.send('review', {'action': action})
        job, wall, fa = None, None, None
        while fa is None or job is None:
            m = self.line()
            if m.get('id') == rid:
                if not m.get('ok'):
                    raise SystemExit('review failed: %s' % m)
                job = m['job']
                edge = bool(m.get('at_edge'))
            elif m.get('event') == 'first-audio' and fa is None:
                wall = (time.perf_counter() - t0) * 1000
                fa = m['first_audio_ms']
                fa_job = m['job']
        if fa_job != job:
            raise SystemExit('first-audio of job %s, expected %s' % (fa_job, job))
        return fa, wall, edge

    def stop_while_speaking(self, text):
        """(wall ms from stop to its reply, ms of audio played after the reply)."""
        r = self.request('say', {'text': text, 'lang': 'fr'})
        self.until(lambda m: m.get('event') == 'word' and m.get('job') == r['job'])
        t0 = time.perf_counter()
        self.request('stop', {})
        wall = (time.perf_counter() - t0) * 1000
        at = self.request('status', {})['audio']['played_samples']
        time.sleep(0.3)
        later = self.request('status', {})['audio']['played_samples']
        # (job-finished came with the stop, before its reply.)
        return wall, (later - at) * 1000.0 / RATE

    def say_and_wait(self, text, pauses=0):
        r = self.request('say', {'text': text, 'lang': 'fr'})
        self.until(lambda m: m.get('event') == 'first-audio' and m.get('job') == r['job'])
        for _ in range(pauses):
            time.sleep(0.4)
            self.request('pause', {})
            time.sleep(0.3)
            self.request('resume', {})
        fin = self.until(lambda m: m.get('event') == 'job-finished' and m.get('job') == r['job'])
        return fin['timings']['audio_ms']


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'))
    ap.add_argument('--runs', type=int, default=20)
    ap.add_argument('--md', help='also write the table as markdown here')
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    image = os.path.join(ROOT, 'tests', 'data', 'ocr', 'multiblock-en.png')
    long_text = ' '.join(['Ceci est une longue lecture qui continue encore.'] * 20)
    pause_text = ('Le petit chat dort au soleil. Il rêve de souris et de lait. '
                  'Puis il se réveille et s\'étire longuement.')
    tmp = tempfile.mkdtemp(prefix='liseur-speech-bench-')
    rec = os.path.join(tmp, 'played.wav')
    review_fa, review_wall, stop_wall, stop_tail, base = [], [], [], [], []
    same = False
    try:
        d = Daemon(build, os.path.join(tmp, 'a'))
        try:
            d.request('read', {'file': image, 'to_wav': os.path.join(tmp, 'r.wav'), 'wait': True})
            d.review('first')  # warm-up
            edge = False
            for i in range(a.runs):
                # At the end of the text, back to the first line (the edge message is not timed).
                if edge:
                    d.review('first')
                fa, wall, edge = d.review('next-line')
                if edge:
                    continue
                review_fa.append(fa)
                review_wall.append(wall)
                time.sleep(0.15)  # let a little audio play, as a person would
            d.request('stop', {})
            for i in range(max(a.runs // 2, 3)):
                w, tail = d.stop_while_speaking(long_text)
                stop_wall.append(w)
                stop_tail.append(tail)
        finally:
            d.close()
        base = [espeak_first_audio('Reading in the school library.') * 1000 for _ in range(max(a.runs // 2, 5))]
        p = Daemon(build, os.path.join(tmp, 'b'), record=rec)
        try:
            plain = p.say_and_wait(pause_text)
            paused = p.say_and_wait(pause_text, pauses=2)
        finally:
            p.close()
        played, written = wav_samples(rec), wav_samples(rec + '.written.wav')
        same = played == written and len(written) // 2 >= (plain + paused) * RATE // 1000 - 2
        print('pause/resume: %d samples played, %d written, equal: %s' % (len(played) // 2, len(written) // 2, same),
              file=sys.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    med = statistics.median
    b = med(base)
    rows = [
        ('review next-line -> first PCM sample in the sink (daemon)', med(review_fa), 20),
        ('review next-line -> first-audio event (client wall)', med(review_wall), 20),
        ('stop -> sink flushed (client wall to the reply)', med(stop_wall), 30),
        # The flush takes effect at the device's next 10 ms step at the latest.
        ('stop -> silence (reply + one 10 ms device step + audio played after)',
         med(w + t for w, t in zip(stop_wall, stop_tail)) + 10, 30),
    ]
    md = ['| measure (median of %d) | liseur (ms) | target (ms) | espeak-ng -q --stdout cold, first audio (ms) '
          '| ratio espeak-ng/liseur |' % a.runs, '|---|---:|---:|---:|---:|']
    for name, v, target in rows:
        md.append('| %s | %.1f | %d | %.1f | %.1f× |' % (name, v, target, b, b / max(v, 0.05)))
    md.append('| pause/resume twice: samples played = samples given, none lost or repeated | %s | equal | | |'
              % ('yes' if same else 'NO'))
    text = '\n'.join(md) + '\n'
    print(text)
    if a.md:
        open(a.md, 'w').write(text)
    sys.exit(0 if same else 1)


if __name__ == '__main__':
    main()
