"""The HTML report in a real browser: headless Chromium draws every chart and logs nothing.

Chromium comes from Debian's ``chromium`` package, installed by ``make chromium`` (a dependency
of ``make test``). Without it these tests fail; they never skip.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest

from engine.report import render_html
from engine.report.html import CSP
from engine.report.sample import HOSTILE_PRODUCT, sample_report_data

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--enable-logging=stderr", "--v=0"]
CONSOLE = re.compile(r":CONSOLE[^\]]*\]\s*(.*)")
PRIMARY_RGB = (0x24, 0x56, 0xA6)
TARGET_RGB = (0xD9, 0x48, 0x0F)

PROBE = """<pre id="probe"></pre><script>
const charts = [...document.querySelectorAll('svg.chart')].map(svg => {
  const box = svg.getBoundingClientRect();
  const marks = [...svg.querySelectorAll('polyline,polygon,rect,circle,line')]
    .filter(m => { const b = m.getBBox(); return b.width > 0 || b.height > 0; }).length;
  return {label: svg.getAttribute('aria-label'), width: box.width, height: box.height, marks};
});
document.getElementById('probe').textContent = JSON.stringify({
  charts, scripts: document.querySelectorAll('script').length,
  text: document.body.innerText});
</script>"""


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("headless Chromium is not installed: run `make chromium` (Debian package "
                    "`chromium`)", pytrace=False)
    return found


def open_page(page: Path, extra: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    """Load ``page`` in headless Chromium with ``extra`` flags; stdout/stderr as text."""
    command = [chromium(), *FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def console_messages(stderr: str) -> list[str]:
    """Messages the page wrote to its console (errors, warnings, logs, CSP violations)."""
    return [m.group(1) for m in map(CONSOLE.search, stderr.splitlines()) if m]


def read_png(path: Path) -> np.ndarray:
    """Pixels (height × width × channels) of an 8-bit, non-interlaced RGB or RGBA PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = {}, 8
    while at < len(data):
        (size,), kind = struct.unpack(">I", data[at:at + 4]), data[at + 4:at + 8]
        chunks[kind] = chunks.get(kind, b"") + data[at + 8:at + 8 + size]
        at += size + 12
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert depth == 8 and colour in (2, 6) and interlace == 0
    channels = 3 if colour == 2 else 4
    raw = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), dtype=np.uint8)
    rows = raw.reshape(height, width * channels + 1)
    return _unfilter(rows, channels).reshape(height, width, channels)


def _unfilter(rows: np.ndarray, bpp: int) -> np.ndarray:
    out = np.zeros((rows.shape[0], rows.shape[1] - 1), dtype=np.int32)
    previous = np.zeros(rows.shape[1] - 1, dtype=np.int32)
    for y, row in enumerate(rows):
        kind, line = row[0], row[1:].astype(np.int32)
        if kind == 2:
            line = (line + previous) % 256
        elif kind in (1, 3, 4):
            line = _unfilter_left(kind, line, previous, bpp)
        out[y], previous = line, line
    return out.astype(np.uint8)


def _unfilter_left(kind: int, line: np.ndarray, up: np.ndarray, bpp: int) -> np.ndarray:
    result = line.copy()
    for x in range(len(line)):
        left = result[x - bpp] if x >= bpp else 0
        upleft = up[x - bpp] if x >= bpp else 0
        if kind == 1:
            guess = left
        elif kind == 3:
            guess = (left + up[x]) // 2
        else:
            p = left + up[x] - upleft
            pa, pb, pc = abs(p - left), abs(p - up[x]), abs(p - upleft)
            guess = left if pa <= pb and pa <= pc else up[x] if pb <= pc else upleft
        result[x] = (line[x] + guess) % 256
    return result


def near(pixels: np.ndarray, rgb: tuple[int, int, int], tolerance: int = 12) -> int:
    """How many pixels are within ``tolerance`` of colour ``rgb``."""
    diff = np.abs(pixels[..., :3].astype(int) - np.array(rgb)).max(axis=-1)
    return int((diff <= tolerance).sum())


def test_console_messages_are_caught(tmp_path):
    page = tmp_path / "noisy.html"
    page.write_text("<html><body><script>console.error('boom')</script></body></html>")
    done = open_page(page, ["--dump-dom"], tmp_path / "profile")
    assert any("boom" in m for m in console_messages(done.stderr))


def base_report() -> str:
    """The report of a real run of ``scenarios/base.yaml`` (few replications)."""
    from engine import load_scenario
    from engine.commands.run import run_report_data
    from engine.jobs.run import run_scenario
    from engine.simulate import MonteCarlo

    base = Path(__file__).resolve().parents[2] / "scenarios" / "base.yaml"
    run = run_scenario(load_scenario(base), MonteCarlo(replications=30, seed=3, workers=1))
    return render_html(run_report_data(run))


@pytest.mark.slow
def test_report_draws_its_charts_and_logs_nothing(tmp_path):
    report = tmp_path / "report.html"
    report.write_text(base_report(), encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    shot.unlink(missing_ok=True)
    done = open_page(report, [f"--screenshot={shot}", "--window-size=1280,3600"],
                     tmp_path / "profile")
    assert console_messages(done.stderr) == []
    pixels = read_png(shot)
    assert pixels.shape[:2] == (3600, 1280)  # tall enough for the spend bars after the risks
    assert len(np.unique(pixels[..., :3].reshape(-1, 3), axis=0)) > 200
    assert near(pixels, PRIMARY_RGB) > 5000  # median lines, spend bars, header
    assert near(pixels, TARGET_RGB) > 300  # the target line and safety stock


@pytest.mark.slow
def test_every_chart_has_a_laid_out_drawing(tmp_path):
    data = sample_report_data("compare", hostile=True)
    page = render_html(data)
    probe = page.replace(CSP, "default-src 'none'; style-src 'unsafe-inline'; "
                              "script-src 'unsafe-inline'").replace("</body>", PROBE + "</body>")
    report = tmp_path / "probe.html"
    report.write_text(probe, encoding="utf-8")
    done = open_page(report, ["--dump-dom", "--window-size=1280,2400"], tmp_path / "profile")
    assert console_messages(done.stderr) == []
    found = re.search(r'<pre id="probe">(.*?)</pre>', done.stdout, re.S)
    assert found, "probe did not run"
    result = json.loads(found.group(1).replace("&lt;", "<").replace("&gt;", ">")
                        .replace("&amp;", "&"))
    assert len(result["charts"]) == page.count('class="chart"') >= 12
    for chart in result["charts"]:
        assert chart["width"] > 250 and chart["height"] > 50, chart
        assert chart["marks"] >= 3, chart
    assert result["scripts"] == 1  # only the probe: the hostile product name stayed text
    assert HOSTILE_PRODUCT in result["text"]


TOFU_PROBE = r"""<pre id="probe"></pre><script>
const family = getComputedStyle(document.body).fontFamily;
const canvas = document.createElement('canvas'); canvas.width = 48; canvas.height = 48;
const ctx = canvas.getContext('2d', {willReadFrequently: true});
ctx.font = '32px ' + family;
function pixels(ch) { ctx.clearRect(0, 0, 48, 48); ctx.fillText(ch, 4, 36);
  return Array.from(ctx.getImageData(0, 0, 48, 48).data).join(','); }
const notdef = pixels('\u{10FFFD}'), blank = pixels(' ');
const tofu = c => { const p = pixels(c); return p === notdef || p === blank; };
const cjk = [...new Set([...document.body.innerText].filter(
  c => /[\u3000-\u9fff\uff00-\uffef]/.test(c)))];
const heat = [...document.querySelectorAll('svg.chart')].filter(
  s => s.getAttribute('aria-label') === '各区域每月达成目标的概率');
document.getElementById('probe').textContent = JSON.stringify({
  family, cjk, missing: cjk.filter(tofu), control: ['\u{10000}', '\u{1D11E}'].map(tofu),
  heat_cells: heat.length ? heat[0].querySelectorAll('rect').length : 0,
  lang: document.documentElement.lang});
</script>"""
"""Each distinct Chinese character of the page drawn in the page's font stack on a canvas and
compared with the missing-glyph box (a private-use code point no font has) and with a blank:
equal means tofu. Two characters no installed font covers (Linear B, a musical symbol) are the
control that the check can fail."""


def east_china_report() -> str:
    """The Chinese report of a real run of ``scenarios/east-china.yaml`` (its language: zh)."""
    from engine import load_scenario
    from engine.commands.run import run_report_data
    from engine.jobs.run import run_scenario
    from engine.simulate import MonteCarlo

    path = Path(__file__).resolve().parents[2] / "scenarios" / "east-china.yaml"
    run = run_scenario(load_scenario(path), MonteCarlo(replications=30, seed=3, workers=1))
    return render_html(run_report_data(run))


def run_probe(page: str, script: str, tmp_path: Path) -> dict:
    probe = page.replace(CSP, "default-src 'none'; style-src 'unsafe-inline'; "
                              "script-src 'unsafe-inline'").replace("</body>", script + "</body>")
    report = tmp_path / "probe.html"
    report.write_text(probe, encoding="utf-8")
    done = open_page(report, ["--dump-dom", "--window-size=1280,2400"], tmp_path / "profile")
    assert console_messages(done.stderr) == []
    found = re.search(r'<pre id="probe">(.*?)</pre>', done.stdout, re.S)
    assert found, "probe did not run"
    return json.loads(found.group(1).replace("&lt;", "<").replace("&gt;", ">")
                      .replace("&amp;", "&"))


@pytest.mark.slow
def test_chinese_report_has_no_missing_glyphs(tmp_path):
    page = east_china_report()
    for text in ("目标风险", "上海", "抖音直播", "净贡献", "万"):
        assert text in page, text
    result = run_probe(page, TOFU_PROBE, tmp_path)
    assert result["lang"] == "zh-CN"
    assert len(result["cjk"]) > 100, result["cjk"]
    assert result["control"] == [True, True]  # the check sees tofu where there is tofu
    assert result["missing"] == [], f"tofu for {result['missing']} in {result['family']}"
    assert result["heat_cells"] == 4 * 3  # 4 regions x 3 months, drawn


@pytest.mark.slow
def test_run_report_ranks_regions_and_draws_the_heat_map(tmp_path):
    page = base_report()
    assert '<section id="risk">' in page and "is the most likely to miss" in page
    probe = PROBE.replace("JSON.stringify({", "JSON.stringify({risk: [...document.querySelectorAll("
                          "'#risk tbody tr')].length, ")
    result = run_probe(page, probe, tmp_path)
    heat = [c for c in result["charts"]
            if c["label"] == "Chance of hitting each month's target, by region"]
    assert len(heat) == 1 and heat[0]["marks"] >= 13 * 3 and heat[0]["width"] > 600, heat
    assert result["risk"] >= 13  # every region ranked (then region x line)
