"""Shared by the benches: a liseurd of the build tree started in a private XDG tree, spoken to
over its socket in JSON lines (the protocol of PROTOCOL.md), and shut down at the end.

    sys.path.insert(0, os.path.join(HERE, '..'))   # tests/bench
    from benchlib import Daemon

Daemon(build, tmp, audio='null', client='my-bench', events=['first-audio']) starts
BUILD/daemon/app/liseurd --foreground --audio AUDIO with XDG_RUNTIME_DIR, XDG_CONFIG_HOME,
XDG_CACHE_HOME and HOME under TMP, connects, says hello and subscribes to EVENTS. Then:
send(cmd, args) -> id, line() -> the next message, request(cmd, args) -> the reply (SystemExit
when not ok), close(). With keep_events=True, events that arrive while request() waits for its
reply are kept for line(); otherwise they are dropped.

Also: a private PulseAudio server with one null sink (PulseNullSink, in pulse_env's tree) and a
Monitor that records what it plays (parec on its monitor, 10 ms fragments: when sound was heard,
when it ended); SlowMachine (a cgroup: an old laptop); process_tree_memory;
seconds_to_first_audio.
"""
import array
import json
import os
import socket
import subprocess
import threading
import time


def private_env(tmp, env=None):
    """ENV (default: ours) with XDG_RUNTIME_DIR, XDG_CONFIG_HOME, XDG_CACHE_HOME and HOME in new
    private folders under TMP, and no LISEUR_PLUGIN_PATH: liseur as a new user runs it."""
    out = dict(os.environ if env is None else env, XDG_RUNTIME_DIR=os.path.join(tmp, 'run'),
               XDG_CONFIG_HOME=os.path.join(tmp, 'config'), XDG_CACHE_HOME=os.path.join(tmp, 'cache'),
               HOME=os.path.join(tmp, 'home'))
    out.pop('LISEUR_PLUGIN_PATH', None)
    for d in ('run', 'config', 'cache', 'home'):
        os.makedirs(os.path.join(tmp, d), mode=0o700, exist_ok=True)
    return out


class Daemon:
    def __init__(self, build, tmp, audio, client, events, env=None, extra_env=None,
                 start_timeout=15, keep_events=False, prefix=None):
        self.tmp = tmp
        self.env = private_env(tmp, env)
        self.env.update(extra_env or {})
        self.log = open(os.path.join(tmp, 'liseurd.log'), 'w')
        self.cli = os.path.join(build, 'daemon', 'app', 'liseur')
        # `prefix`: a command that runs liseurd (e.g. SlowMachine.prefix()).
        self.proc = subprocess.Popen(list(prefix or []) + [
            os.path.join(build, 'daemon', 'app', 'liseurd'), '--foreground', '--audio', audio],
            env=self.env, stderr=self.log)
        path = os.path.join(tmp, 'run', 'liseur', 'socket')
        end = time.monotonic() + start_timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > end:
                    raise SystemExit('liseurd did not start: see %s' % self.log.name)
                time.sleep(0.05)
        self.buf = b''
        self.queued = []
        self.keep_events = keep_events
        self.next_id = 1
        self.request('hello', {'protocol': 1, 'client': client})
        self.request('subscribe', {'events': events})

    def send(self, cmd, args):
        rid = self.next_id
        self.next_id += 1
        self.sock.sendall((json.dumps({'id': rid, 'cmd': cmd, 'args': args}) + '\n').encode())
        return rid

    def line(self):
        if self.queued:
            return self.queued.pop(0)
        return self.read_line()

    def read_line(self):
        while b'\n' not in self.buf:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                raise SystemExit('no answer from liseurd for %s s: see %s'
                                 % (self.sock.gettimeout(), self.log.name))
            if not data:
                raise SystemExit('liseurd closed the connection: see %s' % self.log.name)
            self.buf += data
        ln, self.buf = self.buf.split(b'\n', 1)
        return json.loads(ln)

    def request(self, cmd, args=None):
        rid = self.send(cmd, args or {})
        while True:
            m = self.read_line()
            if m.get('id') == rid:
                if not m.get('ok'):
                    raise SystemExit('%s failed: %s' % (cmd, m))
                return m
            if self.keep_events and 'event' in m:
                self.queued.append(m)

    def close(self):
        try:
            self.request('shutdown')
        except SystemExit:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class SlowMachine:
    """A cgroup that gives its processes one core at `share` of its speed (an old laptop): the CPU
    quota (cgroup v2 cpu.max, or v1 cpu.cfs_quota_us) and one CPU (cpuset). Needs root and a
    writable /sys/fs/cgroup; `problem` says why not otherwise. prefix() is a command that moves
    itself into the cgroup, then runs the rest of its arguments (so every process it starts, the
    daemon's workers too, is in it)."""

    def __init__(self, name='liseur-bench-slow', share=0.5):
        self.problem = None
        self.dirs = []
        period = 100000
        quota = int(period * share)
        root = '/sys/fs/cgroup'
        try:
            if os.path.exists(os.path.join(root, 'cgroup.controllers')):  # cgroup v2
                for c in ('cpu', 'cpuset'):
                    with open(os.path.join(root, 'cgroup.subtree_control'), 'w') as f:
                        f.write('+%s' % c)
                d = os.path.join(root, name)
                os.makedirs(d, exist_ok=True)
                open(os.path.join(d, 'cpu.max'), 'w').write('%d %d' % (quota, period))
                open(os.path.join(d, 'cpuset.cpus'), 'w').write('0')
                self.dirs = [d]
            else:  # cgroup v1: the cpu and cpuset hierarchies
                cpu = os.path.join(root, 'cpu', name)
                cpuset = os.path.join(root, 'cpuset', name)
                os.makedirs(cpu, exist_ok=True)
                os.makedirs(cpuset, exist_ok=True)
                open(os.path.join(cpu, 'cpu.cfs_period_us'), 'w').write(str(period))
                open(os.path.join(cpu, 'cpu.cfs_quota_us'), 'w').write(str(quota))
                open(os.path.join(cpuset, 'cpuset.cpus'), 'w').write('0')
                open(os.path.join(cpuset, 'cpuset.mems'), 'w').write('0')
                self.dirs = [cpu, cpuset]
        except OSError as e:
            self.problem = 'cannot set up a cgroup in %s: %s' % (root, e)

    def prefix(self):
        moves = '; '.join('echo $$ > %s/cgroup.procs' % d for d in self.dirs)
        return ['sh', '-c', moves + '; exec "$@"', 'slow-machine']

    def close(self):
        for d in reversed(self.dirs):
            try:
                os.rmdir(d)
            except OSError:
                pass


def process_tree_memory(pid):
    """{name: (VmRSS MiB, VmHWM MiB)} of process `pid` and all its descendants (the daemon and
    its workers), from /proc; processes that end meanwhile are left out."""
    children = {}
    for d in os.listdir('/proc'):
        if not d.isdigit():
            continue
        try:
            stat = open('/proc/%s/stat' % d).read()
        except OSError:
            continue
        ppid = int(stat.rsplit(')', 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(d))
    out, todo = {}, [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        try:
            fields = dict(line.split(':', 1) for line in open('/proc/%d/status' % p))
        except OSError:
            continue
        mib = lambda k: int(fields.get(k, '0 kB').split()[0]) / 1024  # noqa: E731
        name = '%s[%d]' % (fields['Name'].strip(), p)
        out[name] = (mib('VmRSS'), mib('VmHWM'))
    return out


def seconds_to_first_audio(argv, env=None):
    """Seconds from starting ARGV (a program writing a WAV to stdout) to its first audio byte
    past the 44-byte WAV header (to its end if it wrote none)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, env=env)
    got, first = 0, None
    while True:
        chunk = p.stdout.read1(65536)
        if not chunk:
            break
        got += len(chunk)
        if first is None and got > 44:
            first = time.perf_counter() - t0
    p.wait()
    return first if first is not None else time.perf_counter() - t0


def wait_socket(path, proc, what, timeout=20):
    """Waits until something listens on the unix socket PATH (SystemExit when PROC, the process
    that should open it, exits first or after TIMEOUT seconds)."""
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


def end_process(proc, timeout=10):
    """Terminates PROC (a Popen we started) and waits for it, killing it if it lingers."""
    if proc and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def pulse_env(tmp, env=None):
    """ENV (default: ours) for a private PulseAudio under TMP: XDG_RUNTIME_DIR TMP/run,
    PULSE_RUNTIME_PATH TMP/run/pulse (its native socket), HOME TMP/home, no PULSE_SERVER (never
    the user's or the system's server)."""
    out = dict(os.environ if env is None else env, XDG_RUNTIME_DIR=os.path.join(tmp, 'run'),
               PULSE_RUNTIME_PATH=os.path.join(tmp, 'run', 'pulse'), HOME=os.path.join(tmp, 'home'))
    out.pop('PULSE_SERVER', None)
    for d in ('run', 'home'):
        os.makedirs(os.path.join(tmp, d), mode=0o700, exist_ok=True)
    return out


class PulseNullSink:
    """A private PulseAudio server (`pulseaudio -n`: no default script, so no sound card and no
    system server; it runs as root in CI) with one null sink, SINK, that plays in real time, and
    its native protocol on a socket under ENV's PULSE_RUNTIME_PATH (see pulse_env). Clients given
    ENV reach it: liseurd's PortAudio through ALSA's pulse plugin, parec, speech-dispatcher.
    monitor() records what the sink plays; close() ends the server."""

    def __init__(self, env, log, sink='bench'):
        self.env = env
        self.sink = sink
        self.proc = subprocess.Popen(
            ['pulseaudio', '-n', '--daemonize=no', '--system=no', '--exit-idle-time=-1',
             '--realtime=no', '--high-priority=no', '--log-target=stderr',
             '-L', 'module-null-sink sink_name=%s' % sink, '-L', 'module-native-protocol-unix'],
            env=env, stdout=subprocess.DEVNULL, stderr=open(log, 'w'))
        try:
            wait_socket(os.path.join(env['PULSE_RUNTIME_PATH'], 'native'), self.proc, 'pulseaudio')
        except SystemExit:
            end_process(self.proc)
            raise

    def monitor(self):
        return Monitor(self.env, self.sink + '.monitor')

    def latencies(self):
        """What the server says of its streams now (`pactl list`): [(kind, application name,
        buffer ms, sink or source ms)], kind 'playback' (a sink input, e.g. liseurd's ALSA
        plug-in) or 'record' (a source output, e.g. parec); [] if pactl cannot tell."""
        out = []
        for what, kind in (('sink-inputs', 'playback'), ('source-outputs', 'record')):
            r = subprocess.run(['pactl', 'list', what], env=dict(self.env, LC_ALL='C'),
                               capture_output=True, text=True)
            for block in r.stdout.split('\n\n'):
                f = {}
                for line in block.split('\n'):
                    line = line.strip()
                    for key in ('Buffer Latency:', 'Sink Latency:', 'Source Latency:'):
                        if line.startswith(key):
                            f[key.split()[0]] = int(line.split()[2]) / 1000
                    if line.startswith('application.name = '):
                        f['name'] = line.split('=', 1)[1].strip().strip('"')
                if 'Buffer' in f:
                    out.append((kind, f.get('name', '?'), f['Buffer'],
                                f.get('Sink', f.get('Source', 0.0))))
        return out

    def close(self):
        end_process(self.proc)


class Monitor:
    """parec on a PulseAudio source (a null sink's monitor: what the sink plays), 22050 Hz mono,
    asked for 10 ms fragments: when each fragment arrived here (perf_counter) and its peak. A
    fragment is loud when its peak is above LOUD (espeak-ng's quietest speech is far above it, a
    null sink's silence is 0)."""

    LOUD = 300

    def __init__(self, env, source='bench.monitor'):
        self.proc = subprocess.Popen(
            ['parec', '-d', source, '--raw', '--format=s16le', '--rate=22050',
             '--channels=1', '--latency-msec=10'], env=env, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL)
        self.chunks = []  # (perf_counter at arrival, peak)
        self.lock = threading.Condition()  # notified at each arrival
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        rest = b''
        while True:
            data = self.proc.stdout.read1(882)
            if not data:
                return
            now = time.perf_counter()
            data, rest = rest + data, b''
            if len(data) & 1:  # half a sample: kept for the next read
                data, rest = data[:-1], data[-1:]
            a = array.array('h', data)
            peak = max((abs(x) for x in a), default=0)
            with self.lock:
                self.chunks.append((now, peak))
                self.lock.notify_all()

    def first_sound_after(self, t0, timeout=10.0):
        """Ms from T0 (perf_counter) to the arrival of the first loud fragment after it, or None."""
        t = self.wait_loud(t0, timeout)
        return None if t is None else (t - t0) * 1000

    def wait_loud(self, t0, timeout=10.0):
        """The arrival time (perf_counter) of the first loud fragment that arrived after T0,
        waiting for it up to TIMEOUT seconds; None if none came."""
        end = time.perf_counter() + timeout
        with self.lock:
            while True:
                for t, peak in self.chunks:
                    if t >= t0 and peak > self.LOUD:
                        return t
                left = end - time.perf_counter()
                if left <= 0:
                    return None
                self.lock.wait(left)

    def last_loud(self):
        """The arrival time (perf_counter) of the last loud fragment kept, or None."""
        with self.lock:
            loud = [t for t, peak in self.chunks if peak > self.LOUD]
        return loud[-1] if loud else None

    def quiet_for(self, seconds, timeout=10.0):
        """Waits until nothing was heard for `seconds` (True), or TIMEOUT seconds (False)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            now = time.perf_counter()
            with self.lock:
                self.chunks = [c for c in self.chunks if c[0] > now - 5]
                loud = [t for t, peak in self.chunks if peak > self.LOUD]
            if not loud or now - loud[-1] > seconds:
                return True
            time.sleep(0.05)
        return False

    def close(self):
        end_process(self.proc)


def start_xvfb(size='1280x800'):
    """(Xvfb process, ':N'): a private Xvfb of SIZE (24-bit), its display number chosen by Xvfb."""
    r, w = os.pipe()
    p = subprocess.Popen(['Xvfb', '-displayfd', str(w), '-screen', '0', size + 'x24', '-nolisten', 'tcp'],
                         pass_fds=(w,), stderr=subprocess.DEVNULL)
    os.close(w)
    num = b''
    while not num.endswith(b'\n'):
        chunk = os.read(r, 16)
        if not chunk:
            raise SystemExit('Xvfb did not start')
        num += chunk
    os.close(r)
    return p, ':' + num.decode().strip()
