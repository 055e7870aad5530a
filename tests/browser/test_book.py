"""The book (`make book`) in a real browser from file:// with the network blocked: every page loads with
no console error, no raw `$` math and every image decoded; the search finds "RecycleGPT"."""

from __future__ import annotations

import asyncio
import os
import re
import time
from pathlib import Path

import pytest
from browserkit import CHROMIUM_ARGS, ROOT, chromium_path, screenshot_dir

SITE = Path(os.environ.get("PAPERLAB_BOOK_HTML", ROOT / "build" / "book" / "html"))
LOCAL = ("file://", "data:", "blob:", "about:")
RAW_MATH = re.compile(r"\$[^$\n]{1,300}\$|\\\(|\\\)|\\\[|\\\]")

# Text of the page's article without code, outputs and typeset math: what a reader sees as prose.
PROSE_JS = """() => {
  const main = document.querySelector('article') || document.body;
  const copy = main.cloneNode(true);
  copy.querySelectorAll('pre, code, .cell_output, .output, mjx-container, script, style, .highlight')
      .forEach(e => e.remove());
  return copy.textContent;
}"""
IMAGES_JS = """async () => {
  const out = [];
  for (const img of Array.from(document.images)) {
    img.loading = 'eager';
    try { await img.decode(); out.push([img.getAttribute('src'), img.naturalWidth]); }
    catch (e) { out.push([img.getAttribute('src'), 0]); }
  }
  return out;
}"""
MATHJAX_JS = """async () => {
  if (!window.MathJax || !window.MathJax.startup) return -1;
  await window.MathJax.startup.promise;
  return document.querySelectorAll('mjx-container').length;
}"""


def pages() -> list[Path]:
    if not (SITE / "index.html").exists():
        pytest.fail(f"no book at {SITE}: run `make book` first")
    skip = {"_static", "_sources", "_images", "jupyter_execute"}
    return sorted(p for p in SITE.rglob("*.html") if not skip & set(p.relative_to(SITE).parts))


WORKERS = 3  # pages checked at once


async def _check_page(ctx, path: Path) -> tuple[list[str], int]:
    """Problems found on one page, and the number of typeset formulas."""
    page = await ctx.new_page()
    problems: list[str] = []
    blocked: list[str] = []

    async def guard(route):
        if route.request.url.startswith(LOCAL):
            await route.continue_()
        else:
            blocked.append(route.request.url)
            await route.abort()

    page.on(
        "console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    await page.route("**/*", guard)
    try:
        await page.goto(path.as_uri(), wait_until="load", timeout=60_000)
        n_math = await page.evaluate(MATHJAX_JS)
        merrors = await page.locator("mjx-merror").all_text_contents()
        problems += [f"MathJax error: {t}" for t in merrors]
        raw = RAW_MATH.findall(await page.evaluate(PROSE_JS))
        problems += [f"raw math left: {m!r}" for m in raw[:5]]
        problems += [f"image not decoded: {src}" for src, w in await page.evaluate(IMAGES_JS) if not w]
        problems += [f"network request blocked: {u}" for u in blocked]
        if path.name == "index.html" and path.parent == SITE and screenshot_dir():
            await page.screenshot(path=str(screenshot_dir() / "book-landing.png"))
        return problems, n_math
    finally:
        await page.close()


async def _search(ctx, query: str) -> list[str]:
    """The links of the search page's hits for ``query``."""
    page = await ctx.new_page()
    try:
        await page.goto((SITE / "search.html").as_uri() + f"?q={query}", wait_until="load")
        hits = page.locator("#search-results li")
        await hits.first.wait_for(timeout=30_000)
        return await hits.locator("a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    finally:
        await page.close()


async def _visit(found: list[Path]) -> dict:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS, timeout=60_000
        )
        try:
            ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
            sem = asyncio.Semaphore(WORKERS)

            async def one(path):
                async with sem:
                    return await _check_page(ctx, path)

            results = await asyncio.gather(*(one(p) for p in found))
            return {
                "pages": dict(zip(found, results, strict=True)),
                "search": await _search(ctx, "RecycleGPT"),
            }
        finally:
            await browser.close()


@pytest.fixture(scope="module")
def visit():
    found = pages()
    start = time.perf_counter()
    out = asyncio.run(_visit(found))
    total_math = sum(max(n, 0) for _, n in out["pages"].values())
    print(f"\nbook: {len(found)} pages, {total_math} formulas typeset, {time.perf_counter() - start:.1f} s")
    return out


def test_every_page(visit):
    found = visit["pages"]
    assert len(found) >= 10, f"only {len(found)} pages in {SITE}"
    assert sum(max(n, 0) for _, n in found.values()) > 0, (
        "no formula was typeset anywhere: MathJax did not run"
    )
    bad = {p.relative_to(SITE).as_posix(): problems for p, (problems, _) in found.items() if problems}
    assert not bad, "\n".join(f"{p}:\n  " + "\n  ".join(v) for p, v in bad.items())


def test_search_finds_recyclegpt(visit):
    links = visit["search"]
    assert any("recyclegpt/" in (h or "") for h in links), f"no RecycleGPT page among hits {links}"
