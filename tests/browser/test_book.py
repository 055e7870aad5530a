"""The book (`make book`) in a real browser from file:// with the network blocked: every page loads with
no console error, no raw `$` math and every image decoded; the search finds "RecycleGPT"."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from browserkit import ROOT, block_network, screenshot_dir

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


@pytest.fixture(scope="module")
def context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.blocked = block_network(ctx, LOCAL)
    yield ctx
    ctx.close()


def check_page(context, path: Path) -> tuple[list[str], int]:
    """Problems found on one page, and the number of typeset formulas."""
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    before = len(context.blocked)
    try:
        page.goto(path.as_uri(), wait_until="load", timeout=60_000)
        n_math = page.evaluate(MATHJAX_JS)
        problems = list(errors)
        merrors = page.locator("mjx-merror").all_text_contents()
        problems += [f"MathJax error: {t}" for t in merrors]
        raw = RAW_MATH.findall(page.evaluate(PROSE_JS))
        problems += [f"raw math left: {m!r}" for m in raw[:5]]
        problems += [f"image not decoded: {src}" for src, w in page.evaluate(IMAGES_JS) if not w]
        problems += [f"network request blocked: {u}" for u in context.blocked[before:]]
        if path.name == "index.html" and path.parent == SITE and screenshot_dir():
            page.screenshot(path=str(screenshot_dir() / "book-landing.png"))
        return problems, n_math
    finally:
        page.close()


def test_every_page(context):
    start = time.perf_counter()
    found, total_math, bad = pages(), 0, {}
    for path in found:
        problems, n_math = check_page(context, path)
        total_math += max(n_math, 0)
        if problems:
            bad[path.relative_to(SITE).as_posix()] = problems
    print(f"\nbook: {len(found)} pages, {total_math} formulas typeset, {time.perf_counter() - start:.1f} s")
    assert len(found) >= 10, f"only {len(found)} pages in {SITE}"
    assert total_math > 0, "no formula was typeset anywhere: MathJax did not run"
    assert not bad, "\n".join(f"{p}:\n  " + "\n  ".join(v) for p, v in bad.items())


def test_search_finds_recyclegpt(context):
    page = context.new_page()
    try:
        page.goto((SITE / "search.html").as_uri() + "?q=RecycleGPT", wait_until="load")
        hits = page.locator("#search-results li")
        hits.first.wait_for(timeout=30_000)
        links = hits.locator("a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
        assert any("recyclegpt/" in (h or "") for h in links), f"no RecycleGPT page among hits {links}"
    finally:
        page.close()
