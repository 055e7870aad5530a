import numpy as np
import pytest

from paperlab.rl.replay import EpisodeRecorder, ReplayBuffer


def _buf(cap=5, **kw):
    return ReplayBuffer(cap, (2,), rng=np.random.default_rng(0), **kw)


def test_ring_wraparound_keeps_newest():
    b = _buf(3)
    for i in range(5):
        b.add([i, i], i % 2, float(i), [i + 1, i + 1], False, False)
    assert len(b) == 3 and b.pos == 2
    assert sorted(b.reward.tolist()) == [2.0, 3.0, 4.0]


def test_sampling_is_reproducible_and_aligned():
    b1, b2 = _buf(50, extras={"reward_channels": (2,)}), _buf(50, extras={"reward_channels": (2,)})
    for b in (b1, b2):
        for i in range(40):
            b.add([i, -i], i % 3, float(i), [i + 1, -i - 1], i % 7 == 6, False, reward_channels=[i, 2 * i])
    s1, s2 = b1.sample(16), b2.sample(16)
    np.testing.assert_array_equal(s1.indices, s2.indices)
    np.testing.assert_array_equal(s1.obs[:, 0].numpy(), s1.reward.numpy())
    np.testing.assert_array_equal(s1.extras["reward_channels"][:, 1].numpy(), 2 * s1.reward.numpy())
    np.testing.assert_array_equal(s1.next_obs[:, 0].numpy(), s1.reward.numpy() + 1)
    np.testing.assert_array_equal(s1.terminated.numpy(), (s1.reward.numpy() % 7) == 6)


def test_nstep_hand_computed_and_stops_at_episode_end():
    b = ReplayBuffer(20, (1,), rng=np.random.default_rng(0))
    # episode 1: rewards 1, 2, 3 then terminated; episode 2: 4, 5 then truncated; then 6, 7 (unfinished)
    flags = [
        (False, False),
        (False, False),
        (True, False),
        (False, False),
        (False, True),
        (False, False),
        (False, False),
    ]
    for i, (te, tr) in enumerate(flags):
        b.add([i], 0, float(i + 1), [i + 1], te, tr)
    g = 0.5
    b.rng = np.random.default_rng(0)
    s = b.sample_nstep(200, 3, g)
    expected = {
        0: (1 + g * 2 + g**2 * 3, 3, 3),
        1: (2 + g * 3, 2, 3),
        2: (3, 1, 3),
        3: (4 + g * 5, 2, 5),
        4: (5, 1, 5),
        5: (6 + g * 7, 2, 7),
        6: (7, 1, 7),
    }
    for i, R, gam, nxt in zip(
        s.indices, s.reward.numpy(), s.gamma_n.numpy(), s.next_obs[:, 0].numpy(), strict=True
    ):
        er, used, enxt = expected[int(i)]
        assert R == pytest.approx(er) and gam == pytest.approx(g**used) and nxt == enxt
    term = dict(zip(s.indices.tolist(), s.terminated.numpy().tolist(), strict=True))
    assert term[0] and term[2] and not term[3]  # truncation does not terminate


def test_continuous_actions():
    b = ReplayBuffer(4, (3,), action_shape=(2,), action_dtype=np.float32, rng=np.random.default_rng(0))
    b.add(np.zeros(3), [0.5, -0.5], 0.0, np.ones(3), False, False)
    assert b.sample(2).action.shape == (2, 2)


def test_bad_inputs():
    with pytest.raises(ValueError, match="capacity"):
        ReplayBuffer(-1, (2,), rng=np.random.default_rng(0))
    with pytest.raises(TypeError, match="rng"):
        ReplayBuffer(3, (2,))
    b = _buf()
    with pytest.raises(ValueError, match="empty"):
        b.sample(2)
    with pytest.raises(ValueError, match="obs"):
        b.add([1, 2, 3], 0, 0.0, [1, 2], False, False)
    with pytest.raises(ValueError, match="extras"):
        b.add([1, 2], 0, 0.0, [1, 2], False, False, foo=1)
    b.add([1, 2], 0, 0.0, [1, 2], False, False)
    with pytest.raises(ValueError, match="batch_size"):
        b.sample(0)


def test_episode_recorder():
    rec = EpisodeRecorder()
    for t in range(3):
        rec.append(np.array([t]), t, 0.5)
    tr = rec.finish(np.array([3]), True, False)
    assert len(tr) == 3 and tr.obs.shape == (3, 1) and tr.terminated
