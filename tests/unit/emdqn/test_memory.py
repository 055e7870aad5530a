import numpy as np
import pytest

from paperlab.emdqn.memory import EpisodicMemory, RandomProjection, discounted_returns


def _np_returns(r, gamma, clip):
    r = np.clip(np.asarray(r, float), *clip)
    disc = gamma ** np.arange(len(r))
    return np.array([np.sum(r[t:] * disc[: len(r) - t]) for t in range(len(r))])


def test_projection_seeded_shapes_and_jl_moments():
    a, b = RandomProjection(50, 4), RandomProjection(50, 4)
    np.testing.assert_array_equal(a.M, b.M)
    assert not np.array_equal(a.M, RandomProjection(50, 4, seed=1).M)
    assert a(np.ones((7, 50))).shape == (7, 4) and a(np.ones((3, 5, 10))).shape == (3, 4)
    # ||Mx||^2/||x||^2 ~ chi2_d/d: mean 1, variance 2/d (fresh M per x via different seeds)
    rng = np.random.default_rng(0)
    d, n = 4, 2000
    ratios = np.array(
        [
            np.sum(RandomProjection(20, d, seed=i)(x) ** 2) / np.sum(x**2)
            for i, x in enumerate(rng.normal(size=(n, 20)))
        ]
    )
    assert abs(ratios.mean() - 1) < 3 * np.sqrt(2 / (d * n))
    assert abs(ratios.var() / (2 / d) - 1) < 0.2


def test_projection_bad_inputs():
    with pytest.raises(ValueError, match="d must"):
        RandomProjection(10, 0)
    with pytest.raises(ValueError, match="in_dim"):
        RandomProjection(0, 4)
    with pytest.raises(ValueError, match="in_dim=10"):
        RandomProjection(10, 4)(np.zeros((2, 9)))


def test_backward_write_against_hand_computed_episode():
    m = EpisodicMemory(2, 3)
    obs = np.eye(3, dtype=np.float32)
    # rewards 0, 0, 5 (clipped to 1), gamma 0.5: R = [0.25, 0.5, 1]
    R = m.write_episode(obs, [0, 1, 0], [0.0, 0.0, 5.0], gamma=0.5)
    np.testing.assert_allclose(R, [0.25, 0.5, 1.0])
    np.testing.assert_allclose(R, _np_returns([0, 0, 5], 0.5, (-1, 1)))
    assert (
        m.values_for(obs[0], 0) == 0.25 and m.values_for(obs[1], 1) == 0.5 and m.values_for(obs[2], 0) == 1.0
    )
    assert m.values_for(obs[0], 1) is None  # actions keep separate tables
    # a worse episode through the same (s, a) leaves H unchanged; a better one raises it
    m.write_episode(obs[:1], [0], [-1.0], gamma=0.5)
    assert m.values_for(obs[0], 0) == 0.25
    m.write_episode(obs[:1], [0], [0.75], gamma=0.5)
    assert m.values_for(obs[0], 0) == 0.75


def test_returns_match_numpy_reference():
    rng = np.random.default_rng(3)
    r = rng.normal(0, 2, 40)
    np.testing.assert_allclose(discounted_returns(r, 0.97), _np_returns(r, 0.97, (-1, 1)))
    np.testing.assert_allclose(
        discounted_returns(r, 0.97, clip=None), _np_returns(r, 0.97, (-np.inf, np.inf))
    )


def test_repeated_state_in_one_episode_keeps_the_max():
    m = EpisodicMemory(1, 2)
    s = np.array([[1, 0], [1, 0], [0, 1]], np.float32)
    m.write_episode(s, [0, 0, 0], [0.0, 0.0, 1.0], gamma=0.9)
    assert m.values_for(s[0], 0) == pytest.approx(0.9)  # max(0.81, 0.9)


def test_lookup_hits_exactly_what_was_written():
    rng = np.random.default_rng(0)
    obs = rng.normal(size=(10, 6)).astype(np.float32)
    acts = rng.integers(0, 3, 10)
    m = EpisodicMemory(3, 6)
    R = m.write_episode(obs, acts, rng.normal(size=10) * 0.1, gamma=0.99)
    vals, hit = m.lookup(obs, acts)
    assert hit.all()
    best = {}
    for o, a, r in zip(obs, acts, R, strict=True):
        best[(o.tobytes(), a)] = max(best.get((o.tobytes(), a), -np.inf), r)
    np.testing.assert_allclose(vals, [best[(o.tobytes(), a)] for o, a in zip(obs, acts, strict=True)])
    vals, hit = m.lookup(rng.normal(size=(4, 6)), [0, 1, 2, 0])
    assert not hit.any() and (vals == 0).all()
    assert m.hit_rate == pytest.approx(10 / 14)


def test_rounded_keys_noise_and_boundary():
    m = EpisodicMemory(1, 1, d=1, round_decimals=5)
    m.proj.M[:] = 1.0  # identity projection: the key is the observation itself
    m.write_episode(np.array([[0.123451]]), [0], [1.0], gamma=0.9)
    assert m.lookup(np.array([[0.123451 + 1e-9]]), [0])[1].all()  # tiny noise: same key
    # a documented limit: values straddling a rounding boundary split even when 1e-9 apart
    m.write_episode(np.array([[0.000005 - 1e-9]]), [0], [1.0], gamma=0.9)
    assert not m.lookup(np.array([[0.000005 + 1e-9]]), [0])[1].any()


def test_knn_matches_brute_force_and_radius():
    rng = np.random.default_rng(1)
    obs = rng.normal(size=(30, 5))
    acts = np.zeros(30, int)
    m = EpisodicMemory(1, 5, d=3, lookup="knn", k=4)
    m.write_episode(obs, acts, rng.normal(size=30) * 0.1, gamma=0.9)
    keys = np.array([e[1] for e in m.tables[0].values()])
    vals = np.array([e[0] for e in m.tables[0].values()])
    q = rng.normal(size=(5, 5))
    got, hit = m.lookup(q, np.zeros(5, int))
    qk = m.keys(q)
    dist = np.linalg.norm(qk[:, None] - keys[None], axis=2)
    ref = np.array([vals[np.argsort(row)[:4]].mean() for row in dist])
    np.testing.assert_allclose(got, ref)
    assert hit.all()
    r = float(np.median(dist.min(axis=1)))
    m.radius = r
    _, hit = m.lookup(q, np.zeros(5, int))
    np.testing.assert_array_equal(hit, dist.min(axis=1) <= r)


def test_lru_eviction_order():
    m = EpisodicMemory(1, 4, capacity=2)
    eye = np.eye(4, dtype=np.float32)
    m.write_episode(eye[:1], [0], [0.1], 0.9)
    m.write_episode(eye[1:2], [0], [0.2], 0.9)
    m.lookup(eye[:1], [0])  # state 0 is now the most recently used
    m.write_episode(eye[2:3], [0], [0.3], 0.9)  # evicts state 1
    assert m.values_for(eye[1], 0) is None and m.values_for(eye[0], 0) == pytest.approx(0.1)
    assert m.size == 2 and m.evictions == 1


def test_memory_bad_inputs():
    with pytest.raises(ValueError, match="capacity"):
        EpisodicMemory(2, 4, capacity=-1)
    with pytest.raises(ValueError, match="d must"):
        EpisodicMemory(2, 4, d=0)
    with pytest.raises(ValueError, match="lookup"):
        EpisodicMemory(2, 4, lookup="hash")
    with pytest.raises(ValueError, match="k must"):
        EpisodicMemory(2, 4, lookup="knn", k=0)
    m = EpisodicMemory(2, 4)
    with pytest.raises(ValueError, match="in_dim=4"):
        m.lookup(np.zeros((3, 5)), [0, 0, 0])
    with pytest.raises(ValueError, match="actions"):
        m.lookup(np.zeros((2, 4)), [0, 2])
    with pytest.raises(ValueError, match="rewards"):
        m.write_episode(np.zeros((3, 4)), [0, 0, 0], [0.0, 1.0], 0.9)
    with pytest.raises(ValueError, match="actions"):
        m.write_episode(np.zeros((3, 4)), [0, 0], [0.0, 1.0, 0.0], 0.9)
