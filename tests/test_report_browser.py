"""The report in a real browser: headless Chromium (the Debian package `.ci/run` installs)
loads each page, with no console error; its screenshot is not blank; the DOM it built holds the
table's totals. Skipped, with the reason, where Chromium is absent."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib

import numpy as np
import pytest

from tests.conftest import invoke

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(BROWSER is None, reason="chromium is not installed (.ci/run installs it)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
         "--disable-extensions", "--window-size=1100,1400"]


def _browser(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([BROWSER, *FLAGS, *args], capture_output=True, text=True, timeout=60)


def png_pixels(data: bytes) -> np.ndarray:
    """An 8-bit RGB or RGBA PNG decoded with zlib and struct: (height, width, channels)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = {}, 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        chunks.setdefault(kind, []).append(data[at + 8:at + 8 + length])
        at += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][0][:10])
    assert depth == 8 and colour in (2, 6), (depth, colour)
    channels = 3 if colour == 2 else 4
    raw = np.frombuffer(zlib.decompress(b"".join(chunks[b"IDAT"])), dtype=np.uint8).reshape(height, -1)
    return _unfilter(raw, channels).reshape(height, width, channels)


def _unfilter(raw: np.ndarray, bpp: int) -> np.ndarray:
    """PNG's five scanline filters undone (RFC 2083 §6): Up and None as arrays, the others
    byte by byte, left to right."""
    out = np.zeros((raw.shape[0], raw.shape[1] - 1), dtype=np.int32)
    previous = np.zeros(raw.shape[1] - 1, dtype=np.int32)
    for y, (kind, line) in enumerate(zip(raw[:, 0], raw[:, 1:].astype(np.int32))):
        if kind == 0:
            row = line
        elif kind == 2:
            row = (line + previous) & 0xFF
        else:
            row = _sequential(kind, line.tolist(), previous.tolist(), bpp)
        out[y] = previous = np.asarray(row, dtype=np.int32)
    return out.astype(np.uint8)


def _sequential(kind: int, line: list[int], up: list[int], bpp: int) -> list[int]:
    row = []
    for i, x in enumerate(line):
        a = row[i - bpp] if i >= bpp else 0
        c = up[i - bpp] if i >= bpp else 0
        if kind == 1:
            row.append((x + a) & 0xFF)
        elif kind == 3:
            row.append((x + (a + up[i]) // 2) & 0xFF)
        else:
            p = a + up[i] - c
            pa, pb, pc = abs(p - a), abs(p - up[i]), abs(p - c)
            row.append((x + (a if pa <= pb and pa <= pc else up[i] if pb <= pc else c)) & 0xFF)
    return row


@pytest.mark.parametrize("case", [
    {"name": "vgg16", "total": "138,357,544"},
    {"name": "resnet18", "total": "11,699,112"},
], ids=lambda c: c["name"])
def test_the_report_renders_in_chromium(case, tmp_path):
    page = tmp_path / f"{case['name']}.html"
    assert invoke("report", case["name"], "-o", str(page)).code == 0
    shot = tmp_path / "shot.png"
    run = _browser("--enable-logging=stderr", "--v=0", f"--screenshot={shot}", page.as_uri())
    console = [line for line in run.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert not console, console
    pixels = png_pixels(shot.read_bytes())[:, :, :3]
    assert pixels.std() > 20  # not one colour
    assert (pixels < 200).any(axis=2).mean() > 0.01  # ink on at least 1% of the page
    dom = _browser("--dump-dom", page.as_uri()).stdout
    assert f"Total params: {case['total']}" in dom
    assert dom.count("<details>") == len(invoke("summary", case["name"], "--format", "csv").out.splitlines()) - 1
    assert "<svg" in dom
