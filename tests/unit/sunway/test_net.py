import numpy as np
import pytest

from paperlab.sunway import net
from paperlab.sunway.arch import TaihuLightNet

ALGOS4 = ("ring", "rhd_near", "rhd_far", "binomial")


@pytest.mark.parametrize("algo", net.ALGORITHMS)
@pytest.mark.parametrize("p", [2, 4, 16, 256, 1024])
def test_closed_forms_at_oversub_1(algo, p):
    nt = TaihuLightNet(oversub=1.0)
    nbytes = p * 4 * 1000
    t, table = net.allreduce_time(algo, p, nbytes, nt, reduce_cost=False)
    c = net.closed_form_time(algo, p, nbytes, nt)
    assert t == pytest.approx(c, rel=1e-12)
    assert table["time"].sum() == pytest.approx(t)


def test_reference_table_of_the_brief():
    nt = TaihuLightNet()
    ref = {
        25_557_032 * 4: (17.2, 55.4, 20.1, 170),
        60_965_224 * 4: (41.0, 132, 43.7, 406),
        10e6: (1.71, 5.45, 4.73, 16.7),
        4e6: (0.70, 2.20, 3.74, 6.70),
        1e6: (0.20, 0.57, 3.24, 1.70),
    }
    for nbytes, row in ref.items():
        for algo, ms in zip(("rhd_near", "rhd_far", "ring", "binomial"), row, strict=True):
            t, _ = net.allreduce_time(algo, 1024, nbytes, nt, reduce_cost=False)
            assert t * 1e3 == pytest.approx(ms, abs=0.5 if ms > 100 else 0.1 if ms > 1 else 0.01), (
                algo,
                nbytes,
            )


@pytest.mark.parametrize("p, n, g", [(8, 1_000_003, 4), (4, 1000, 2), (64, 4099, 16), (16, 1003, 4)])
def test_schedule_statistics_closed_forms(p, n, g):
    k = int(np.log2(p))
    w = 4
    expect = {"ring": 2 * p * (p - 1), "rhd_near": 2 * p * k, "rhd_far": 2 * p * k, "binomial": 2 * (p - 1)}
    for algo in ALGOS4:
        s = net.allreduce_schedule(algo, p, n, w, g)
        msgs, total, cross = net.message_stats(s)
        assert msgs == expect[algo] and total == 2 * (p - 1) * n * w
        if algo == "rhd_near":
            assert cross == 2 * n * (p // g - 1) * w
        if algo == "rhd_far":
            assert cross == 2 * n * (p - g) * w
        if algo == "binomial":
            assert cross == 2 * n * w * sum(p // (2 * d) for d in 2 ** np.arange(int(np.log2(g)), k))


def test_swcaffe_checked_counts():
    got = [net.message_stats(net.allreduce_schedule(a, 8, 1_000_003, 4, 4)) for a in ALGOS4]
    assert got == [
        (112, 56000168, 14000040),
        (48, 56000168, 8000024),
        (48, 56000168, 32000096),
        (14, 56000168, 8000024),
    ]


def _reference_log(algo, p, n, w):
    """Rank-by-rank brute force of the shared chunking rules (swcaffe.md 2.6), written independently."""
    sizes = [len(c) for c in np.array_split(np.arange(n), p)]
    log = []
    if algo == "ring":
        for phase, off in (("reduce_scatter", 0), ("allgather", 1)):
            for s in range(p - 1):
                for rank in range(p):
                    c = (rank - s + off) % p
                    if sizes[c]:
                        log.append((phase, s, rank, (rank + 1) % p, sizes[c] * w))
    elif algo.startswith("rhd"):
        masks = [1 << i for i in range(int(np.log2(p)))]
        masks = masks if algo == "rhd_near" else masks[::-1]
        owned = [set(range(p)) for _ in range(p)]
        for s, m in enumerate(masks):
            for rank in range(p):
                nb = sum(sizes[c] for c in owned[rank] if (c & m) != (rank & m)) * w
                if nb:
                    log.append(("reduce_scatter", s, rank, rank ^ m, nb))
            owned = [{c for c in owned[r] if (c & m) == (r & m)} for r in range(p)]
        assert all(owned[r] == {r} for r in range(p))
        for s, m in enumerate(masks[::-1]):
            for rank in range(p):
                nb = sum(sizes[c] for c in owned[rank]) * w
                if nb:
                    log.append(("allgather", s, rank, rank ^ m, nb))
            owned = [owned[r] | owned[r ^ m] for r in range(p)]
    else:
        d, s = 1, 0
        while d < p:
            log += [("reduce", s, r, r - d, n * w) for r in range(p) if r % (2 * d) == d]
            d, s = 2 * d, s + 1
        d, s = 1 << (int(np.ceil(np.log2(p))) - 1), 0
        while d >= 1:
            log += [("broadcast", s, r, r + d, n * w) for r in range(p) if r % (2 * d) == 0 and r + d < p]
            d, s = d // 2, s + 1
    return log


@pytest.mark.parametrize(
    "algo, p",
    [(a, p) for a in ALGOS4 for p in (2, 3, 4, 5, 8, 16) if not (a.startswith("rhd") and p & (p - 1))],
)
@pytest.mark.parametrize("n", [1, 7, 16, 1003])
def test_schedule_equals_brute_force_log(algo, p, n):
    s = net.allreduce_schedule(algo, p, n, 4, 2)
    assert s.messages() == _reference_log(algo, p, n, 4)


def test_small_payload_drops_empty_messages():
    s = net.allreduce_schedule("ring", 8, 3)
    assert s.nbytes.min() > 0 and net.message_stats(s)[0] == 2 * 7 * 3
    t_full, _ = net.schedule_time(s)
    t_api, _ = net.allreduce_time("ring", 8, 12)
    assert t_full == t_api


def test_oversubscription_slows_only_crossing_steps():
    nt = TaihuLightNet()
    _, table = net.allreduce_time("rhd_near", 1024, 1e8, nt, reduce_cost=False)
    assert (table["cross_messages"] > 0).sum() == 4  # masks 256, 512 in both halves
    slow = table["time"][table["cross_messages"] > 0]
    t4, _ = net.allreduce_time("rhd_far", 1024, 1e8, nt, reduce_cost=False)
    t1, _ = net.allreduce_time("rhd_far", 1024, 1e8, nt.replace(oversub=1.0), reduce_cost=False)
    assert t4 > 2 * t1 and slow.size == 4


def test_scaling_curve_limits():
    ideal = TaihuLightNet(alpha=0.0, beta=float("inf"), bw_red=float("inf"))
    c = net.scaling_curve(1.0, 1e8, [1, 2, 64, 1024], "ring", ideal)
    np.testing.assert_allclose(c["speedup"], [1, 2, 64, 1024])
    real = net.scaling_curve(0.1, 1e8, [1, 1024], "rhd_near")
    assert real["speedup"][0] == 1 and real["efficiency"][1] < 1


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: net.allreduce_schedule("rhd_near", 6, 100), "power of two.*ring.*binomial"),
        (lambda: net.allreduce_schedule("tree", 8, 100), "ring, rhd_near, rhd_far, binomial, ps"),
        (lambda: net.allreduce_schedule("ring", 8, -1), "n_elems"),
        (lambda: net.allreduce_time("ring", 8, -5.0), "nbytes"),
        (lambda: net.allreduce_time("ring", 65536, 1e6), "larger than the modelled machine"),
        (lambda: net.allreduce_schedule("ring", 0, 10), "p must"),
        (lambda: net.scaling_curve(0.0, 1e6, [2], "ring"), "t_compute"),
    ],
)
def test_bad_inputs(call, match):
    with pytest.raises(ValueError, match=match):
        call()
