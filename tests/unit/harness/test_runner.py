import pytest

from paperlab.harness.runner import _setup_cell_index, compute_time


def code(tags=(), duration=None):
    meta = {"tags": list(tags)}
    if duration is not None:
        meta["papermill"] = {"duration": duration}
    return {"cell_type": "code", "metadata": meta, "source": ""}


def test_compute_time_skips_the_setup_cell_and_ranks_slowest():
    nb = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ""},
            code(["parameters"], 0.01),
            code(["injected-parameters"], 0.01),
            code([], 9.0),  # setup: excluded
            code([], 1.5),
            code([], 4.0),
            code([], 0.5),
            code([], 2.0),
        ]
    }
    assert _setup_cell_index(nb["cells"]) == 3
    total, slowest = compute_time(nb)
    assert abs(total - (0.01 + 0.01 + 1.5 + 4.0 + 0.5 + 2.0)) < 1e-9
    assert slowest == [(5, 4.0), (7, 2.0), (4, 1.5)]


def test_select_by_series_and_by_path():
    import pytest

    from paperlab.harness import discover

    start = discover.select(["start"])
    assert [discover.rel(p) for p in start] == [
        "notebooks/00_start_here.ipynb",
        "notebooks/01_series_template.ipynb",
    ]
    assert discover.select(["notebooks/00_start_here.ipynb"]) == start[:1]
    with pytest.raises(ValueError, match="unknown series or notebook"):
        discover.select(["nope"])


def test_channel_reads_poll_in_short_slices(monkeypatch):
    import asyncio
    import time
    from queue import Empty

    import pytest
    from jupyter_client.channels import AsyncZMQSocketChannel

    from paperlab.harness import runner

    slices = []
    ready_at = time.monotonic() + 0.5

    async def stalling_get_msg(self, timeout=None):  # a reply that only a fresh poll notices
        slices.append(timeout)
        if time.monotonic() >= ready_at:
            return {"msg_type": "execute_reply"}
        await asyncio.sleep(timeout)
        raise Empty

    monkeypatch.setattr(AsyncZMQSocketChannel, "get_msg", stalling_get_msg)
    monkeypatch.setattr(runner, "POLL_SLICE_S", 0.05)
    runner._poll_in_slices()
    start = time.monotonic()
    assert asyncio.run(AsyncZMQSocketChannel.get_msg(None, timeout=60)) == {"msg_type": "execute_reply"}
    assert time.monotonic() - start < 5 and max(slices) <= 0.05 and len(slices) > 3
    ready_at = float("inf")
    with pytest.raises(Empty):
        asyncio.run(AsyncZMQSocketChannel.get_msg(None, timeout=0.2))


def test_cell_timeout_follows_the_budget_notebook_limit():
    from paperlab.harness.runner import NOTEBOOK_TIMEOUT_S, default_cell_timeout

    assert default_cell_timeout("lab") == NOTEBOOK_TIMEOUT_S["lab"] == 1800
    assert default_cell_timeout("smoke") == 180
    with pytest.raises(ValueError, match="budget"):
        default_cell_timeout("huge")
