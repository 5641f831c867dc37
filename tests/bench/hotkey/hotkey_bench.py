#!/usr/bin/env python3
"""Hotkey to first audio, and the CPU of a watched region that does not change, under Xvfb.

    python3 tests/bench/hotkey/hotkey_bench.py [--build build] [--presses 12] [--ticks 40]
    ninja -C build bench-hotkey          (the same, with the build's programs)

Starts its own Xvfb, openbox (for _NET_ACTIVE_WINDOW) and a 600x200 xterm showing a known French
and English text, then a warm liseurd (paced null sink: audio is consumed at the real rate, as by
a sound card) with that xterm active. In one run:
  hotkey      `xdotool key ctrl+alt+shift+w` (read the active window): wall time from starting
              xdotool to the daemon's first-audio event, and the daemon's own first_audio_ms
              (hotkey handled -> first PCM handed to the sink)
  cli         the same read started by `liseur read window`: wall time from starting the CLI to
              the first-audio event, and first_audio_ms (both after a `reload`, which forgets the
              recognitions the daemon keeps by content, so the window is recognised)
  re-read     `liseur read window` again with the window unchanged: its recognition is reused
  watch tick  `watch region` of the xterm every 250 ms, nothing changing: CPU of liseurd (all its
              threads, /proc/PID/task/*/schedstat, nanoseconds) and of Xvfb (which copies the
              pixels for XShm) per tick, minus the same daemon's idle CPU over as long
Each reading is stopped (`stop`) once its first audio came. Prints medians and the ratio
hotkey/cli. Not a test: nothing is asserted. Targets (issue 5): hotkey <= 150 ms, tick <= 5 ms.
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
TEXT = "Le cœur a ses raisons.\\nÉlève : ça va très bien !\\nThe quick brown fox jumps.\\n"


def start_xvfb():
    return benchlib.start_xvfb('1280x800')


def wait_for(cond, timeout=20.0, what='condition'):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = cond()
        if v:
            return v
        time.sleep(0.05)
    raise SystemExit('timed out waiting for ' + what)


def cpu_ns(pid):
    """CPU time of every thread of pid, in ns (schedstat: time spent on the CPU)."""
    total = 0
    base = '/proc/%d/task' % pid
    for tid in os.listdir(base):
        try:
            with open('%s/%s/schedstat' % (base, tid)) as f:
                total += int(f.read().split()[0])
        except OSError:
            pass
    return total


class Daemon(benchlib.Daemon):
    def __init__(self, build, tmp, env):
        # Events that come while request() waits are kept for first_audio().
        super().__init__(build, tmp, audio='paced-null', client='hotkey-bench',
                         events=['first-audio', 'job-started', 'job-finished', 'ocr-finished', 'error'], env=env,
                         start_timeout=30, keep_events=True)
        self.sock.settimeout(60)  # a reading that never starts is reported, not waited for

    def status(self):
        st = self.request('status')
        self.queued.clear()  # events of the watch: not needed
        return st

    def first_audio(self, start, settle=False):
        """Runs start() (which starts a read of the window), returns (wall ms to first-audio, the
        daemon's first_audio_ms); then stops the reading and waits for its end. With settle, the
        recognition is let finish before the stop (a stop cancels it, and only a finished
        recognition is kept for a re-read)."""
        t0 = time.perf_counter()
        child = start()
        job, wall = None, None
        while wall is None:
            m = self.line()
            if os.environ.get('BENCH_DEBUG'):
                print(m, file=sys.stderr)
            if m.get('event') == 'job-started' and m.get('kind') == 'read':
                job = m['job']
            elif m.get('event') == 'first-audio' and job is not None and m.get('job') == job:
                wall = (time.perf_counter() - t0) * 1000
            elif m.get('event') == 'error':
                raise SystemExit('the reading failed: %s' % m)
        while settle:
            m = self.line()
            if m.get('event') == 'ocr-finished' and m.get('job') == job:
                break
        self.request('stop')
        while True:
            m = self.line()
            if m.get('event') == 'job-finished' and m.get('job') == job:
                fa = m['timings']['first_audio_ms']
                break
        if child is not None:
            child.wait()
        return wall, fa


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'))
    ap.add_argument('--presses', type=int, default=12)
    ap.add_argument('--ticks', type=int, default=40, help='ticks per CPU measurement (every 250 ms)')
    ap.add_argument('--repeats', type=int, default=3, help='CPU measurements')
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    tmp = tempfile.mkdtemp(prefix='liseur-hotkey-bench-')
    procs = []
    d = None
    try:
        xvfb, display = start_xvfb()
        procs.append(xvfb)
        env = dict(os.environ, DISPLAY=display)
        env.pop('WAYLAND_DISPLAY', None)
        procs.append(subprocess.Popen(['openbox', '--sm-disable'], env=env, stderr=subprocess.DEVNULL))
        wait_for(lambda: b'window id' in subprocess.run(['xprop', '-root', '_NET_SUPPORTING_WM_CHECK'], env=env,
                                                        capture_output=True).stdout, what='openbox')
        procs.append(subprocess.Popen(
            ['xterm', '-u8', '-T', 'liseur-bench', '-geometry', '50x8+50+50', '-fa', 'DejaVu Sans Mono', '-fs',
             '14', '-bg', 'white', '-fg', 'black', '+sb', '-e', 'sh', '-c',
             "printf '\\033[?25l" + TEXT + "'; sleep 100000"], env=env, stderr=subprocess.DEVNULL))
        win = wait_for(lambda: subprocess.run(['xdotool', 'search', '--name', '^liseur-bench$'], env=env,
                                              capture_output=True, text=True).stdout.split(), what='xterm')[0]
        subprocess.run(['xdotool', 'windowsize', win, '600', '200'], env=env)
        wait_for(lambda: subprocess.run(['xdotool', 'windowactivate', '--sync', win], env=env).returncode == 0
                 and subprocess.run(['xdotool', 'getactivewindow'], env=env, capture_output=True,
                                    text=True).stdout.strip() == win, what='the xterm to be active')
        geo = subprocess.run(['xdotool', 'getwindowgeometry', '--shell', win], env=env, capture_output=True,
                             text=True).stdout
        g = dict(ln.split('=', 1) for ln in geo.split())
        size = '%sx%s' % (g['WIDTH'], g['HEIGHT'])
        d = Daemon(build, tmp, env)
        xdotool = lambda: subprocess.Popen(['xdotool', 'key', '--clearmodifiers', 'ctrl+alt+shift+w'], env=env)
        cli = lambda: subprocess.Popen([d.cli, '--no-spawn', 'read', 'window'], env=d.env)
        for _ in range(2):  # warm-up: models loaded, caches hot
            d.first_audio(cli)
            d.first_audio(xdotool)
        hk, hk_d, cl, cl_d, again, again_d = [], [], [], [], [], []
        for _ in range(a.presses):  # interleaved, so all see the same load
            # `reload` forgets the recognitions kept by content, so these two recognise the window.
            d.request('reload')
            w, f = d.first_audio(xdotool)
            hk.append(w)
            hk_d.append(f)
            d.request('reload')
            w, f = d.first_audio(cli, settle=True)
            cl.append(w)
            cl_d.append(f)
            # The same, unchanged window read again: its recognition is reused.
            w, f = d.first_audio(cli)
            again.append(w)
            again_d.append(f)

        # Watched region, nothing changing.
        region = '%s,%s,%s,%s' % (g['X'], g['Y'], g['WIDTH'], g['HEIGHT'])
        d.request('watch', {'source': 'region', 'region': region, 'every': '250ms'})
        wait_for(lambda: d.status()['watch']['recognitions'] >= 1, 60, 'the first recognition')
        wait_for(lambda: d.status()['state'] == 'idle' or d.request('stop'), 60, 'speech to end')
        xpid = xvfb.pid
        per_tick, gross_tick, x_per_tick = [], [], []
        for _ in range(a.repeats):
            # No requests while measuring: answering them costs CPU too.
            s0 = d.status()['watch']
            c0, x0 = cpu_ns(d.proc.pid), cpu_ns(xpid)
            t0 = time.monotonic()
            time.sleep(a.ticks * 0.25)
            c1, x1 = cpu_ns(d.proc.pid), cpu_ns(xpid)
            span = time.monotonic() - t0
            s1 = d.status()['watch']
            ticks = s1['ticks'] - s0['ticks']
            if s1['recognitions'] != s0['recognitions']:
                print('warning: the region changed during the measurement', file=sys.stderr)
            watch_cpu = (c1 - c0) / 1e6
            x_cpu = (x1 - x0) / 1e6
            # The same daemon idle for as long (no watch), to subtract what it costs anyway.
            d.request('unwatch')
            time.sleep(0.3)  # a tick that had started ends
            i0, ix0 = cpu_ns(d.proc.pid), cpu_ns(xpid)
            time.sleep(span)
            idle = (cpu_ns(d.proc.pid) - i0) / 1e6
            x_idle = (cpu_ns(xpid) - ix0) / 1e6
            per_tick.append((watch_cpu - idle) / ticks)
            gross_tick.append(watch_cpu / ticks)
            x_per_tick.append((x_cpu - x_idle) / ticks)
            print('watch: %d ticks in %.1f s: liseurd %.1f ms CPU (idle %.1f ms), Xvfb %.1f ms (idle %.1f)'
                  % (ticks, span, watch_cpu, idle, x_cpu, x_idle), file=sys.stderr)
            d.request('watch', {'source': 'region', 'region': region, 'every': '250ms'})
            wait_for(lambda: d.status()['watch']['recognitions'] >= 1, 60, 'the first recognition')
            wait_for(lambda: d.status()['state'] == 'idle' or d.request('stop'), 60, 'speech to end')
        d.request('unwatch')
    finally:
        if d:
            d.close()
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)

    med = statistics.median
    print('| measure (xterm %s, %d presses each, medians) | value |' % (size, a.presses))
    print('|---|---:|')
    print('| hotkey (xdotool) -> first-audio event, wall | %.0f ms |' % med(hk))
    print('| hotkey, daemon first_audio_ms | %.0f ms |' % med(hk_d))
    print('| `liseur read window` -> first-audio event, wall | %.0f ms |' % med(cl))
    print('| CLI, daemon first_audio_ms | %.0f ms |' % med(cl_d))
    print('| ratio hotkey / CLI (wall) | %.2f |' % (med(hk) / max(med(cl), 0.1)))
    print('| `liseur read window` again, window unchanged -> first-audio event, wall | %.0f ms |' % med(again))
    print('| re-read, daemon first_audio_ms | %.0f ms |' % med(again_d))
    print('| ratio re-read / first read (daemon first_audio_ms) | %.2f |' % (med(again_d) / max(med(cl_d), 0.1)))
    print('| unchanged watch tick, liseurd CPU, all of it (median of %d x %d ticks) | %.2f ms |'
          % (a.repeats, a.ticks, med(gross_tick)))
    print('| unchanged watch tick, liseurd CPU minus the idle daemon | %.2f ms |' % med(per_tick))
    print('| unchanged watch tick, Xvfb CPU | %.2f ms |' % med(x_per_tick))
    print('targets: hotkey <= 150 ms, tick <= 5 ms, re-read <= 30 ms', file=sys.stderr)


if __name__ == '__main__':
    main()
