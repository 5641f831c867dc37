#!/usr/bin/env python3
"""First audio and first word through the user's speech-dispatcher against liseur's own voice.

    /usr/bin/python3 tests/bench/speechd/speechd_bench.py [--build build] [--runs 10]

In one run, on a private PulseAudio server (one null sink that plays in real time) and a private
speech-dispatcher 0.11 (Debian 12: its espeak-ng module, AudioOutputMethod "pulse"), both under a
temporary XDG_RUNTIME_DIR, a warm liseurd of the build tree (PortAudio -> ALSA -> the same
PulseAudio) says the same short English sentence with speech.output = "liseur" and
"speech-dispatcher" in turn (switched by rewriting liseur.toml and `reload`; one warm-up say of
each first, which also makes the daemon's lazy speech-dispatcher connection). For each say:

  first audio   the daemon's first-audio event, t_ms: from the request to the first PCM sample
                handed to PortAudio (liseur) / to speech-dispatcher's BEGIN event, sent when its
                playback thread starts handing audio to PulseAudio (speech-dispatcher)
  first word    the wall time from sending `say` to the client receiving the first `word` event
                (liseur: when the sink has played up to the word; speech-dispatcher: its first
                index mark, reported as the audio reaches it)
  first sound   the wall time from sending `say` to the first sound in PulseAudio's null sink, as
                recorded from its monitor by `parec` (10 ms fragments): what a listener would hear,
                the same measure for both, through the same server

Prints medians (and min-max) per output and the ratio speech-dispatcher / liseur. Not a test:
nothing is asserted.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import benchlib  # noqa: E402  (liseurd in a private XDG tree, over its socket)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
TEXT = 'Hello there, this is the first word of a short sentence.'


def start_speechd(tmp, env):
    """A speech-dispatcher speaking into the private PulseAudio's null sink, in tmp."""
    logs = os.path.join(tmp, 'logs')
    conf = os.path.join(tmp, 'speechd-config')
    os.makedirs(os.path.join(conf, 'modules'), exist_ok=True)
    shutil.copy('/etc/speech-dispatcher/modules/espeak-ng.conf', os.path.join(conf, 'modules'))
    with open(os.path.join(conf, 'speechd.conf'), 'w') as f:
        f.write('CommunicationMethod "unix_socket"\nSocketPath "default"\nTimeout 0\n'
                'LogLevel 2\nLogDir "%s"\nDefaultLanguage "en"\nAudioOutputMethod "pulse"\n'
                'AddModule "espeak-ng" "sd_espeak-ng" "espeak-ng.conf"\n'
                'DefaultModule espeak-ng\n' % logs)
    speechd = subprocess.Popen(['speech-dispatcher', '--run-single', '--config-dir', conf,
                                '--timeout', '0'], env=env, stdout=subprocess.DEVNULL,
                               stderr=open(os.path.join(logs, 'speechd.log'), 'w'),
                               start_new_session=True)
    benchlib.wait_socket(os.path.join(env['XDG_RUNTIME_DIR'], 'speech-dispatcher', 'speechd.sock'),
                         speechd, 'speech-dispatcher')
    return speechd


def set_output(d, tmp, output):
    with open(os.path.join(tmp, 'config', 'liseur', 'liseur.toml'), 'w') as f:
        f.write('[speech]\noutput = "%s"\n' % output)
    d.request('reload')


def say_once(d, expect_output, monitor):
    """(first_audio_ms as the daemon reports it, wall ms to the first word event, wall ms to the
    first sound in the sink)."""
    monitor.quiet_for(0.3)
    t0 = time.perf_counter()
    job = d.request('say', {'text': TEXT, 'lang': 'en'})['job']
    first_audio = first_word = None
    output = None
    while True:
        m = d.line()
        if m.get('job') != job:
            continue
        ev = m.get('event')
        if ev == 'utterance-started':
            output = m.get('output')
        elif ev == 'first-audio' and first_audio is None:
            first_audio = m['t_ms']
        elif ev == 'word' and first_word is None:
            first_word = (time.perf_counter() - t0) * 1000
        elif ev == 'job-finished':
            if not m.get('ok'):
                raise SystemExit('say failed: %s' % m)
            break
    if output != expect_output:
        raise SystemExit('spoken by %s, expected %s' % (output, expect_output))
    sound = monitor.first_sound_after(t0)
    if sound is None:
        raise SystemExit('nothing was heard in the null sink')
    return first_audio, first_word, sound


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'))
    ap.add_argument('--runs', type=int, default=10)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix='liseur-speechd-bench-')
    env = dict(benchlib.pulse_env(tmp), SPEECHD_CMD=os.path.join(tmp, 'no-autospawn'))
    env.pop('SPEECHD_ADDRESS', None)
    for sub in ('logs', os.path.join('config', 'liseur')):
        os.makedirs(os.path.join(tmp, sub), mode=0o700, exist_ok=True)
    pulse = speechd = d = monitor = None
    try:
        pulse = benchlib.PulseNullSink(env, os.path.join(tmp, 'logs', 'pulse.log'))
        speechd = start_speechd(tmp, env)
        d = benchlib.Daemon(args.build, tmp, audio='portaudio', client='speechd-bench',
                            events=['first-audio', 'word', 'utterance-started', 'job-finished'],
                            env=env, keep_events=True)
        monitor = pulse.monitor()
        results = {'liseur': ([], [], []), 'speech-dispatcher': ([], [], [])}
        for output in results:  # warm-up: workers, voices, the lazy connection
            set_output(d, tmp, output)
            say_once(d, output, monitor)
        for _ in range(args.runs):
            for output, lists in results.items():
                set_output(d, tmp, output)
                for lst, v in zip(lists, say_once(d, output, monitor)):
                    lst.append(v)
        load = os.getloadavg()[0]
        sink = d.request('status')['audio']['sink']
        print('%d runs each, alternated; load %.2f; %s; liseur\'s sink: %s'
              % (args.runs, load, time.strftime('%Y-%m-%d %H:%M'), sink))
        print('| output | first audio (daemon, ms) | first word event (client, ms) '
              '| first sound in the sink (ms) |')
        print('|---|---:|---:|---:|')
        med = {}
        for output, lists in results.items():
            med[output] = [statistics.median(v) for v in lists]
            print('| %s | %s |' % (output, ' | '.join(
                '%.1f (%.1f-%.1f)' % (m, min(v), max(v)) for m, v in zip(med[output], lists))))
        lis, spd = med['liseur'], med['speech-dispatcher']
        print('ratio speech-dispatcher / liseur: ' + ', '.join(
            '%s %.2fx (%+.1f ms)' % (name, b / a, b - a) for name, a, b in
            zip(('first audio', 'first word', 'first sound'), lis, spd)))
    finally:
        if monitor:
            monitor.close()
        if d:
            d.close()
        benchlib.end_process(speechd)
        if pulse:
            pulse.close()
        if speechd:
            try:
                os.killpg(speechd.pid, 9)  # its espeak-ng module
            except OSError:
                pass
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    main()
