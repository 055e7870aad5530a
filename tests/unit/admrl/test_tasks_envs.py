import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium.utils.env_checker import check_env

from paperlab.admrl import adversary, envs, tasks


def test_task_box_round_trip_and_u0():
    box = tasks.TaskBox([-2.0, -2.0], [2.0, 2.0])
    psi = torch.tensor([[0.3, -1.7], [2.0, -2.0]], dtype=torch.float64)
    torch.testing.assert_close(box.to_psi(box.to_u(psi)), psi)
    torch.testing.assert_close(box.to_psi(box.u0()), torch.tensor([0.6, 0.6], dtype=torch.float64))
    torch.testing.assert_close(box.scale, torch.tensor([2.0, 2.0], dtype=torch.float64))
    assert box.grid(3).shape == (9, 2)


def test_task_box_rejects_bad_psi():
    box = tasks.PointMassFamily().box
    with pytest.raises(ValueError, match="dimension 2"):
        box.check(torch.zeros(3))
    with pytest.raises(ValueError, match="outside the task box"):
        box.check(torch.tensor([2.5, 0.0]))
    with pytest.raises(ValueError, match="hi > lo"):
        tasks.TaskBox([1.0], [0.0])
    with pytest.raises(ValueError, match="family"):
        tasks.make_family("ant")


def test_gaussian_sampler_clips_about_a_third_per_coordinate():
    box = tasks.PointMassFamily().box
    u = box.to_u(box.sample_gauss(100_000, torch.Generator().manual_seed(0)))
    share = (u.abs() >= 1 - 1e-12).double().mean(0)
    assert torch.all((share - 0.317).abs() < 0.01)


def test_periodic_wrap():
    box = tasks.PendulumTargetFamily().box
    u = box.project(torch.tensor([1.0 + 0.1 / np.pi], dtype=torch.float64))
    torch.testing.assert_close(box.to_psi(u), torch.tensor([-np.pi + 0.1], dtype=torch.float64))


def test_pendulum_twin_matches_gymnasium():
    fam = tasks.PendulumTargetFamily()
    env = gym.make("Pendulum-v1").unwrapped
    env.reset(seed=0)
    rng = np.random.default_rng(0)
    zero = torch.zeros(1, dtype=torch.float64)
    for _ in range(200):
        a = rng.uniform(-3, 3, size=1)  # beyond the torque limit: tests the clipping
        s = torch.tensor(env.state, dtype=torch.float64)
        _, r, *_ = env.step(a.astype(np.float32))
        s2 = fam.step(s, torch.tensor(a, dtype=torch.float64))
        assert np.allclose(s2.numpy(), env.state, atol=1e-6)
        assert abs(float(fam.reward(s, torch.tensor(a), zero)) - r) < 1e-5


def test_step_rules():
    u = torch.tensor([0.9, -1.0], dtype=torch.float64)
    g = torch.tensor([1.0, -2.0], dtype=torch.float64)
    out = adversary.projected_step(u, g, 1.0)
    torch.testing.assert_close(out, torch.tensor([1.0, -1.0], dtype=torch.float64))
    assert torch.equal(adversary.projected_step(out, g, 1.0), out)  # stuck at the corner
    new, stuck = adversary.normalised_step(out, g, 0.5)
    assert stuck and torch.equal(new, out)
    new, stuck = adversary.normalised_step(
        torch.tensor([1.0, 0.0], dtype=torch.float64), torch.tensor([3.0, 4.0], dtype=torch.float64), 0.5
    )
    torch.testing.assert_close(new, torch.tensor([1.0, 0.5], dtype=torch.float64))
    with pytest.raises(ValueError, match="eta"):
        adversary.normalised_step(u, g, 0.0)
    with pytest.raises(ValueError, match="alpha"):
        adversary.projected_step(u, g, -1.0)


def test_boundary_fraction_and_stuck_run():
    us = [[0.0, 0.0], [1.0, 0.2], [1.0, 0.21], [1.0, 0.22], [0.5, 0.5]]
    assert adversary.boundary_fraction(us) == 0.6
    assert adversary.longest_stuck_run(us, 0.05) == 2


@pytest.mark.parametrize("env_id", ["paperlab/PointMassGoal-v0", "paperlab/PendulumTarget-v0"])
def test_envs_pass_checker_and_match_family_reward(env_id):
    env = gym.make(env_id)
    check_env(env.unwrapped if env_id.endswith("Goal-v0") else env, skip_render_check=True)
    env.reset(seed=0)
    fam, psi = (
        env.unwrapped.family if hasattr(env.unwrapped, "family") else env.get_wrapper_attr("family"),
        None,
    )
    psi = torch.as_tensor(env.get_wrapper_attr("psi"))
    for _ in range(5):
        s = torch.as_tensor(np.array(env.unwrapped.state, dtype=np.float64))
        a = env.action_space.sample()
        _, r, *_ = env.step(a)
        assert abs(r - float(fam.reward(s, torch.as_tensor(a, dtype=torch.float64), psi))) < 1e-9


def test_mujoco_goal_velocity_is_optional():
    try:
        import mujoco  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="paperlab\\[mujoco\\]"):
            envs.make_goal_velocity(1.0)
        pytest.skip("mujoco extra not installed: the wrapper raises the install hint (checked)")
    env = envs.make_goal_velocity(1.0)
    env.reset(seed=0)
    for _ in range(200):
        _, r, term, trunc, info = env.step(env.action_space.sample())
        assert np.isfinite(r)
