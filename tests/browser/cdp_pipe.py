"""Shared by the real-browser tests: Debian's headless Chromium driven over the DevTools protocol
on --remote-debugging-pipe (no network port, no npm), and a plugin's render hook called through
its C ABI with ctypes (as the plugin host calls it).

  Browser(chromium, profile_dir)      the pipe: send(method, params, session), events, close()
  evaluate(browser, session, expr)    Runtime.evaluate, by value, promises awaited
  new_session(browser, domains)       a blank tab, attached (flat), with these domains enabled
  navigate(browser, session, path)    loads a file and waits until it is complete (and ready)
  open_page(browser, path, domains)   both of the above
  requests(browser, local=False)      the URLs the pages asked for (file: and data: left out)
  render(plugin.so, request, options) the plugin's render hook; returns the page's HTML
  tone_wav(ms)                        a 440 Hz mono 16-bit WAV, to stand in for narration
  Checks()                            check(ok, what) prints ok/FAIL; exit_status() at the end
"""
import ctypes
import json
import math
import os
import struct
import subprocess
import time

# ------------------------------------------------------------------------------------------
# Chromium over --remote-debugging-pipe: NUL-terminated JSON messages, fd 3 in, fd 4 out.


class Browser:
    def __init__(self, chromium, profile):
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        args = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--remote-debugging-pipe",
                "--autoplay-policy=no-user-gesture-required", "--mute-audio",
                "--window-size=1000,800", "about:blank"]

        def child_fds():
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        self.proc = subprocess.Popen(args, pass_fds=(3, 4), preexec_fn=child_fds,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._next = 0
        self.events = []

    def send(self, method, params=None, session=None, timeout=30):
        self._next += 1
        msg = {"id": self._next, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = self._read(deadline)
            if m.get("id") == self._next:
                if "error" in m:
                    raise RuntimeError("%s failed: %s" % (method, m["error"]))
                return m["result"]
            self.events.append(m)
        raise RuntimeError("%s: no answer within %d s" % (method, timeout))

    def _read(self, deadline):
        while b"\0" not in self._buf:
            if time.time() > deadline:
                raise RuntimeError("chromium stopped talking")
            chunk = os.read(self._from_chrome, 65536)
            if not chunk:
                raise RuntimeError("chromium closed the pipe (exit %s)" % self.proc.poll())
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def close(self):
        try:
            self.send("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def evaluate(browser, session, expr, gesture=False):
    r = browser.send("Runtime.evaluate", {"expression": expr, "returnByValue": True,
                                          "awaitPromise": True, "userGesture": gesture},
                     session=session)
    if "exceptionDetails" in r:
        raise RuntimeError("page error in %r: %s" % (expr, r["exceptionDetails"]))
    return r["result"].get("value")


def new_session(browser, domains=("Network", "Page")):
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget",
                           {"targetId": target, "flatten": True})["sessionId"]
    for domain in domains:
        browser.send(domain + ".enable", session=session)
    return session


def navigate(browser, session, path, ready=None, timeout=20):
    """Loads file PATH; waits until the document is complete and, if given, READY is true."""
    browser.send("Page.navigate", {"url": "file://" + path}, session=session)
    deadline = time.time() + timeout
    while evaluate(browser, session, "document.readyState") != "complete" or \
            (ready is not None and evaluate(browser, session, ready) is not True):
        if time.time() > deadline:
            raise RuntimeError("the page did not load: " + path)
        time.sleep(0.1)


def open_page(browser, path, domains=("Network", "Page")):
    session = new_session(browser, domains)
    navigate(browser, session, path)
    return session


def requests(browser, local=False):
    """URLs of Network.requestWillBeSent so far; file: and data: ones only if LOCAL."""
    return [e["params"]["request"]["url"] for e in browser.events
            if e.get("method") == "Network.requestWillBeSent"
            and (local or not e["params"]["request"]["url"].startswith(("file:", "data:")))]


# ------------------------------------------------------------------------------------------
# A plugin through its C ABI (mirrors plugins/sdk/liseur_plugin.h, ABI 1)


class Output(ctypes.Structure):
    pass


WRITE = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(Output), ctypes.c_void_p, ctypes.c_size_t)
SET_ERROR = ctypes.CFUNCTYPE(None, ctypes.POINTER(Output), ctypes.c_void_p, ctypes.c_size_t)
Output._fields_ = [("struct_size", ctypes.c_uint32), ("host_data", ctypes.c_void_p),
                   ("write", WRITE), ("set_error", SET_ERROR)]
HOOK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t,
                        ctypes.POINTER(Output))
CREATE = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t,
                          ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(Output))
DESTROY = ctypes.CFUNCTYPE(None, ctypes.c_void_p)


class Plugin(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32), ("abi_version", ctypes.c_uint32),
                ("id", ctypes.c_char_p), ("version", ctypes.c_char_p), ("create", CREATE),
                ("destroy", DESTROY), ("adapt", HOOK), ("speak", HOOK), ("render", HOOK)]


def render(plugin_path, request, options):
    lib = ctypes.CDLL(plugin_path)
    lib.liseur_plugin_entry.restype = ctypes.POINTER(Plugin)
    lib.liseur_plugin_entry.argtypes = [ctypes.c_uint32]
    api = lib.liseur_plugin_entry(1).contents
    chunks, errors = [], []

    def write(_out, data, n):
        chunks.append(ctypes.string_at(data, n))
        return 0

    def set_error(_out, data, n):
        errors.append(ctypes.string_at(data, n).decode("utf-8", "replace"))

    out = Output(ctypes.sizeof(Output), None, WRITE(write), SET_ERROR(set_error))
    inst = ctypes.c_void_p()
    opts = json.dumps(options).encode()
    if api.create(opts, len(opts), ctypes.byref(inst), ctypes.byref(out)) != 0:
        raise SystemExit("create failed: %s (options %s)" % (errors, options))
    req = json.dumps(request).encode()
    status = api.render(inst, req, len(req), ctypes.byref(out))
    if status != 0:
        raise SystemExit("render failed with status %d: %s" % (status, errors))
    api.destroy(inst)
    return json.loads(b"".join(chunks))["html"]


def tone_wav(ms, rate=16000):
    n = int(rate * ms / 1000)
    data = b"".join(struct.pack("<h", int(3000 * math.sin(2 * math.pi * 440 * i / rate)))
                    for i in range(n))
    return (b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " +
            struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16) + b"data" +
            struct.pack("<I", len(data)) + data)


# ------------------------------------------------------------------------------------------
# Checks: each prints "ok" or "FAIL" and what was expected and found; the exit status at the end.


class Checks:
    def __init__(self):
        self.failures = []

    def __call__(self, ok, what):
        print(("ok   " if ok else "FAIL ") + what)
        if not ok:
            self.failures.append(what)

    def exit_status(self):
        if self.failures:
            print("%d check(s) failed" % len(self.failures))
            return 1
        print("all checks passed")
        return 0
