"""JupyterLab in a real browser: `00_start_here` and each series' `04_explore` at the smoke budget.

A `jupyter lab` server from the book environment listens on 127.0.0.1 with a random token; its
`python3` kernel is the notebook environment's (`.venv`), so JupyterLab never enters that environment.
The notebooks run from copies under `build/lab-test/` (the server may autosave outputs there, never into
`notebooks/`). For each notebook: Run All Cells, no error output, every widget view rendered; for each
explorer with controls, one control is changed and its output must change.

`PAPERLAB_LAB_SERIES` picks the explorers: `all` (default; `make browser-test`), a comma list, or
`rotate:K` (CI): K series chosen by the day, so that every explorer is covered within a few days.
`PAPERLAB_JUPYTER_LAB` may point at another `jupyter-lab` (it needs jupyterlab_widgets).
Every wait is bounded; the server and its kernels are always stopped.
"""

from __future__ import annotations

import datetime
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browserkit import ROOT, block_network, screenshot_dir

# The book environment's JupyterLab (with jupyterlab_widgets); PAPERLAB_JUPYTER_LAB may name another.
JUPYTER_LAB = os.environ.get("PAPERLAB_JUPYTER_LAB") or str(Path(sys.executable).parent / "jupyter-lab")
KERNEL_PYTHON = ROOT / ".venv" / "bin" / "python"
COPIES = ROOT / "build" / "lab-test"
SCREENSHOT_SERIES = "jtft"
RUN_TIMEOUT_S = 240  # one notebook, all cells, at smoke
CHANGE_TIMEOUT_S = 90


def explorer_series() -> list[str]:
    found = sorted(p.parent.name for p in (ROOT / "notebooks").glob("*/04_explore.ipynb"))
    choice = os.environ.get("PAPERLAB_LAB_SERIES", "all").strip()
    if choice == "all":
        return found
    if choice.startswith("rotate:"):
        k = int(choice.removeprefix("rotate:"))
        day = datetime.date.today().toordinal()
        start = (day * k) % len(found)
        return sorted({found[(start + i) % len(found)] for i in range(min(k, len(found)))})
    picked = [s.strip() for s in choice.split(",") if s.strip()]
    unknown = sorted(set(picked) - set(found))
    if unknown:
        raise ValueError(f"PAPERLAB_LAB_SERIES names unknown series {unknown}; known: {found}")
    return picked


NOTEBOOKS = ["00_start_here.ipynb"] + [f"{s}/04_explore.ipynb" for s in explorer_series()]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 5.0) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as r:  # loopback only
        return r.read()


def _shutdown_kernels(base: str, token: str) -> None:
    for k in json.loads(_get(f"{base}/api/kernels?token={token}")):
        req = urllib.request.Request(f"{base}/api/kernels/{k['id']}?token={token}", method="DELETE")
        urllib.request.urlopen(req, timeout=10).close()


def _stop(proc: subprocess.Popen, base: str, token: str) -> None:
    """Shut down kernels through the API, then the server's process group; kill what is left."""
    import psutil

    try:
        _shutdown_kernels(base, token)
    except Exception:  # the server may be gone already; the kill below covers it
        pass
    try:
        children = psutil.Process(proc.pid).children(recursive=True)
    except psutil.Error:
        children = []
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)
    for child in children:
        try:
            child.kill()
        except psutil.Error:
            pass


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1; yields (base URL, token)."""
    if not KERNEL_PYTHON.exists():
        pytest.fail(f"no notebook environment at {KERNEL_PYTHON}: run `make setup`")
    home = tmp_path_factory.mktemp("jupyter")
    spec = home / "data" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [str(KERNEL_PYTHON), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Python 3 (ipykernel)",
                "language": "python",
            }
        )
    )
    # Every cell in the DOM (JupyterLab 4 renders only visible cells by default), and no autosave.
    settings = home / "settings"
    for plugin, values in {
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none", "autoStartDefaultKernel": True},
        "@jupyterlab/apputils-extension/notification": {"fetchNews": "false"},
        "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    }.items():
        package, name = plugin.rsplit("/", 1)
        (settings / package).mkdir(parents=True, exist_ok=True)
        (settings / package / f"{name}.jupyterlab-settings").write_text(json.dumps(values))
    if COPIES.exists():
        shutil.rmtree(COPIES)
    for rel in NOTEBOOKS:
        (COPIES / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "notebooks" / rel, COPIES / rel)
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(
        os.environ,
        JUPYTER_PATH=str(home / "data"),
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        PAPERLAB_BUDGET="smoke",
        PYTHONHASHSEED="0",
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
    )
    cmd = [
        JUPYTER_LAB,
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--port-retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={ROOT}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--ServerApp.allow_remote_access=False",
        "--LabApp.extension_manager=readonly",  # the default asks PyPI
        f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={home / 'workspaces'}",
    ] + (["--allow-root"] if os.geteuid() == 0 else [])
    log = open(home / "server.log", "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                _get(f"{base}/api/status?token={token}")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("jupyter lab did not start:\n" + (home / "server.log").read_text()[-3000:])
                time.sleep(0.5)
        yield base, token
    finally:
        _stop(proc, base, token)
        log.close()


@pytest.fixture(scope="module")
def context(browser, lab):
    base, _ = lab
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    ctx.blocked = block_network(ctx, (base, "data:", "blob:", "about:"))
    ctx.set_default_timeout(30_000)
    yield ctx
    ctx.close()


# ---------------------------------------------------------------- page helpers

RUN_STATE_JS = """() => {
  const prompts = Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt'))
      .map(p => p.textContent.trim());
  return {n: prompts.length, busy: prompts.filter(t => t.includes('*')).length,
          done: prompts.filter(t => /\\[\\d+\\]/.test(t)).length};
}"""
ERRORS_JS = """() => Array.from(document.querySelectorAll('.jp-Notebook .jp-OutputArea-output'))
  .map(o => o.textContent)
  .filter(t => t.includes('Traceback (most recent call last)') || t.includes('Error displaying widget')
               || t.includes('Error rendering output'))
  .map(t => t.slice(0, 600))"""
WIDGETS_JS = """() => {
  const views = Array.from(document.querySelectorAll('.jp-Notebook .jp-OutputArea-output .jupyter-widgets'));
  const loading = Array.from(document.querySelectorAll('.jp-Notebook .jp-OutputArea-output'))
      .filter(o => o.textContent.includes('Loading widget')).length;
  return {views: views.length, loading: loading};
}"""
# What a reader sees of the widgets' outputs: text and image sources of every Output widget.
SNAPSHOT_JS = """() => Array.from(document.querySelectorAll('.jp-Notebook .jupyter-widgets-output-area, .jp-Notebook .widget-output'))
  .map(o => o.textContent + Array.from(o.querySelectorAll('img')).map(i => i.src.slice(-200)).join('|'))
  .join('\\n---\\n')"""


def _wait_for(page, predicate, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        page.wait_for_timeout(500)


def _open_and_run(page, base: str, token: str, rel: str) -> float:
    """Open the copy of ``rel`` in JupyterLab, Run All Cells, wait until every cell ran; return seconds."""
    workspace = "t-" + rel.replace("/", "-").removesuffix(".ipynb")  # a fresh workspace: one notebook open
    page.goto(
        f"{base}/lab/workspaces/{workspace}/tree/build/lab-test/{rel}?reset&token={token}",
        wait_until="domcontentloaded",
    )
    page.locator(".jp-NotebookPanel .jp-CodeCell").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1000)
    dialog = page.locator(".jp-Dialog button", has_text="Select")
    if dialog.count():  # a kernel dialog despite autoStartDefaultKernel: take the python3 kernel
        dialog.first.click()
    _wait_for(page, lambda: page.locator(".jp-Dialog").count() == 0, 30, "no dialog")

    def kernel_idle():
        sessions = json.loads(_get(f"{base}/api/sessions?token={token}"))
        return any(s["kernel"]["execution_state"] == "idle" for s in sessions if s.get("kernel"))

    _wait_for(page, kernel_idle, 90, "the kernel to start")
    page.wait_for_timeout(1000)
    start = time.monotonic()
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()

    def finished():
        s = page.evaluate(RUN_STATE_JS)
        errors = page.evaluate(ERRORS_JS)
        return errors or (s["busy"] == 0 and s["done"] == s["n"] and s["n"] > 0)

    try:
        _wait_for(page, finished, RUN_TIMEOUT_S, f"all cells of {rel} to run")
    except AssertionError:
        page.screenshot(path=str(COPIES / (rel.replace("/", "-") + "-timeout.png")))
        raise AssertionError(f"{rel}: cells did not finish; prompts {page.evaluate(RUN_STATE_JS)}") from None
    return time.monotonic() - start


def _change_one_control(page) -> str | None:
    """Move the first dropdown, else the first slider, else tick the first checkbox; press a "Run
    Interact" button next to it if there is one. Returns what was changed, or None without controls."""
    select = page.locator(".jp-Notebook .widget-dropdown select")
    slider = page.locator(".jp-Notebook .widget-slider .noUi-handle")
    checkbox = page.locator(".jp-Notebook .widget-checkbox input")
    if select.count():
        target = select.first
        options = target.locator("option").all_text_contents()
        current = target.evaluate("e => e.selectedIndex")
        target.select_option(index=(current + 1) % len(options))
        changed = f"dropdown -> {options[(current + 1) % len(options)]}"
    elif slider.count():
        target = slider.first
        target.focus()
        target.press("ArrowRight")
        target.press("ArrowRight")
        changed = "slider +2 steps"
    elif checkbox.count():
        target = checkbox.first
        target.click()
        changed = "checkbox toggled"
    else:
        return None
    box = target.locator("xpath=ancestor::div[contains(@class, 'widget-interact')][1]")
    if box.count() and box.locator("button", has_text="Run Interact").count():
        box.locator("button", has_text="Run Interact").first.click()
        changed += ", Run Interact"
    return changed


@pytest.mark.parametrize("rel", NOTEBOOKS)
def test_notebook_runs_in_jupyterlab(context, lab, rel):
    base, token = lab
    page = context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    before_blocked = len(context.blocked)
    t0 = time.monotonic()
    try:
        run_s = _open_and_run(page, base, token, rel)
        errors = page.evaluate(ERRORS_JS)
        assert not errors, f"{rel}: error output after Run All:\n" + "\n".join(errors)
        source = (ROOT / "notebooks" / rel).read_text(encoding="utf-8")
        uses_widgets = "ipywidgets" in source
        if uses_widgets:
            state = _wait_for(
                page,
                lambda: (lambda s: s if s["views"] and not s["loading"] else None)(page.evaluate(WIDGETS_JS)),
                30,
                "widget views to render",
            )
            before = page.evaluate(SNAPSHOT_JS)
            changed = _change_one_control(page)
            assert changed, f"{rel} imports ipywidgets but shows no dropdown, slider or checkbox"
            _wait_for(
                page,
                lambda: page.evaluate(SNAPSHOT_JS) != before,
                CHANGE_TIMEOUT_S,
                f"the output of {rel} to change after {changed}",
            )
            page.wait_for_timeout(1000)  # let the redraw settle before checking errors again
            errors = page.evaluate(ERRORS_JS)
            assert not errors, f"{rel}: error output after {changed}:\n" + "\n".join(errors)
            shots = screenshot_dir()
            if shots and rel.startswith(SCREENSHOT_SERIES + "/"):
                page.locator(".jp-Notebook .jupyter-widgets").last.scroll_into_view_if_needed()
                page.screenshot(path=str(shots / "lab-explorer.png"))
            note = f"{state['views']} widget views, changed {changed}"
        else:
            note = "no widgets in this notebook"
        assert not page_errors, f"{rel}: JavaScript errors: {page_errors}"
        blocked = context.blocked[before_blocked:]
        assert not blocked, f"{rel}: requests left the loopback server: {blocked[:5]}"
        print(f"\n{rel}: ran in {run_s:.1f} s, {note}, {time.monotonic() - t0:.1f} s in all")
    finally:
        page.close()
        _shutdown_kernels(base, token)
