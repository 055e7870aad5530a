"""Every JTFT exercise: the registered reference passes, a stub and typical wrong answers fail, and each
notebook's solution cell passes while its student copy (solution stripped) fails."""

import math

import pytest
import torch

from paperlab.core import paths
from paperlab.core.exercises import check, get
from paperlab.harness import student
from paperlab.jtft import exercises  # noqa: F401  (registers the exercises)

NAMES = ["jtft.cdct_basis", "jtft.top_m", "jtft.patch", "jtft.period_to_bin"]


@pytest.mark.parametrize("name", NAMES)
def test_reference_passes_and_stub_fails(name):
    ex = get(name)
    assert check(name, ex.reference, quiet=True, strict=False)

    def stub(*args, **kwargs):
        raise NotImplementedError()

    assert not check(name, stub, quiet=True, strict=False)


def test_wrong_answers_fail():
    def basis_without_half(f, n):  # phase pi * n * f instead of pi * (n + 1/2) * f
        k = torch.arange(n, dtype=f.dtype)
        return math.sqrt(2.0 / n) * torch.cos(math.pi * f[:, None] * k[None, :])

    def patch_without_padding(x, patch_len, stride):
        return x.transpose(1, 2).unfold(-1, patch_len, stride).transpose(-1, -2)

    def top_m_without_dc(scores, n_freq):
        return torch.sort(torch.topk(scores, n_freq).indices).values.to(scores.dtype) / len(scores)

    assert not check("jtft.cdct_basis", basis_without_half, quiet=True, strict=False)
    assert not check("jtft.patch", patch_without_padding, quiet=True, strict=False)
    assert not check("jtft.top_m", top_m_without_dc, quiet=True, strict=False)
    assert not check("jtft.period_to_bin", lambda p, L, P, S: L / p, quiet=True, strict=False)


def test_notebook_solutions_pass_and_student_copies_fail():
    notebooks = sorted((paths.repo_root() / "notebooks" / "jtft").glob("0*.ipynb"))
    results = student.verify(notebooks)
    assert {r.name for r in results} == set(NAMES)
    for r in results:
        assert r.solution_passes, f"{r.notebook}: the solution of {r.name} fails its check"
        assert r.stub_fails, f"{r.notebook}: the student copy of {r.name} passes its check"
