"""Execute notebooks with papermill's Python API, two at a time, longest first.

Each notebook runs in a child process that imports papermill and nbconvert, executes the notebook with
``BUDGET`` injected, writes the executed copy and its HTML under ``build/reports/``, and returns timings
read from the cells' papermill metadata. A child that outlives the per-notebook timeout is killed with its
process group and the notebook retried once: nbclient can hang, rarely, on a cell that opens ipywidgets
comms (jupyter/nbclient#312), and a hang must not stall a whole run. At the smoke budget a notebook whose compute (all cells but the setup cell) exceeds the smoke
limit fails with a message naming it and its slowest cells.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

from paperlab.core import paths
from paperlab.harness import discover

SMOKE_LIMIT_S = 20.0


@dataclass
class RunResult:
    notebook: str
    status: str  # "ok" | "failed" | "over budget"
    wall_s: float
    compute_s: float
    slowest: list[tuple[int, float]] = field(default_factory=list)
    error: str = ""


def reports_dir() -> Path:
    return paths.build_dir() / "reports"


def executed_path(notebook: Path) -> Path:
    return reports_dir() / discover.rel(notebook)


def _setup_cell_index(cells: list) -> int | None:
    """The first code cell after the ``parameters`` cell (it holds the heavy imports)."""
    seen_params = False
    for i, cell in enumerate(cells):
        if cell.get("cell_type") != "code":
            continue
        tags = cell.get("metadata", {}).get("tags", [])
        if "parameters" in tags:
            seen_params = True
        elif seen_params and "injected-parameters" not in tags:
            return i
    return None


def compute_time(nb: dict) -> tuple[float, list[tuple[int, float]]]:
    """Seconds spent in all code cells but the setup cell, and the three slowest (index, seconds)."""
    cells = nb.get("cells", [])
    skip = _setup_cell_index(cells)
    durations = []
    for i, cell in enumerate(cells):
        if cell.get("cell_type") != "code" or i == skip:
            continue
        d = cell.get("metadata", {}).get("papermill", {}).get("duration")
        if d is not None:
            durations.append((i, float(d)))
    slowest = sorted(durations, key=lambda t: -t[1])[:3]
    return sum(d for _, d in durations), [(i, round(d, 2)) for i, d in slowest]


POLL_SLICE_S = 0.5


def _poll_in_slices() -> None:
    """Make nbclient's channel reads wake up at least every ``POLL_SLICE_S`` seconds.

    nbclient awaits ``get_msg(timeout=cell_timeout)`` on asyncio zmq sockets, and after a burst of widget
    comm messages that wait can miss the reply's wake-up and return only when the timeout expires (seen
    here: a cell whose kernel replied in 0.5 s took exactly the 120 s cell timeout; jupyter/nbclient#312).
    Polling in short slices bounds such a stall by the slice; an empty channel still raises ``Empty``
    at the caller's deadline.
    """
    from queue import Empty

    from jupyter_client.channels import AsyncZMQSocketChannel

    original = AsyncZMQSocketChannel.get_msg
    if getattr(original, "paperlab_sliced", False):
        return

    async def get_msg(self, timeout: float | None = None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = POLL_SLICE_S if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                return await original(self, timeout=min(POLL_SLICE_S, left))
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise

    get_msg.paperlab_sliced = True
    AsyncZMQSocketChannel.get_msg = get_msg


def _execute_one(src: str, budget: str, cell_timeout: int, html: bool, smoke_limit: float) -> RunResult:
    import logging

    import nbformat
    import papermill

    logging.getLogger("papermill").setLevel(logging.WARNING)
    _poll_in_slices()
    nb_path = Path(src)
    out = executed_path(nb_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    os.environ["PAPERLAB_NOTEBOOK"] = discover.rel(nb_path)
    os.environ["PAPERLAB_BUDGET"] = budget
    start = time.perf_counter()
    error = ""
    try:
        papermill.execute_notebook(
            str(nb_path),
            str(out),
            parameters={"BUDGET": budget},
            kernel_name="python3",
            cwd=str(nb_path.parent),
            execution_timeout=cell_timeout,
            progress_bar=False,
        )
        status = "ok"
    except Exception as err:  # papermill raises several types; all mean "this notebook failed"
        status, error = "failed", f"{type(err).__name__}: {str(err)[-2000:]}"
    wall = time.perf_counter() - start
    compute, slowest = 0.0, []
    if out.exists():
        nb = nbformat.read(out, as_version=4)
        compute, slowest = compute_time(nb)
        if html:
            from nbconvert import HTMLExporter

            body, _ = HTMLExporter().from_notebook_node(nb)
            out.with_suffix(".html").write_text(body, encoding="utf-8")
    if status == "ok" and budget == "smoke" and compute > smoke_limit:
        status = "over budget"
        error = (
            f"{discover.rel(nb_path)} used {compute:.1f} s of smoke compute (limit {smoke_limit:.0f} s); "
            f"slowest cells (index, s): {slowest}"
        )
    return RunResult(discover.rel(nb_path), status, round(wall, 1), round(compute, 1), slowest, error)


def durations_file() -> Path:
    return paths.build_dir() / "durations.json"


def timings_file(series: str) -> Path:
    """Committed per-notebook times of one series at smoke and lab (``--record``), shown in the README map.

    One file per series, so that series recorded at the same time never overwrite each other.
    """
    return paths.repo_root() / "results" / series / "notebook_times.json"


def recorded_times() -> dict[str, dict[str, float]]:
    """All recorded times: ``{notebook: {budget: seconds}}``."""
    times: dict[str, dict[str, float]] = {}
    for f in sorted((paths.repo_root() / "results").glob("*/notebook_times.json")):
        times.update(_load(f))
    return times


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def order_longest_first(notebooks: list[Path], budget: str) -> list[Path]:
    known = _load(durations_file()).get(budget, {})
    recorded = recorded_times()

    def expected(nb: Path) -> float:
        key = discover.rel(nb)
        return known.get(key) or recorded.get(key, {}).get(budget) or 1e9  # unknown first

    return sorted(notebooks, key=lambda nb: (-expected(nb), discover.rel(nb)))


NOTEBOOK_TIMEOUT_S = {"smoke": 180, "lab": 1800, "paper": 6 * 3600}


def default_cell_timeout(budget: str) -> int:
    """Seconds one cell may run: the budget's whole-notebook limit (a lab notebook may spend its time in one cell).

    A fixed 900 s failed AdMRL 03 at lab on a loaded 2-core machine (one cell of 911 s, notebook limit 1800 s).
    """
    if budget not in NOTEBOOK_TIMEOUT_S:
        raise ValueError(f"budget must be one of {sorted(NOTEBOOK_TIMEOUT_S)}, got {budget!r}")
    return int(NOTEBOOK_TIMEOUT_S[budget])


_ACTIVE: set[int] = set()  # runner children alive now; killed if the run itself is interrupted


def _kill_tree(pid: int) -> None:
    """SIGKILL a runner child's process group and each descendant's group: jupyter_client starts the kernel
    in a session of its own, and a kernel may have forked workers (torch.distributed notebooks)."""
    import psutil

    groups = {pid}
    try:
        groups |= {os.getpgid(c.pid) for c in psutil.Process(pid).children(recursive=True)}
    except (psutil.Error, ProcessLookupError):
        pass
    for group in groups:
        try:
            os.killpg(group, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _execute_in_child(
    nb: Path, budget: str, cell_timeout: int, html: bool, smoke_limit: float, timeout: float, echo
) -> RunResult:
    """Run :func:`_execute_one` in a fresh process group; kill and retry once if it outlives ``timeout``."""
    with tempfile.TemporaryDirectory(prefix="paperlab-run-") as tmp:
        result_file = Path(tmp) / "result.json"
        cmd = [
            sys.executable,
            "-m",
            "paperlab.harness.runner",
            str(nb),
            budget,
            str(cell_timeout),
            "1" if html else "0",
            str(smoke_limit),
            str(result_file),
        ]
        for attempt in (1, 2):
            child = subprocess.Popen(cmd, start_new_session=True)
            _ACTIVE.add(child.pid)
            try:
                child.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill_tree(child.pid)
                child.wait()
                echo(f"    hang: {discover.rel(nb)} exceeded {timeout:.0f} s (attempt {attempt}); killed")
                continue
            finally:
                _ACTIVE.discard(child.pid)
            if result_file.exists():
                return RunResult(**json.loads(result_file.read_text(encoding="utf-8")))
            return RunResult(
                discover.rel(nb), "failed", 0.0, 0.0, [], f"runner child exited {child.returncode}"
            )
    return RunResult(discover.rel(nb), "failed", timeout, 0.0, [], f"hung twice (over {timeout:.0f} s each)")


def run(
    notebooks: list[Path],
    budget: str,
    workers: int = 2,
    cell_timeout: int | None = None,
    html: bool = True,
    record: bool = False,
    smoke_limit: float = SMOKE_LIMIT_S,
    notebook_timeout: float | None = None,
    echo=print,
) -> list[RunResult]:
    """Execute ``notebooks`` at ``budget``; return one :class:`RunResult` each, in completion order.

    ``cell_timeout`` (seconds per cell) defaults to :func:`default_cell_timeout` of the budget.
    """
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    timeout = notebook_timeout or NOTEBOOK_TIMEOUT_S[budget]
    cell_timeout = default_cell_timeout(budget) if cell_timeout is None else cell_timeout
    ordered = order_longest_first(notebooks, budget)
    results: list[RunResult] = []
    pool = ThreadPoolExecutor(max_workers=workers)
    futures = [
        pool.submit(_execute_in_child, nb, budget, cell_timeout, html, smoke_limit, timeout, echo)
        for nb in ordered
    ]
    try:
        for fut in as_completed(futures):
            res = fut.result()
            results.append(res)
            echo(
                f"{res.status:>11}  {res.wall_s:7.1f} s wall  {res.compute_s:7.1f} s compute  {res.notebook}"
            )
            if res.error:
                echo("             " + res.error.replace("\n", "\n             ")[:3000])
    except BaseException:  # Ctrl-C or an error here: leave no notebook (or kernel) running
        pool.shutdown(wait=False, cancel_futures=True)
        for pid in list(_ACTIVE):
            _kill_tree(pid)
        raise
    pool.shutdown()
    _save_durations(results, budget, record)
    return results


def _save_durations(results: list[RunResult], budget: str, record: bool) -> None:
    data = _load(durations_file())
    data.setdefault(budget, {}).update({r.notebook: r.wall_s for r in results if r.status != "failed"})
    durations_file().parent.mkdir(parents=True, exist_ok=True)
    durations_file().write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (reports_dir() / "last_run.json").write_text(
        json.dumps({"budget": budget, "results": [asdict(r) for r in results]}, indent=2) + "\n",
        encoding="utf-8",
    )
    if record:
        from paperlab.core.provenance import write_json_atomic

        for series in sorted({discover.series_of(paths.repo_root() / r.notebook) for r in results}):
            target = timings_file(series)
            times = _load(target)
            for r in results:
                if r.status == "ok" and discover.series_of(paths.repo_root() / r.notebook) == series:
                    times.setdefault(r.notebook, {})[budget] = r.wall_s
            write_json_atomic(target, dict(sorted(times.items())))


def _child_main(argv: list[str]) -> int:
    """Entry point of the per-notebook child process (see :func:`_execute_in_child`)."""
    src, budget, cell_timeout, html, smoke_limit, result_file = argv
    res = _execute_one(src, budget, int(cell_timeout), html == "1", float(smoke_limit))
    Path(result_file).write_text(json.dumps(asdict(res)), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(_child_main(sys.argv[1:]))
