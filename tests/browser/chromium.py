"""Headless Chromium driven over its DevTools protocol, for the tests of what renders in a
browser: a page is loaded, every request it makes, every console error and uncaught exception
are recorded, and the test waits for a condition (a JavaScript expression) with a generous
bound rather than for a fixed time.

Chromium is Debian's ``chromium`` package and TimelineJS the npm package
``@knight-lab/timelinejs`` 3.9.11, both installed by ``.ci/run``. Where either is missing the
tests are skipped saying why, except under CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
TIMELINEJS_VERSION = "3.9.11"
TIMELINEJS = Path(os.environ.get(
    "TRACKER_TIMELINEJS", ROOT / ".ci" / "npm" / "node_modules" / "@knight-lab" / "timelinejs"))
WAIT = 90.0  # seconds: a generous bound on a loaded two-core machine


def missing(reason: str) -> None:
    """Skip with the reason, or fail under CI, where everything must be installed."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI installs it: see .ci/run)")
    pytest.skip(f"{reason}; .ci/run installs it")


def chromium_binary() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    missing("headless Chromium is not installed (apt-get install chromium)")
    raise AssertionError  # not reached


def timelinejs_dist() -> Path:
    package = TIMELINEJS / "package.json"
    if not package.exists():
        missing(f"TimelineJS {TIMELINEJS_VERSION} is not installed at {TIMELINEJS} "
                f"(npm install --prefix .ci/npm @knight-lab/timelinejs@{TIMELINEJS_VERSION})")
    version = json.loads(package.read_text())["version"]
    if version != TIMELINEJS_VERSION:
        missing(f"TimelineJS at {TIMELINEJS} is {version}, not {TIMELINEJS_VERSION}")
    return TIMELINEJS / "dist"


@dataclass
class Page:
    """One browser tab: what it requested and what went wrong in it."""

    ws: Any
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _next: int = 0

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        self._next += 1
        ident = self._next
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == ident:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                return dict(message.get("result", {}))
            self._record(message)

    def _record(self, message: dict[str, Any]) -> None:
        method, params = message.get("method"), message.get("params", {})
        if method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            self.errors.append("exception: " + str(details.get("exception", {}).get(
                "description", details.get("text"))))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in {"error", "assert"}:
            self.errors.append("console.error: " + " ".join(
                str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            self.errors.append("log: " + params["entry"].get("text", ""))

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def goto(self, url: str) -> None:
        self.send("Page.navigate", url=url)
        self.wait_for("document.readyState === 'complete'")

    def wait_for(self, expression: str, bound: float = WAIT) -> Any:
        """Poll until the expression is truthy; fail after ``bound`` seconds saying which."""
        deadline = time.monotonic() + bound
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if self.errors:
                raise AssertionError(f"the page failed while waiting for {expression}: "
                                     f"{self.errors}")
            if time.monotonic() > deadline:
                raise AssertionError(f"not true after {bound:.0f} s: {expression}; "
                                     f"errors: {self.errors}")
            self.ws.settimeout(0.2)  # drain events meanwhile, without a fixed sleep
            try:
                self._record(json.loads(self.ws.recv()))
            except Exception:  # a timeout: nothing arrived
                pass
            finally:
                self.ws.settimeout(WAIT)

    def screenshot(self, path: Path) -> None:
        data = self.send("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))


@contextmanager
def browser(width: int = 1280, height: int = 800) -> Iterator[Page]:
    """A headless Chromium tab at width x height that can reach nothing but 127.0.0.1."""
    import websocket  # websocket-client, a dev dependency

    binary = chromium_binary()
    profile = tempfile.mkdtemp(prefix="tracker-chromium-")
    process = subprocess.Popen(
        [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-extensions", "--disable-background-networking", "--disable-sync",
         "--disable-component-update", "--no-default-browser-check",
         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
         "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
         f"--user-data-dir={profile}", f"--window-size={width},{height}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = Path(profile) / "DevToolsActivePort"
        deadline = time.monotonic() + WAIT
        while not (port_file.exists() and port_file.read_text().strip()):
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("headless Chromium did not start")
            time.sleep(0.05)  # polling for the file Chromium writes, within the bound above
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=WAIT) as r:
            targets = json.loads(r.read())
        url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
        ws = websocket.create_connection(url, timeout=WAIT, suppress_origin=True)
        page = Page(ws)
        for domain in ("Page", "Runtime", "Log", "Network"):
            page.send(f"{domain}.enable")
        page.send("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=False)
        try:
            yield page
        finally:
            ws.close()
    finally:
        process.terminate()
        try:
            process.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(profile, ignore_errors=True)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """An HTTP server for ``folder`` on 127.0.0.1 (a free port); yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
