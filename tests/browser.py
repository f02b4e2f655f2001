"""A tiny Chrome DevTools Protocol client over ``--remote-debugging-pipe`` (tests only).

Headless Chromium reads NUL-terminated JSON commands on its fd 3 and writes replies and events
on its fd 4: no port, no websocket library. :func:`open_page` loads one local file and reports
what a reader of it would meet: console messages and errors, every network request, the
``data-key`` numbers, elements that could run or fetch something, and a screenshot.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--remote-debugging-pipe",
)


def chromium() -> str:
    """The Chromium binary; skip (outside CI) or fail (in CI) when it is not installed."""
    found = os.environ.get("PERFSCORE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(found).is_file():
        reason = "没有安装 Chromium（Debian 软件包 chromium），浏览器渲染测试跳过"
        if os.environ.get("CI"):
            pytest.fail(reason + "；CI 中必须安装（.ci/run 会 apt-get install chromium）")
        pytest.skip(reason)
    return found


class _Pipe:
    def __init__(self, binary: str, profile: str) -> None:
        import fcntl

        def high(fd: int) -> int:  # above 4, so that bash's 3<&N and 4>&M cannot clash
            moved = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
            os.close(fd)
            return moved

        r, self._to_child = os.pipe()
        self._from_child, w = os.pipe()
        to_child_r, from_child_w = high(r), high(w)
        # Chromium's own log: PERFSCORE_CHROMIUM_LOG=FILE keeps it when a test needs a look
        self._log = open(os.environ.get("PERFSCORE_CHROMIUM_LOG", os.devnull), "ab")  # noqa: SIM115
        # The child must see them as fds 3 and 4, whatever numbers they have here.
        os.set_inheritable(to_child_r, True)
        os.set_inheritable(from_child_w, True)
        script = f'exec 3<&{to_child_r} 4>&{from_child_w}; exec "$0" "$@"'
        self.proc = subprocess.Popen(
            [
                shutil.which("bash") or "/bin/bash",
                "-c",
                script,
                binary,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
            ],
            pass_fds=(to_child_r, from_child_w),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._next = 0
        self.events: list[dict[str, Any]] = []

    def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read(timeout=60)
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise AssertionError(f"CDP {method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30) -> dict[str, Any]:
        for event in self.events:
            if event.get("method") == method:
                return event
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            event = self._read(timeout=deadline - time.monotonic())
            self.events.append(event)
            if event.get("method") == method:
                return event
        raise AssertionError(f"Chromium 没有发出 {method}")

    def _read(self, timeout: float) -> dict[str, Any]:
        import select

        deadline = time.monotonic() + timeout
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._from_child], [], [], max(0.0, left))
            if not ready:
                raise AssertionError("Chromium 没有在限定时间内回应")
            chunk = os.read(self._from_child, 1 << 20)
            if not chunk:
                raise AssertionError("Chromium 退出了")
            self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        message: dict[str, Any] = json.loads(raw)
        return message

    def close(self) -> None:
        with contextlib.suppress(AssertionError, OSError):
            self.send("Browser.close")
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_child)
        os.close(self._from_child)
        self._log.close()


_INSPECT = """JSON.stringify({
  keys: Object.fromEntries([...document.querySelectorAll('[data-key]')]
        .map(e => [e.dataset.key, e.textContent.trim()])),
  active: [...document.querySelectorAll('script,img,iframe,object,embed,link,base,form,meta[http-equiv=refresh]')]
        .map(e => e.outerHTML.slice(0, 120)),
  handlers: [...document.querySelectorAll('*')].flatMap(e => [...e.attributes]
        .filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name)),
  links: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))
        .filter(h => !h.startsWith('#')),
  text: document.body.innerText,
  details: document.querySelectorAll('details').length,
  svgs: document.querySelectorAll('svg').length,
  width: document.documentElement.scrollWidth,
  height: document.documentElement.scrollHeight
})"""


def open_page(
    html_file: Path,
    screenshot: Path | None = None,
    *,
    width: int = 1100,
    height: int = 900,
    scale: float = 1.0,
    pdf: Path | None = None,
) -> dict[str, Any]:
    """Load ``html_file`` in headless Chromium; what it showed, logged and requested."""
    binary = chromium()
    with tempfile.TemporaryDirectory(prefix="perfscore-chromium-") as profile:
        pipe = _Pipe(binary, profile)
        try:
            # A page of our own (the browser's first tab may be loading its own new-tab page)
            target = pipe.send("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = pipe.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
                "sessionId"
            ]
            for domain in ("Page", "Runtime", "Log", "Network"):
                pipe.send(f"{domain}.enable", session=session)
            pipe.send(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": False},
                session=session,
            )
            url = html_file.resolve().as_uri()
            pipe.send("Page.navigate", {"url": url}, session=session)
            pipe.wait_for("Page.loadEventFired")
            found = json.loads(
                pipe.send(
                    "Runtime.evaluate",
                    {"expression": _INSPECT, "returnByValue": True},
                    session=session,
                )["result"]["value"]
            )
            if screenshot is not None:
                shot = pipe.send("Page.captureScreenshot", {"format": "png"}, session=session)
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                screenshot.write_bytes(base64.b64decode(shot["data"]))
            if pdf is not None:
                printed = pipe.send(
                    "Page.printToPDF",
                    {"preferCSSPageSize": True, "printBackground": True},
                    session=session,
                )
                pdf.write_bytes(base64.b64decode(printed["data"]))
            time.sleep(0.2)  # let late console or network events arrive
            pipe.send("Runtime.evaluate", {"expression": "1"}, session=session)
        finally:
            pipe.close()
    events = [e for e in pipe.events if e.get("sessionId") == session]
    requests = [
        e["params"]["request"]["url"]
        for e in events
        if e.get("method") == "Network.requestWillBeSent"
    ]
    found["requests"] = [r for r in requests if r != url]
    found["console"] = [
        e["params"] for e in events if e.get("method") == "Runtime.consoleAPICalled"
    ]
    found["exceptions"] = [
        e["params"] for e in events if e.get("method") == "Runtime.exceptionThrown"
    ]
    found["log_errors"] = [
        e["params"]["entry"]
        for e in events
        if e.get("method") == "Log.entryAdded" and e["params"]["entry"].get("level") == "error"
    ]
    return found


def artefacts() -> Path:
    """Where screenshots go: ``$PERFSCORE_ARTEFACTS`` or the git-ignored ``build/artefacts``."""
    where = Path(
        os.environ.get("PERFSCORE_ARTEFACTS")
        or Path(__file__).parent.parent / "build" / "artefacts"
    )
    where.mkdir(parents=True, exist_ok=True)
    return where
