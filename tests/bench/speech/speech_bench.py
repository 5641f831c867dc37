#!/usr/bin/env python3
"""Speech a blind user drives: review -> first audio, stop -> silence, pause/resume samples.

    /usr/bin/python3 tests/bench/speech/speech_bench.py [--build build] [--runs 20]

In one run (medians of RUNS; the table also says what each row compared):
  review      a warm liseurd with the paced null sink (a stand-in sound card that plays in real
              time in 10 ms steps) reads tests/data/ocr/multiblock-en.png once, then
              `review next-line` over the socket (alternating with `review first` at the end of
              the text): the daemon's first_audio_ms of the say job it starts (request received ->
              first PCM sample handed to the sink) and the client's wall time from sending the
              request to the first-audio event. Target <= 20 ms.
  stop        at a real sink: a private PulseAudio server (`pulseaudio -n`, no sound card, no
              system server) with one null sink, its monitor recorded by `parec` in 10 ms
              fragments (benchlib.PulseNullSink, Monitor), and a warm liseurd whose audio goes
              through PortAudio -> ALSA's pulse plug-in -> that sink (audio.latency_ms's default
              30 ms). A long French text is said; once sound is heard at the monitor and a
              varying while later, right after a loud fragment arrived, `stop` is sent. Two rows:
                - stop -> sink flushed: the client's wall time from sending `stop` to its reply
                  (the daemon flushes its PortAudio queue before replying);
                - stop -> silence heard: from sending `stop` to the arrival of the last loud
                  fragment (peak > 300) at the monitor, confirmed by 300 ms of silence after it.
                  This is what a listener hears: it includes the audio already inside PortAudio
                  (its 10 ms callback buffer) and PulseAudio (the plug-in stream's buffer and the
                  null sink's latency, printed from `pactl list` above the table), and the
                  monitor's own delivery: a fragment arrives when its 10 ms are complete, so the
                  end of sound is known to 10 ms and seen up to ~10 ms late. Nothing is
                  subtracted. When stop lands near the end of a word, less sound is in flight
                  and silence comes sooner (the per-run figures are printed): the median is the
                  usual case. Target <= 30 ms.
  pause       a text said straight through, then again with two pauses in the middle, by a fresh
              daemon with the paced sink recording what it really played (LISEUR_AUDIO_RECORD);
              compared with an independent synthesis: a second fresh daemon says the same texts
              in the same order with `to_wav` (same voice, profile defaults). Sample for sample
              equality is required, with no silence stripped (none needs to be: the paced sink
              records the samples it played, not the silence it rendered while paused, and the
              WAV holds exactly the samples spoken).
              Why "the same texts in the same order": espeak-ng (1.51) is deterministic only per
              process history. The first synthesis of a text in a fresh process is always the
              same, but the next syntheses of the same text in that process differ by a few
              samples (e.g. 112079, 112087, 112282 samples for three `say` of the pause text; the
              same three in another fresh daemon), because libespeak-ng keeps state between
              calls in statics of its wave generator (e.g. the pitch-flutter index of
              AdvanceParameters in wavegen.c); libespeak-ng called directly does the same. A fresh
              daemon replaying the same sequence gives the same samples, so anything lost,
              repeated or reordered by pause/resume shows as a difference. The paused run must also
              take about 0.6 s longer than the straight one, or the pauses did not land.
  baseline    espeak-ng alone: `espeak-ng -q --stdout` from start to its first audio byte (cold
              process: what a naive client pays for each command).
Prints the figures behind the medians, then a table with medians and the ratio baseline/liseur.
Not a test: nothing is asserted, but the exit status is 1 when the pause/resume recording differs
from the independent synthesis (or the pauses did not land).
"""
import argparse
import os
import shutil
import statistics
import struct
import sys
import tempfile
import time
from array import array

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import benchlib  # noqa: E402  (liseurd in a private XDG tree, over its socket)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
RATE = 22050
LONG_TEXT = ' '.join(['Ceci est une longue lecture qui continue encore.'] * 20)
PAUSE_TEXT = ('Le petit chat dort au soleil. Il rêve de souris et de lait. '
              'Puis il se réveille et s\'étire longuement.')


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
        wait_ready(self)

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

    def say_and_wait(self, text, pauses=0):
        """Wall ms from the first-audio event to job-finished."""
        r = self.request('say', {'text': text, 'lang': 'fr'})
        self.until(lambda m: m.get('event') == 'first-audio' and m.get('job') == r['job'])
        t0 = time.perf_counter()
        for _ in range(pauses):
            time.sleep(0.4)
            self.request('pause', {})
            time.sleep(0.3)
            self.request('resume', {})
        fin = self.until(lambda m: m.get('event') == 'job-finished' and m.get('job') == r['job'])
        if not fin.get('ok', True):
            raise SystemExit('say failed: %s' % fin)
        return (time.perf_counter() - t0) * 1000


def wait_ready(d):
    for _ in range(300):  # both workers warm
        w = d.request('status', {})['workers']
        if w['ocr']['ready'] and w['speech']['ready']:
            return
        time.sleep(0.05)


def stop_at_sink(d, monitor, delay):
    """Says LONG_TEXT through the real sink, sends `stop` DELAY s after sound is first heard (right
    after a loud fragment arrived). (wall ms from sending stop to its reply, ms from sending stop
    to the arrival of the last loud fragment at the monitor, 0 if none came after it)."""
    if not monitor.quiet_for(0.3):
        raise SystemExit('the null sink is not silent before the say')
    t_say = time.perf_counter()
    d.request('say', {'text': LONG_TEXT, 'lang': 'fr'})
    if monitor.wait_loud(t_say) is None:
        raise SystemExit("nothing heard at the null sink's monitor: see %s" % d.log.name)
    time.sleep(delay)
    if monitor.wait_loud(time.perf_counter()) is None:
        raise SystemExit('the speech went silent before the stop')
    t0 = time.perf_counter()
    d.request('stop', {})
    wall = (time.perf_counter() - t0) * 1000
    if not monitor.quiet_for(0.3):
        raise SystemExit('sound went on at the null sink for 10 s after stop')
    return wall, max(0.0, (monitor.last_loud() - t0) * 1000)


def stop_runs(build, tmp, runs):
    """(stop walls, stop -> silence heard, a line on the sink and PulseAudio's buffers)."""
    env = benchlib.pulse_env(tmp)
    for tool in ('pulseaudio', 'parec', 'pactl'):
        if not shutil.which(tool):
            raise SystemExit('speech_bench.py: %s is needed (Debian: pulseaudio, pulseaudio-utils)' % tool)
    pulse = benchlib.PulseNullSink(env, os.path.join(tmp, 'pulse.log'))
    monitor = d = None
    walls, heard = [], []
    try:
        monitor = pulse.monitor()
        d = benchlib.Daemon(build, tmp, audio='portaudio', client='speech-bench',
                            events=['job-finished'], env=env)
        wait_ready(d)
        sink = d.request('status', {})['audio']['sink']
        if not sink.startswith('portaudio'):
            raise SystemExit('liseurd did not open PortAudio on the private PulseAudio: %s' % sink)
        # Warm-up (PortAudio's stream to the server), and PulseAudio's buffers while it speaks.
        d.request('say', {'text': LONG_TEXT, 'lang': 'fr'})
        if monitor.wait_loud(time.perf_counter()) is None:
            raise SystemExit("nothing heard at the null sink's monitor: see %s" % d.log.name)
        time.sleep(0.5)
        streams = pulse.latencies()
        d.request('stop', {})
        for i in range(runs):
            # Stop at a different place of the text each time (0.3 to 1.5 s into it).
            w, h = stop_at_sink(d, monitor, 0.3 + (i * 0.37) % 1.2)
            walls.append(w)
            heard.append(h)
    finally:
        if d:
            d.close()
        if monitor:
            monitor.close()
        pulse.close()
    info = 'liseurd\'s sink: %s; PulseAudio while speaking: %s' % (sink, '; '.join(
        '%s %s: buffer %.1f ms + %s %.1f ms' % (kind, name, buf, 'sink' if kind == 'playback' else 'source', lat)
        for kind, name, buf, lat in streams) or '?')
    return walls, heard, info


def pause_runs(build, tmp):
    """(equal, a line saying what was compared): PAUSE_TEXT said straight, then with two pauses,
    by a paced sink that records what it played, against the same two says to WAV files in a
    second fresh daemon."""
    rec = os.path.join(tmp, 'played.wav')
    p = Daemon(build, os.path.join(tmp, 'paused'), record=rec)
    try:
        plain = p.say_and_wait(PAUSE_TEXT)
        paused = p.say_and_wait(PAUSE_TEXT, pauses=2)
    finally:
        p.close()
    played = wav_samples(rec)
    ind = benchlib.Daemon(build, os.path.join(tmp, 'independent'), audio='null',
                          client='speech-bench', events=['job-finished'])
    wavs = []
    try:
        for i in range(2):
            path = os.path.join(tmp, 'independent-%d.wav' % i)
            ind.request('say', {'text': PAUSE_TEXT, 'lang': 'fr', 'to_wav': path, 'wait': True})
            wavs.append(wav_samples(path))
    finally:
        ind.close()
    synth = b''.join(wavs)
    equal = played == synth and len(wavs[0]) > 0
    line = ('pause/resume: played %d samples (straight %d + paused %d expected), independent '
            'synthesis %d + %d, equal sample for sample: %s; wall from first audio to the end: '
            'straight %.0f ms, with two 0.3 s pauses %.0f ms'
            % (len(played) // 2, len(wavs[0]) // 2, len(wavs[1]) // 2, len(wavs[0]) // 2,
               len(wavs[1]) // 2, equal, plain, paused))
    if not equal:
        a, b = array('h', played), array('h', synth)
        first = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]), min(len(a), len(b)))
        line += '; first difference at sample %d (%.1f ms)' % (first, first * 1000.0 / RATE)
    if paused - plain < 500:
        equal = False
        line += '; the pauses did not land (the paused run is not 0.6 s longer)'
    return equal, line


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'))
    ap.add_argument('--runs', type=int, default=20)
    ap.add_argument('--md', help='also write the table as markdown here')
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    image = os.path.join(ROOT, 'tests', 'data', 'ocr', 'multiblock-en.png')
    tmp = tempfile.mkdtemp(prefix='liseur-speech-bench-')
    review_fa, review_wall, base = [], [], []
    try:
        d = Daemon(build, os.path.join(tmp, 'review'))
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
        finally:
            d.close()
        stop_wall, stop_heard, sink_info = stop_runs(build, os.path.join(tmp, 'stop'), a.runs)
        base = [espeak_first_audio('Reading in the school library.') * 1000 for _ in range(max(a.runs // 2, 5))]
        same, pause_info = pause_runs(build, os.path.join(tmp, 'pause'))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    med = statistics.median
    b = med(base)
    print(sink_info)
    print('stop -> silence heard, ms, per run: %s' % ' '.join('%.1f' % h for h in stop_heard))
    print(pause_info)
    print()
    rows = [
        ('review next-line -> first PCM sample in the sink (daemon)', med(review_fa), 20),
        ('review next-line -> first-audio event (client wall)', med(review_wall), 20),
        ('stop -> sink flushed (client wall to the reply)', med(stop_wall), 30),
        ('stop -> silence heard at a real sink (PortAudio -> PulseAudio null sink, last sound '
         'at its monitor, 10 ms fragments)', med(stop_heard), 30),
    ]
    md = ['| measure (median of %d) | liseur (ms) | target (ms) | espeak-ng -q --stdout cold, first audio (ms) '
          '| ratio espeak-ng/liseur |' % a.runs, '|---|---:|---:|---:|---:|']
    for name, v, target in rows:
        md.append('| %s | %.1f | %d | %.1f | %.1f× |' % (name, v, target, b, b / max(v, 0.05)))
    md.append('| pause/resume twice: samples the paced sink played = an independent synthesis (a fresh '
              'daemon, `say` to WAV, same texts in the same order), sample for sample | %s | equal | | |'
              % ('yes' if same else 'NO'))
    text = '\n'.join(md) + '\n'
    print(text)
    if a.md:
        open(a.md, 'w').write(text)
    sys.exit(0 if same else 1)


if __name__ == '__main__':
    main()
