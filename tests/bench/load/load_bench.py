#!/usr/bin/env python3
"""Many clients at once: `status` latency while a full screen is read (issue 18).

    /usr/bin/python3 tests/bench/load/load_bench.py [--build build] [--clients 63] [--reads 3]

A liseurd of the build tree (null audio) is started in a private XDG tree. 63 more clients
connect (with the bench's own, 64: the server's table) and say hello; then, in one run:

  loaded  rounds in which every client sends `status` at once and waits for its reply, for as
          long as a 1920x1080 screenshot (corpus-dev screen-en-01) is read into a WAV file,
          --reads times in a row
  idle    as many rounds with the daemon doing nothing else (the baseline)

Prints p50, p99 and max of the request-to-reply time in each case and the ratio loaded / idle
(target of issue 18: p99 <= 50 ms under load). Not a test: nothing is asserted.
"""
import argparse
import json
import os
import select
import socket
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
sys.path.insert(0, os.path.join(HERE, '..'))
from benchlib import Daemon  # noqa: E402

SHARED = os.path.abspath(os.path.join(ROOT, '..', 'shared', 'bench'))


class Client:
    def __init__(self, path, name):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.buf = b''
        self.next_id = 1
        self.ask('hello', {'protocol': 1, 'client': name})
        self.reply()

    def ask(self, cmd, args=None):
        self.sock.sendall((json.dumps({'id': self.next_id, 'cmd': cmd, 'args': args or {}}) +
                           '\n').encode())
        self.next_id += 1

    def reply(self):
        while b'\n' not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise SystemExit('liseurd closed a client connection')
            self.buf += data
        line, self.buf = self.buf.split(b'\n', 1)
        m = json.loads(line)
        if not m.get('ok'):
            raise SystemExit('status failed: %s' % m)
        return m


def status_round(clients, samples):
    """Every client sends one status at once; the time from send to its reply is recorded."""
    sent = {}
    for c in clients:
        sent[c] = time.perf_counter()
        c.ask('status')
    waiting = {c.sock: c for c in clients}
    while waiting:
        ready, _, _ = select.select(list(waiting), [], [], 30)
        if not ready:
            raise SystemExit('no status reply within 30 s')
        for s in ready:
            c = waiting[s]
            c.reply()
            samples.append((time.perf_counter() - sent[c]) * 1000)
            del waiting[s]


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'))
    ap.add_argument('--clients', type=int, default=63)
    ap.add_argument('--reads', type=int, default=3, help='screen reads in a row under load')
    a = ap.parse_args()
    image = os.path.join(SHARED, 'corpus-dev', 'screen-en-01.png')
    with tempfile.TemporaryDirectory(prefix='liseur-load-') as tmp:
        d = Daemon(os.path.abspath(a.build), tmp, audio='null', client='load-bench',
                   events=['job-finished'], keep_events=True)
        try:
            path = os.path.join(tmp, 'run', 'liseur', 'socket')
            clients = [Client(path, 'load-%d' % i) for i in range(a.clients)]
            # Loaded: status rounds for as long as the screen is read, a.reads times in a row.
            loaded, rounds, done = [], 0, 0
            wav = os.path.join(tmp, 'screen.wav')
            d.request('read', {'file': image, 'to_wav': wav})
            while done < a.reads:
                status_round(clients, loaded)
                rounds += 1
                while d.queued or select.select([d.sock], [], [], 0)[0]:
                    m = d.line()
                    if m.get('event') == 'job-finished':
                        done += 1
                        if done < a.reads:
                            d.request('read', {'file': image, 'to_wav': wav})
            # Idle: as many rounds, nothing else to do.
            idle = []
            for _ in range(rounds):
                status_round(clients, idle)
        finally:
            d.close()
    print('# status latency, %d clients + the bench, %d rounds each, %d screen reads under load'
          % (a.clients, rounds, a.reads))
    for name, v in (('idle', idle), ('loaded', loaded)):
        print('%-7s n=%4d  p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms'
              % (name, len(v), statistics.median(v), pct(v, 99), max(v)))
    print('p99 loaded / idle: %.2f; loaded p99 %.1f ms (target <= 50 ms)'
          % (pct(loaded, 99) / pct(idle, 99), pct(loaded, 99)))


if __name__ == '__main__':
    main()
