"""The swCaffe allreduce benchmark under ``torchrun --standalone`` (2 processes, gloo on loopback)."""

import json
import os
import subprocess
import sys


def test_allreduce_benchmark_runs_under_torchrun(tmp_path):
    out = tmp_path / "allreduce.json"
    env = dict(os.environ, OMP_NUM_THREADS="1", GLOO_SOCKET_IFNAME="lo")
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
           "-m", "paperlab.swcaffe.dist_allreduce", "--algos", "ring,binomial", "--numel", "4099", "--out", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    got = json.loads(out.read_text())
    assert got["p"] == 2 and set(got["algos"]) == {"ring", "binomial"}
    assert all(a["equal_to_all_reduce"] for a in got["algos"].values())
    assert all(row["messages"] == row["model_messages"] and row["log_equal"] for row in got["model"])
