"""Checks on an HTML report shared by the render, CLI and end-to-end tests: self-contained, sections, images."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

# attributes that make a browser fetch something
FETCHING = {
    ("img", "src"),
    ("script", "src"),
    ("link", "href"),
    ("iframe", "src"),
    ("source", "src"),
    ("video", "src"),
    ("audio", "src"),
    ("object", "data"),
    ("embed", "src"),
    ("image", "href"),
}


class Page(HTMLParser):
    """Tags, ids and fetched URLs of an HTML document."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.ids: set[str] = set()
        self.fetches: list[str] = []
        self.images: list[str] = []
        self.styles: list[str] = []
        self._in_style = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        for name, value in attrs:
            if (tag, name) in FETCHING or name in ("srcset", "xlink:href", "background"):
                self.fetches.append(value or "")
        if tag == "img":
            self.images.append(values.get("src") or "")
        self._in_style = tag == "style"

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False


def assert_self_contained(html: str) -> Page:
    """No scripts, no external fetches (only data: URIs), no @import/url() in CSS; returns the parsed page."""
    page = Page(html)
    assert "script" not in page.tags
    assert all(url.startswith("data:") for url in page.fetches), page.fetches
    css = "".join(page.styles)
    assert "@import" not in css and "url(" not in css
    assert "http://" not in css and "https://" not in css
    return page


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def screenshot(html_file: Path, png: Path, *, height: int = 2400) -> None:
    """Render ``html_file`` in headless Chromium (no network) into ``png``."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                chromium() or "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                f"--screenshot={png}",
                f"--window-size=1280,{height}",
                html_file.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )


def ink_fraction(png: Path) -> float:
    """Share of pixels that are not (near) white: a page that failed to render is blank."""
    import matplotlib.image

    pixels = matplotlib.image.imread(str(png))[..., :3]
    return float((pixels.min(axis=2) < 0.9).mean())
