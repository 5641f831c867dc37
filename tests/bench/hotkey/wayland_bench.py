#!/usr/bin/env python3
"""First audio of a 600x200 window on Wayland (headless sway), through wlroots screencopy and
through the Screenshot portal, against the same window on X11 (Xvfb), in one run.

    python3 tests/bench/hotkey/wayland_bench.py [--build build] [--presses 8]
    ninja -C build bench-wayland          (the same, with the build's programs)

Each desktop shows the same text, black on white, in a 600x200 terminal (xterm on Xvfb, foot
on a headless sway 1.7 with the pixman renderer, run as user nobody when we are root: sway
refuses root). A warm liseurd (paced null sink) per case reads `liseur read region` of that
window; before each read a `reload` forgets the recognitions the daemon keeps by content, so
every read captures and recognises. Measured: wall time from starting the CLI to the daemon's
first-audio event, and the daemon's own first_audio_ms (request received -> first PCM to the
sink). Cases:
  x11          XShm capture on Xvfb
  screencopy   capture.backend = wlr-screencopy on sway
  portal       capture.backend = portal: the real xdg-desktop-portal 1.16 with
               xdg-desktop-portal-wlr (which runs grim) and -gtk (for its Access interface) on a
               private D-Bus session, PipeWire started for -wlr; the PNG file it writes is read,
               deleted, decoded and cropped by the OCR worker
Prints medians and the ratios against x11. Not a test: nothing is asserted.
"""
import argparse
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..'))
import hotkey_bench as hb  # noqa: E402  (Xvfb start, the Daemon with first_audio)

ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
TEXT = hb.TEXT
W, H, X, Y = 600, 200, 40, 40


def as_nobody():
    return ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] if os.geteuid() == 0 else []


def start_sway(tmp, procs):
    """A headless sway with a floating 600x200 foot at (X, Y); returns its client environment."""
    run = os.path.join(tmp, 'sway-run')
    os.makedirs(run, mode=0o700)
    if os.geteuid() == 0:
        os.chown(run, 65534, 65534)
    conf = os.path.join(run, 'config')
    with open(conf, 'w') as f:
        f.write('output HEADLESS-1 resolution 1280x800 position 0 0 bg #204060 solid_color\n'
                'default_border none\ndefault_floating_border none\n'
                'for_window [app_id="liseur-bench"] floating enable, resize set %d %d, move position %d %d\n'
                % (W, H, X, Y))
    os.chmod(conf, 0o644)
    env = {'PATH': '/usr/bin:/bin', 'HOME': run, 'XDG_RUNTIME_DIR': run, 'WLR_BACKENDS': 'headless',
           'WLR_RENDERER': 'pixman', 'WLR_LIBINPUT_NO_DEVICES': '1', 'LANG': 'C.UTF-8'}
    log = open(os.path.join(tmp, 'sway.log'), 'w')
    procs.append(subprocess.Popen(as_nobody() + ['sway', '-c', conf], env=env, stdout=log, stderr=log))
    sock = hb.wait_for(lambda: glob.glob(os.path.join(run, 'sway-ipc.*.sock')), 30, 'sway')[0]
    wl = hb.wait_for(lambda: [p for p in glob.glob(os.path.join(run, 'wayland-*')) if not p.endswith('.lock')],
                     30, 'the Wayland socket')[0]
    client = dict(env, WAYLAND_DISPLAY=os.path.basename(wl), SWAYSOCK=sock)
    text = TEXT.replace('\\n', '\n')
    procs.append(subprocess.Popen(
        as_nobody() + ['foot', '--app-id', 'liseur-bench', '-o', 'colors.background=ffffff', '-o',
                       'colors.foreground=000000', '-o', 'cursor.color=ffffff ffffff', '-f',
                       'DejaVu Sans Mono:pixelsize=20', 'sh', '-c', "printf '%s'; sleep 100000" % text],
        env=client, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    def placed():
        tree = json.loads(subprocess.run(['swaymsg', '-s', sock, '-t', 'get_tree'], capture_output=True,
                                         text=True).stdout or '{}')
        stack = [tree]
        while stack:
            n = stack.pop()
            if n.get('app_id') == 'liseur-bench' and n.get('rect', {}).get('width') == W:
                return True
            stack += n.get('nodes', []) + n.get('floating_nodes', [])
        return False
    hb.wait_for(placed, 30, 'foot at its place')
    time.sleep(1.0)  # drawn
    return run, wl, sock


def start_portal(tmp, run, wl, sock, procs):
    """PipeWire, a private session bus and the real portals for sway; returns the bus address."""
    procs.append(subprocess.Popen(['pipewire'], env=dict(os.environ, XDG_RUNTIME_DIR=run),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    hb.wait_for(lambda: subprocess.run(['pw-cli', 'info', '0'], env=dict(os.environ, XDG_RUNTIME_DIR=run),
                                       capture_output=True).returncode == 0, 15, 'pipewire')
    portals = os.path.join(tmp, 'portals')
    os.makedirs(portals)
    for b in ('wlr.portal', 'gtk.portal'):
        shutil.copy('/usr/share/xdg-desktop-portal/portals/' + b, portals)
    env = dict(os.environ, WAYLAND_DISPLAY=wl, XDG_RUNTIME_DIR=run, SWAYSOCK=sock, XDG_CURRENT_DESKTOP='sway',
               XDG_SESSION_TYPE='wayland', XDG_DESKTOP_PORTAL_DIR=portals, GDK_BACKEND='wayland')
    env.pop('DISPLAY', None)
    bus = subprocess.Popen(['dbus-daemon', '--session', '--nofork', '--print-address'], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    procs.append(bus)
    address = bus.stdout.readline().strip()

    def gdbus(*args, timeout=30):
        return subprocess.run(['gdbus', 'call', '--session', '-t', str(timeout)] + list(args),
                              env=dict(os.environ, DBUS_SESSION_BUS_ADDRESS=address), capture_output=True,
                              text=True)
    # -wlr 0.7 may leave its first call unanswered until another message comes (see
    # tests/portal/real_portal_test.cpp): start it and ping it awake before the portal starts.
    start = ['--dest', 'org.freedesktop.DBus', '--object-path', '/org/freedesktop/DBus', '--method',
             'org.freedesktop.DBus.StartServiceByName']
    gdbus(*start, 'org.freedesktop.impl.portal.desktop.wlr', '0')
    for _ in range(20):
        if gdbus('--dest', 'org.freedesktop.impl.portal.desktop.wlr', '--object-path', '/',
                 '--method', 'org.freedesktop.DBus.Peer.Ping', timeout=1).returncode == 0:
            break
    for _ in range(2):
        if gdbus(*start, 'org.freedesktop.portal.Desktop', '0').returncode == 0:
            break
    return address


def measure(build, tmp, name, env, config, region, presses):
    """Median wall and daemon first audio of `liseur read region` in a daemon with `config`."""
    dtmp = os.path.join(tmp, name)
    os.makedirs(os.path.join(dtmp, 'config', 'liseur'))
    with open(os.path.join(dtmp, 'config', 'liseur', 'liseur.toml'), 'w') as f:
        f.write(config)
    d = hb.Daemon(build, dtmp, env)
    try:
        cli = lambda: subprocess.Popen([d.cli, '--no-spawn', 'read', 'region', region], env=d.env,
                                       stdout=subprocess.DEVNULL)
        d.request('reload')
        d.first_audio(cli)  # warm: models loaded, the portal's permission asked
        wall, daemon = [], []
        for _ in range(presses):
            d.request('reload')  # recognised anew each time
            w, f = d.first_audio(cli)
            wall.append(w)
            daemon.append(f)
        backend = d.status()['display']['backend']
    finally:
        d.close()
    return statistics.median(wall), statistics.median(daemon), backend


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'))
    ap.add_argument('--presses', type=int, default=8)
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    tmp = tempfile.mkdtemp(prefix='liseur-wayland-bench-')
    os.chmod(tmp, 0o755)
    procs = []
    rows = []
    region = '%d,%d,%d,%d' % (X, Y, W, H)
    try:
        xvfb, display = hb.start_xvfb()
        procs.append(xvfb)
        xenv = dict(os.environ, DISPLAY=display)
        for v in ('WAYLAND_DISPLAY', 'SWAYSOCK', 'DBUS_SESSION_BUS_ADDRESS'):
            xenv.pop(v, None)
        # 50x8 cells of DejaVu Sans Mono 14 px make about 600x200 at +40+40.
        procs.append(subprocess.Popen(
            ['xterm', '-u8', '-geometry', '50x8+%d+%d' % (X, Y), '-fa', 'DejaVu Sans Mono', '-fs', '14',
             '-bg', 'white', '-fg', 'black', '+sb', '-e', 'sh', '-c', "printf '\\033[?25l" + TEXT + "'; sleep 100000"],
            env=xenv, stderr=subprocess.DEVNULL))
        time.sleep(1.5)
        rows.append(('x11',) + measure(build, tmp, 'x11', xenv, '', region, a.presses))

        run, wl, sock = start_sway(tmp, procs)
        wenv = dict(os.environ, WAYLAND_DISPLAY=wl, SWAYSOCK=sock, XDG_CURRENT_DESKTOP='sway')
        for v in ('DISPLAY', 'DBUS_SESSION_BUS_ADDRESS'):
            wenv.pop(v, None)
        rows.append(('screencopy',) + measure(build, tmp, 'screencopy', wenv,
                                              '[capture]\nbackend = "wlr-screencopy"\n', region, a.presses))
        address = start_portal(tmp, run, wl, sock, procs)
        penv = dict(wenv, DBUS_SESSION_BUS_ADDRESS=address)
        rows.append(('portal',) + measure(build, tmp, 'portal', penv, '[capture]\nbackend = "portal"\n', region,
                                          a.presses))
    finally:
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)

    base_wall, base_daemon = rows[0][1], rows[0][2]
    print('| `liseur read region` of a 600x200 window (%d reads each, medians) | backend | wall -> first-audio '
          '| daemon first_audio_ms | ratio to X11 (daemon) |' % a.presses)
    print('|---|---|---:|---:|---:|')
    for name, wall, daemon, backend in rows:
        print('| %s | %s | %.0f ms | %.0f ms | %.2f |' % (name, backend, wall, daemon, daemon / max(base_daemon, 0.1)))


if __name__ == '__main__':
    main()
