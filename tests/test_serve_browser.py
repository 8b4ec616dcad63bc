"""The test window in a real headless Chromium (Debian `chromium`, driven over its
DevTools protocol with the `websockets` client Rasa already depends on).

A screenshot is kept in var/test-artifacts/serve-chat.png (or $DXM_TEST_ARTIFACTS).
"""
import asyncio
import base64
import itertools
import json
import os
import subprocess
import time
import urllib.request
from pathlib import Path

import websockets
import yaml

from bot.project import REFERENCE_ROOT
from conftest import require_program

POLICY = yaml.safe_load((REFERENCE_ROOT / "shop" / "policy.yml").read_text("utf-8"))
ARTIFACTS = Path(os.environ.get("DXM_TEST_ARTIFACTS") or REFERENCE_ROOT / "var" / "test-artifacts")


class Page:
    """One browser tab: evaluate JavaScript, type, press keys and click like a user."""

    def __init__(self, socket) -> None:
        self.socket = socket
        self.ids = itertools.count(1)

    async def call(self, method: str, **params):
        number = next(self.ids)
        await self.socket.send(json.dumps({"id": number, "method": method, "params": params}))
        while True:
            message = json.loads(await self.socket.recv())
            if message.get("id") == number:
                assert "error" not in message, message
                return message["result"]

    async def js(self, expression: str):
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    async def until(self, expression: str, timeout: float = 60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = await self.js(expression)
            if value:
                return value
            await asyncio.sleep(0.2)
        raise AssertionError(f"never true in the page: {expression}")

    async def click(self, selector: str) -> None:
        box = await self.js(f"(() => {{ const r = document.querySelector({json.dumps(selector)})"
                            ".getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        for kind in ("mousePressed", "mouseReleased"):
            await self.call("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1],
                            button="left", clickCount=1)

    async def type(self, selector: str, text: str, enter: bool = False) -> None:
        await self.click(selector)
        await self.call("Input.insertText", text=text)
        if enter:
            for kind in ("keyDown", "keyUp"):
                await self.call("Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter",
                                windowsVirtualKeyCode=13)


def start_chromium(tmp_path):
    binary = require_program("chromium", "chromium-browser", package="chromium fonts-noto-cjk")
    args = [binary, "--headless=new", "--remote-debugging-port=0", "--window-size=1280,800",
            f"--user-data-dir={tmp_path / 'profile'}", "--no-first-run", "--disable-gpu",
            "about:blank"]
    if os.geteuid() == 0:
        args.insert(1, "--no-sandbox")  # Chromium refuses to sandbox as root (CI containers)
    browser = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    active_port = tmp_path / "profile" / "DevToolsActivePort"  # Chromium writes it when ready
    deadline = time.monotonic() + 60
    while not (active_port.exists() and active_port.read_text().strip()):
        assert browser.poll() is None and time.monotonic() < deadline, "chromium did not start"
        time.sleep(0.2)
    port = int(active_port.read_text().split()[0])
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as response:
        page = next(t for t in json.load(response) if t["type"] == "page")
    return browser, page["webSocketDebuggerUrl"]


async def drive(served, tab_url: str, screenshot: Path) -> None:
    async with websockets.connect(tab_url, max_size=None) as socket:
        page = Page(socket)
        await page.call("Page.navigate", url=served.url + "/chat")
        await page.until("document.querySelectorAll('#product option').length > 1")
        await page.type("#name", "赵六")
        await page.js("document.getElementById('product').value = 'P03';"
                      "document.getElementById('product').dispatchEvent(new Event('change'))")

        await page.type("#text", "满多少包邮", enter=True)
        reply = await page.until("document.querySelector('.msg.bot')?.textContent")
        assert str(POLICY["free_shipping_threshold"]) in reply
        assert "ask_shipping_fee" in await page.until(
            "document.getElementById('debug-intent').textContent.includes('ask') &&"
            " document.getElementById('debug-intent').textContent")
        assert "product=P03" in await page.js("document.getElementById('debug-slots').textContent")

        await page.click("#mode-assist")
        await page.type("#text", "多久发货", enter=True)
        await page.until("document.querySelectorAll('.adopt').length === 3")
        offered = await page.js("document.getElementById('candidates').textContent")
        assert "置信度" in offered
        await page.click(".adopt")
        await page.until("document.querySelectorAll('.msg.bot').length === 2")
        assert await page.js("document.getElementById('suggestions').hidden")
        assert await page.js("document.getElementById('error').textContent") == ""

        # What the customer types is shown as text, never as markup.
        await page.click("#mode-auto")
        await page.type("#text", "<img src=x onerror=alert(1)>", enter=True)
        await page.until("document.querySelectorAll('.msg.bot').length === 3")
        assert await page.js("document.querySelectorAll('#messages img').length") == 0

        shot = await page.call("Page.captureScreenshot", format="png")
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        screenshot.write_bytes(base64.b64decode(shot["data"]))


def test_the_test_window_in_headless_chromium(served, trained_project, tmp_path):
    browser, tab_url = start_chromium(tmp_path)
    screenshot = ARTIFACTS / "serve-chat.png"
    try:
        asyncio.run(drive(served, tab_url, screenshot))
    finally:
        browser.terminate()
        browser.wait(timeout=30)
    assert screenshot.stat().st_size > 10_000
    from test_serve import user_events

    assert [e["text"] for e in user_events(trained_project.conversations_db, "web-赵六")] == [
        "满多少包邮", "多久发货", "<img src=x onerror=alert(1)>"]
