import gymnasium as gym
import numpy as np
import pytest
import torch

from paperlab.rl import networks
from paperlab.rl.dqn import DQNAgent, DQNConfig, huber, td_target


def test_td_target_masks_terminated_only():
    q_next = torch.tensor([[1.0, 3.0], [2.0, -1.0], [0.5, 0.0]])
    r = torch.tensor([1.0, 0.0, -1.0])
    term = torch.tensor([False, True, False])
    got = td_target(q_next, r, term, 0.9)
    torch.testing.assert_close(got, torch.tensor([1 + 0.9 * 3, 0.0, -1 + 0.9 * 0.5]))


def test_double_dqn_branch():
    q_t = torch.tensor([[1.0, 3.0], [2.0, -1.0]])
    q_o = torch.tensor([[5.0, 0.0], [0.0, 1.0]])  # online picks a=0 then a=1
    got = td_target(q_t, torch.zeros(2), torch.zeros(2, dtype=torch.bool), 0.5, q_next_online=q_o)
    torch.testing.assert_close(got, torch.tensor([0.5, -0.5]))


def test_td_target_bad_shapes():
    with pytest.raises(ValueError, match="q_next_target"):
        td_target(torch.zeros(3), torch.zeros(3), torch.zeros(3), 0.9)
    with pytest.raises(ValueError, match="rewards"):
        td_target(torch.zeros(3, 2), torch.zeros(2), torch.zeros(2), 0.9)


def test_huber_matches_closed_form():
    x = torch.linspace(-3, 3, 13)
    ref = torch.where(x.abs() <= 1, 0.5 * x**2, x.abs() - 0.5)
    torch.testing.assert_close(huber(x), ref)


def test_build_q_network_shapes():
    torch.manual_seed(0)
    box = gym.spaces.Box(0, 1, (64,), np.float32)
    grid = gym.spaces.Box(0, 1, (10, 10, 4), np.float32)
    a = gym.spaces.Discrete(3)
    assert networks.build_q_network(box, a)(torch.zeros(5, 64)).shape == (5, 3)
    assert networks.build_q_network(grid, a)(torch.zeros(5, 10, 10, 4)).shape == (5, 3)
    frames = gym.spaces.Box(0, 1, (84, 84, 4), np.float32)
    assert networks.build_q_network(frames, a)(torch.zeros(2, 84, 84, 4)).shape == (2, 3)
    with pytest.raises(TypeError, match="action_space"):
        networks.build_q_network(box, gym.spaces.Box(-1, 1, (2,)))
    with pytest.raises(ValueError, match="torso"):
        networks.build_q_network(box, a, torso="resnet")


def test_agent_update_reduces_loss_and_sync():
    torch.manual_seed(0)
    from paperlab.rl.replay import ReplayBuffer

    agent = DQNAgent(networks.mlp(4, 2, (16,)), 2, DQNConfig(gamma=0.0, lr=1e-2), seed=0)
    buf = ReplayBuffer(32, (4,), rng=np.random.default_rng(0))
    rng = np.random.default_rng(0)
    for _ in range(32):
        buf.add(rng.normal(size=4), int(rng.integers(2)), 1.0, rng.normal(size=4), False, False)
    batch = buf.sample(32)
    first = agent.update(batch)["loss"]
    for _ in range(50):
        last = agent.update(batch)["loss"]
    assert last < first
    agent.sync_target()
    for p, q in zip(agent.q.parameters(), agent.target.parameters(), strict=True):
        torch.testing.assert_close(p, q)
    assert agent.act(np.zeros(4, np.float32), eps=0.0) in (0, 1)
