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
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from array import array

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import benchlib  # noqa: E402  (liseurd in a private XDG tree, over its socket)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
TEXT = 'Hello there, this is the first word of a short sentence.'


def wait_socket(path, proc, what, timeout=20):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise SystemExit('%s exited at start' % what)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return
        except OSError:
            time.sleep(0.05)
        finally:
            s.close()
    raise SystemExit('%s did not listen on %s' % (what, path))


def start_servers(tmp, env):
    """A PulseAudio null sink and a speech-dispatcher speaking into it, in tmp."""
    logs = os.path.join(tmp, 'logs')
    os.makedirs(logs, exist_ok=True)
    pulse = subprocess.Popen(
        ['pulseaudio', '-n', '--daemonize=no', '--system=no', '--exit-idle-time=-1',
         '--realtime=no', '--high-priority=no', '--log-target=stderr',
         '-L', 'module-null-sink sink_name=bench', '-L', 'module-native-protocol-unix'],
        env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(logs, 'pulse.log'), 'w'))
    wait_socket(os.path.join(env['PULSE_RUNTIME_PATH'], 'native'), pulse, 'pulseaudio')
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
    wait_socket(os.path.join(env['XDG_RUNTIME_DIR'], 'speech-dispatcher', 'speechd.sock'),
                speechd, 'speech-dispatcher')
    return pulse, speechd


class Monitor:
    """parec on the null sink's monitor: when each 10 ms of sound arrived, and its peak."""

    def __init__(self, env):
        self.proc = subprocess.Popen(
            ['parec', '-d', 'bench.monitor', '--raw', '--format=s16le', '--rate=22050',
             '--channels=1', '--latency-msec=10'], env=env, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL)
        self.chunks = []  # (perf_counter at arrival, peak)
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            data = self.proc.stdout.read1(882)
            if not data:
                return
            now = time.perf_counter()
            a = array('h', data[:len(data) // 2 * 2])
            peak = max((abs(x) for x in a), default=0)
            with self.lock:
                self.chunks.append((now, peak))

    def first_sound_after(self, t0, timeout=10.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self.lock:
                for t, peak in self.chunks:
                    if t >= t0 and peak > 300:
                        return (t - t0) * 1000
            time.sleep(0.005)
        return None

    def quiet_for(self, seconds, timeout=10.0):
        """Waits until nothing was heard for `seconds`."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            now = time.perf_counter()
            with self.lock:
                self.chunks = [c for c in self.chunks if c[0] > now - 5]
                loud = [t for t, peak in self.chunks if peak > 300]
            if not loud or now - loud[-1] > seconds:
                return
            time.sleep(0.05)

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


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
    env = dict(os.environ, XDG_RUNTIME_DIR=os.path.join(tmp, 'run'),
               PULSE_RUNTIME_PATH=os.path.join(tmp, 'run', 'pulse'),
               SPEECHD_CMD=os.path.join(tmp, 'no-autospawn'), HOME=os.path.join(tmp, 'home'))
    env.pop('SPEECHD_ADDRESS', None)
    env.pop('PULSE_SERVER', None)
    for sub in ('run', 'home', os.path.join('config', 'liseur')):
        os.makedirs(os.path.join(tmp, sub), mode=0o700, exist_ok=True)
    pulse = speechd = d = monitor = None
    try:
        pulse, speechd = start_servers(tmp, env)
        d = benchlib.Daemon(args.build, tmp, audio='portaudio', client='speechd-bench',
                            events=['first-audio', 'word', 'utterance-started', 'job-finished'],
                            env=env, keep_events=True)
        monitor = Monitor(env)
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
        for p in (speechd, pulse):
            if p and p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
        if speechd:
            try:
                os.killpg(speechd.pid, 9)  # its espeak-ng module
            except OSError:
                pass
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    main()
