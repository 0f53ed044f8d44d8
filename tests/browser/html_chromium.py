#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""html_chromium.py - an HTML page of rtnoise opened in headless Chromium.

  html_chromium.py PAGE OUT_DIR --histograms N --bars N --spikes N [--workload N]
  html_chromium.py PAGE OUT_DIR --histograms N --compare

Drives Chromium over the DevTools protocol on a pipe
(--remote-debugging-pipe: no port, no websocket module), with every host
name resolving nowhere and a proxy that refuses, and checks that:

- the page loaded and nothing else was requested (Network domain: one
  request, the page itself);
- nothing was logged as an error or warning (console, exceptions,
  Content-Security-Policy reports);
- the DOM holds N histogram plots with two paths each, N bar segments
  and N spike markers;
- the screenshot (OUT_DIR/page.png, decoded here with zlib) shows
  them drawn: in each histogram plot both the IRQ (red) and the thread
  (blue) line, in the budget plot the segments' colours, in the
  timeline the markers; with --workload N, N plots of the workload's
  threads, one (green) path each.

With --compare the page is `rtnoise compare --format html`'s: each
histogram plot must show both the line before (orange) and the line
after (green), and the page has no budget plot or timeline.

Exit 0 when all hold, 1 when one does not, 77 (skip) without Chromium.
Standard library only.
"""
import argparse
import base64
import json
import os
import pathlib
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

TIMEOUT = 25.0  # seconds for the whole run
IRQ = (0xD6, 0x27, 0x28)
THREAD = (0x1F, 0x77, 0xB4)
BEFORE = (0xFF, 0x7F, 0x0E)
WAKEUP = (0x2C, 0xA0, 0x2C)  # a workload thread's wakeup latency
AFTER = (0x2C, 0xA0, 0x2C)


class Browser:
    """Chromium with the DevTools protocol on fds 3 (in) and 4 (out)."""

    def __init__(self, exe, profile):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        def fds():
            # The pipes may be fds 3 and 4 already, close-on-exec: copy
            # them away first, then onto 3 and 4 (inherited).
            a, b = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [exe, "--headless=new", "--disable-gpu", "--no-sandbox",
             "--remote-debugging-pipe", f"--user-data-dir={profile}",
             "--no-first-run", "--no-default-browser-check",
             "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--disable-extensions", "--disable-default-apps",
             "--host-resolver-rules=MAP * ~NOTFOUND",
             "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
             "--hide-scrollbars", "--force-device-scale-factor=1",
             "--window-size=1280,1000", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, preexec_fn=fds, close_fds=False)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buf = b""
        self.next_id = 0
        self.events = []
        self.deadline = time.monotonic() + TIMEOUT

    def _read(self):
        left = self.deadline - time.monotonic()
        if left <= 0 or not select.select([self.from_chrome], [], [], left)[0]:
            raise TimeoutError("Chromium did not answer in time")
        chunk = os.read(self.from_chrome, 1 << 20)
        if not chunk:
            raise RuntimeError("Chromium closed the DevTools pipe: " +
                               self.proc.stderr.read().decode(errors="replace")[-2000:])
        self.buf += chunk
        while b"\0" in self.buf:
            msg, self.buf = self.buf.split(b"\0", 1)
            yield json.loads(msg)

    def call(self, method, session=None, **params):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        while True:
            for m in self._read():
                if m.get("id") == self.next_id:
                    if "error" in m:
                        raise RuntimeError(f"{method}: {m['error']}")
                    return m["result"]
                if "method" in m:
                    self.events.append(m)

    def wait_event(self, method):
        while True:
            for i, e in enumerate(self.events):
                if e["method"] == method:
                    return self.events.pop(i)
            for m in self._read():
                if "method" in m:
                    self.events.append(m)

    def close(self):
        try:
            self.call("Browser.close")
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def png_pixels(data):
    """(width, height, rows of RGB tuples) of an 8-bit RGB or RGBA PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and ctype in (2, 6) and interlace == 0, "unexpected PNG kind"
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev, at = [], bytearray(stride), 0
    for _ in range(height):
        ftype, line = raw[at], bytearray(raw[at + 1:at + 1 + stride])
        at += 1 + stride
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 0xFF
            elif ftype == 2:
                line[i] = (line[i] + b) & 0xFF
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        rows.append(line)
        prev = line
    return width, height, rows, bpp


def near(px, colour, tol=40):
    return all(abs(p - c) <= tol for p, c in zip(px, colour))


def count_pixels(image, pred):
    width, _, rows, bpp = image
    n = 0
    for row in rows:
        for x in range(width):
            if pred(row[x * bpp:x * bpp + 3]):
                n += 1
    return n


def shot(browser, session, box):
    """A PNG of box (page coordinates, CSS pixels) at scale 1."""
    clip = dict(box, scale=1)
    data = browser.call("Page.captureScreenshot", session=session, format="png",
                        captureBeyondViewport=True, clip=clip)["data"]
    return base64.b64decode(data)


DOM_QUERY = r"""(() => {
  const boxes = sel => [...document.querySelectorAll(sel)].map(e => {
    const r = e.getBoundingClientRect();
    return {x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height};
  });
  return JSON.stringify({
    histograms: document.querySelectorAll('svg.histogram:not(.workload)').length,
    paths: [...document.querySelectorAll('svg.histogram:not(.workload)')].map(s => s.querySelectorAll('path').length),
    workload: [...document.querySelectorAll('svg.histogram.workload')].map(s => s.querySelectorAll('path').length),
    bars: document.querySelectorAll('svg.budget rect.seg').length,
    spikes: document.querySelectorAll('svg.timeline circle.spike').length,
    hist_boxes: boxes('svg.histogram:not(.workload)'), workload_boxes: boxes('svg.histogram.workload'),
    budget_boxes: boxes('svg.budget'),
    timeline_boxes: boxes('svg.timeline'),
    width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight,
  });
})()"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("page")
    ap.add_argument("out_dir")
    ap.add_argument("--histograms", type=int, required=True)
    ap.add_argument("--bars", type=int, default=0)
    ap.add_argument("--spikes", type=int, default=0)
    ap.add_argument("--workload", type=int, default=0)
    ap.add_argument("--compare", action="store_true")
    args = ap.parse_args()
    if args.compare and (args.bars or args.spikes):
        ap.error("a compare page has no bars or spikes")
    lines = ((BEFORE, "before (orange)"), (AFTER, "after (green)")) if args.compare \
        else ((IRQ, "IRQ (red)"), (THREAD, "thread (blue)"))

    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        print("SKIP: no chromium (scripts/install-deps.sh installs it)")
        return 77
    page = pathlib.Path(args.page).resolve()
    url = page.as_uri()
    out = pathlib.Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    fails = []

    def check(ok, what):
        print(("PASS: " if ok else "FAIL: ") + what)
        if not ok:
            fails.append(what)

    with tempfile.TemporaryDirectory(prefix="rtnoise-chromium.") as profile:
        b = Browser(exe, profile)
        try:
            target = b.call("Target.createTarget", url="about:blank")["targetId"]
            s = b.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            for domain in ("Page", "Network", "Runtime", "Log"):
                b.call(f"{domain}.enable", session=s)
            b.call("Page.navigate", session=s, url=url)
            b.wait_event("Page.loadEventFired")
            dom = json.loads(b.call("Runtime.evaluate", session=s, expression=DOM_QUERY,
                                    returnByValue=True)["result"]["value"])
            page_box = {"x": 0, "y": 0, "width": dom["width"], "height": dom["height"]}
            shots = {"page": shot(b, s, page_box)}
            for name in ("hist", "workload", "budget", "timeline"):
                for i, box in enumerate(dom[f"{name}_boxes"]):
                    shots[f"{name}{i}"] = shot(b, s, box)
            # Late events (a failed fetch after load) still count.
            b.call("Runtime.evaluate", session=s, expression="1")
        finally:
            b.close()

    for name, png in shots.items():
        (out / f"{name}.png").write_bytes(png)
    print(f"screenshots: {out}/page.png and one per plot")

    requests = [e["params"]["request"]["url"] for e in b.events
                if e["method"] == "Network.requestWillBeSent"]
    check(requests == [url], f"the page loaded nothing but itself: {requests}")
    failed = [e["params"] for e in b.events if e["method"] == "Network.loadingFailed"]
    check(not failed, f"no failed request: {failed}")
    errors = [e["params"] for e in b.events
              if e["method"] == "Runtime.exceptionThrown"
              or (e["method"] == "Runtime.consoleAPICalled"
                  and e["params"]["type"] in ("error", "warning", "assert"))
              or (e["method"] == "Log.entryAdded"
                  and e["params"]["entry"]["level"] in ("error", "warning"))]
    check(not errors, f"no console error or warning: {errors}")

    check(dom["histograms"] == args.histograms,
          f"{args.histograms} histogram plots (DOM: {dom['histograms']})")
    check(dom["paths"] == [2] * args.histograms,
          f"two paths per histogram (DOM: {dom['paths']})")
    check(dom["workload"] == [1] * args.workload,
          f"{args.workload} workload plots of one path each (DOM: {dom['workload']})")
    check(dom["bars"] == args.bars, f"{args.bars} bar segments (DOM: {dom['bars']})")
    check(dom["spikes"] == args.spikes, f"{args.spikes} spike markers (DOM: {dom['spikes']})")

    width, height = struct.unpack(">II", shots["page"][16:24])  # IHDR
    check(width >= 760 and height >= 1000, f"a page of {width}x{height} pixels")
    for i in range(len(dom["hist_boxes"])):
        image = png_pixels(shots[f"hist{i}"])
        drawn = [count_pixels(image, lambda p, c=colour: near(p, c)) for colour, _ in lines]
        # The compare fixture's CPU 3 lines are short (a few us wide).
        check(all(n > (100 if args.compare else 150) for n in drawn),
              f"histogram {i}: both lines drawn (" +
              ", ".join(f"{n} pixels {what}" for n, (_, what) in zip(drawn, lines)) + ")")
    for i in range(len(dom["workload_boxes"])):
        drawn = count_pixels(png_pixels(shots[f"workload{i}"]), lambda p: near(p, WAKEUP))
        check(drawn > 100, f"workload plot {i}: its line drawn ({drawn} pixels green)")
    for i in range(len(dom["budget_boxes"])):
        coloured = count_pixels(png_pixels(shots[f"budget{i}"]), lambda p: max(p) - min(p) > 60)
        check(coloured > 2000, f"budget bars drawn ({coloured} coloured pixels)")
    for i in range(len(dom["timeline_boxes"])):
        dots = count_pixels(png_pixels(shots[f"timeline{i}"]), lambda p: max(p) - min(p) > 60)
        check(dots > 20 * args.spikes, f"spike markers drawn ({dots} coloured pixels)")
    want = 0 if args.compare else 1
    check(len(dom["budget_boxes"]) == want and len(dom["timeline_boxes"]) == want,
          f"{want} budget plot and {want} timeline")

    if fails:
        print(f"{len(fails)} check(s) failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
