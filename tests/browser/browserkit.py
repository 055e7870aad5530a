"""Helpers shared by the browser tests (imported by name: conftest puts this folder on sys.path)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]


def chromium_path() -> str:
    for name in (os.environ.get("PAPERLAB_CHROMIUM"), "chromium", "chromium-browser"):
        if name and shutil.which(name):
            return shutil.which(name)
    raise RuntimeError("no chromium on PATH: run `make browser-deps` (apt-get install chromium)")


def screenshot_dir() -> Path | None:
    target = os.environ.get("PAPERLAB_SCREENSHOTS")
    if not target:
        return None
    path = Path(target)
    path.mkdir(parents=True, exist_ok=True)
    return path


def block_network(context, allowed: tuple[str, ...]) -> list[str]:
    """Abort every request whose URL does not start with one of ``allowed``; return the list of those."""
    blocked: list[str] = []

    def handle(route):
        url = route.request.url
        if url.startswith(allowed):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    context.route("**/*", handle)
    return blocked
