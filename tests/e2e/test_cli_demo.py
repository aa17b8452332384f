"""The README's first command: ``lamtrace demo`` runs the shop functions under the local emulator and reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lamtrace.render.html import PLOTS
from tests.integration.cli.helpers import lamtrace, one_line_error
from tests.unit.render.html_checks import assert_self_contained, chromium, ink_fraction, screenshot

SHOP = {"shop-api", "shop-notify", "shop-report", "shop-worker"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    root = tmp_path_factory.mktemp("demo")
    out, html = root / "data", root / "demo.html"
    result = lamtrace("demo", "--out", str(out), "--html", str(html))
    assert result.returncode == 0, result.stderr
    return out, html, result.stdout


@pytest.mark.slow
def test_demo_generates_fresh_data_and_reports_it(demo: tuple[Path, Path, str]) -> None:
    out, _, stdout = demo
    assert sorted(p.name for p in (out / "logs").iterdir()) == sorted(f"{name}.jsonl" for name in SHOP)
    assert any((out / "traces").iterdir())
    lines = [line.rstrip() for line in stdout.splitlines()]
    assert lines[0].startswith("lamtrace demo")
    assert max(map(len, lines)) <= 100
    assert {line.split()[0] for line in lines if line.startswith("shop-")} == SHOP
    # the same data through `lamtrace report`: one attempt per REPORT line the emulator wrote, the timeout included
    data = json.loads(lamtrace("report", str(out), "--format", "json").stdout)
    events = [json.loads(line) for path in (out / "logs").iterdir() for line in path.read_text().splitlines()]
    reports = [e for e in events if e["message"].startswith("REPORT ") or '"platform.report"' in e["message"]]
    assert data["totals"]["attempts"] == len(reports) > 0
    assert data["totals"]["retries"] > 0 and data["totals"]["timeouts"] == 1


@pytest.mark.slow
def test_demo_html_is_self_contained_with_every_plot(demo: tuple[Path, Path, str], tmp_path: Path) -> None:
    _, html, _ = demo
    page = assert_self_contained(html.read_text(encoding="utf-8"))
    assert {f"plot-{plot_id}" for plot_id in PLOTS} <= page.ids
    assert {
        "summary",
        "invocations",
        "failures",
        "latency-table",
        "cost-table",
        "slowest",
        "failed",
    } <= page.ids
    assert len(page.images) == len(PLOTS)  # the demo has traces and prices: every plot is drawn
    assert all(src.startswith("data:image/svg+xml;base64,") for src in page.images)
    if chromium() is None:
        pytest.skip("chromium is not installed")
    png = tmp_path / "demo.png"
    screenshot(html, png, height=4200)
    assert ink_fraction(png) > 0.05


def test_bundled_demo_and_a_used_output_directory(tmp_path: Path) -> None:
    result = lamtrace("demo", "--bundled", "--format", "json", "--out", str(tmp_path / "d"))
    assert result.returncode == 0, result.stderr
    assert {row["function"] for row in json.loads(result.stdout)["functions"]} == SHOP
    message = one_line_error(lamtrace("demo", "--bundled", "--out", str(tmp_path / "d")))
    assert "choose a new or empty directory" in message
