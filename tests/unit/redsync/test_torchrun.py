"""``python -m paperlab.redsync.train`` under torchrun on 127.0.0.1: a standalone 2-process run equals the
fork launcher bit for bit; two torchrun agents (2 nodes x 1 process, c10d rendezvous) agree too; a worker
killed mid-run ends the job with a clear error within its timeout, its checkpoints kept, and an elastic
restart resumes from them to the same result. Ports: the OS picks free loopback ports; every subprocess
has a timeout."""

import json
import multiprocessing as mp
import os
import re
import socket
import subprocess
import sys
import time

import pytest

from paperlab.redsync.launcher import launch
from paperlab.redsync.torchrun import build_job, init_from_env, parse_args
from paperlab.redsync.train import merge, run_jobs

ARGS = ["--sizes", "64,32,10", "--max-steps", "12", "--batch", "16", "--hook", "rgc", "--density", "0.01",
        "--selector", "binary_search", "--seed", "1", "--pg-timeout", "20"]
TIMEOUT_S = 120  # per torchrun invocation (a cold `import torch` per process on a loaded 2-core machine)


def _env():
    return dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
                GLOO_SOCKET_IFNAME="lo", PYTHONHASHSEED="0", PYTHONUNBUFFERED="1")


def _torchrun(*launcher_args, extra=(), timeout=TIMEOUT_S):
    cmd = [sys.executable, "-m", "torch.distributed.run", *launcher_args, "-m", "paperlab.redsync.train",
           *ARGS, *extra]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_env())


def _wait(proc, timeout=TIMEOUT_S):
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()  # our own child, by handle
        out, _ = proc.communicate()
        pytest.fail(f"torchrun did not finish within {timeout} s:\n{out[-3000:]}")
    return proc.returncode, out


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def reference():
    """The same job on the project's fork launcher (file rendezvous)."""
    job = build_job(parse_args(ARGS))
    return merge(launch(run_jobs, 2, args=([job],), timeout_s=90, pg_timeout_s=20))[0]


def _same(got: dict, ref: dict) -> None:
    assert got["digest"] == ref["digest"]
    assert got["losses"] == ref["losses"]
    assert got["bytes_wire"] == ref["bytes_wire"]
    assert got["in_sync"]
    assert len(got["losses"]) == 12


def test_standalone_two_processes_equal_the_fork_launcher(reference, tmp_path):
    out = tmp_path / "run.json"
    code, log = _wait(_torchrun("--standalone", "--nproc-per-node", "2", extra=("--out", str(out))))
    assert code == 0, log[-3000:]
    got = json.loads(out.read_text())
    assert got["world_size"] == 2 and got["backend"] == "gloo"
    _same(got, reference)


def test_two_agents_with_c10d_rendezvous_on_loopback(reference, tmp_path):
    out, port = tmp_path / "run.json", _free_port()
    common = ("--nnodes", "2", "--nproc-per-node", "1", "--rdzv-backend", "c10d",
              "--rdzv-endpoint", f"127.0.0.1:{port}", "--rdzv-id", "redsync-test", "--rdzv-conf", "timeout=60")
    agents = [_torchrun(*common, "--node-rank", str(r), extra=("--out", str(out))) for r in range(2)]
    results = [_wait(a) for a in agents]
    for code, log in results:
        assert code == 0, log[-3000:]
    _same(json.loads(out.read_text()), reference)


def test_a_killed_worker_ends_the_job_with_a_clear_error_and_keeps_its_checkpoints(tmp_path):
    ckpt = tmp_path / "ckpt"
    t0 = time.monotonic()
    code, log = _wait(_torchrun("--standalone", "--nproc-per-node", "2", "--max-restarts", "0",
                                extra=("--ckpt-dir", str(ckpt), "--ckpt-every", "2", "--fail-at", "1:5",
                                       "--out", str(tmp_path / "run.json"))))
    assert code != 0
    assert time.monotonic() - t0 < TIMEOUT_S
    assert "ChildFailedError" in log and re.search(r"rank\s*:\s*1\b", log) and re.search(r"exitcode\s*:\s*3\b", log)
    assert not (tmp_path / "run.json").exists()
    assert sorted(p.name for p in ckpt.glob("*.pt")) == [
        "rank0-step2.pt", "rank0-step4.pt", "rank1-step2.pt", "rank1-step4.pt"
    ]


def test_an_elastic_restart_resumes_from_the_checkpoints_to_the_same_result(reference, tmp_path):
    out = tmp_path / "run.json"
    code, log = _wait(_torchrun("--standalone", "--nproc-per-node", "2", "--max-restarts", "1",
                                extra=("--ckpt-dir", str(tmp_path / "ckpt"), "--ckpt-every", "2",
                                       "--fail-at", "1:5", "--out", str(out))))
    assert code == 0, log[-3000:]
    got = json.loads(out.read_text())
    assert got["restarts"] == 1
    _same(got, reference)


def test_the_entry_point_says_how_to_start_it(monkeypatch):
    for var in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(RuntimeError, match="torchrun"):
        init_from_env()
    assert not mp.active_children()
