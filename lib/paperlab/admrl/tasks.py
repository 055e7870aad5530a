"""Task parameter box and the task families (differentiable torch simulators).

Every family shares its dynamics across tasks; only the reward depends on the task parameter psi,
and it does so differentiably (the AdMRL setting, section 2.1 of the brief).
Shapes: states ``[..., d]``, actions ``[..., m]``, psi ``[..., k]`` broadcast against them.
"""

from __future__ import annotations

import math

import torch

U0 = 0.3  # the official code's initial raw task parameter in every coordinate


class TaskBox:
    """Box ``[lo, hi]^k`` with the official raw parameterisation ``psi = lo + (u + 1) / 2 * (hi - lo)``, ``u in [-1, 1]^k``.

    ``periodic=True`` wraps u instead of clipping it (a target angle: -pi and pi are the same task).
    """

    def __init__(self, lo, hi, periodic: bool = False) -> None:
        self.lo = torch.as_tensor(lo, dtype=torch.float64).reshape(-1)
        self.hi = torch.as_tensor(hi, dtype=torch.float64).reshape(-1)
        if self.lo.shape != self.hi.shape or bool((self.hi <= self.lo).any()):
            raise ValueError(
                f"lo and hi must have the same shape and hi > lo, got lo={self.lo}, hi={self.hi}"
            )
        self.periodic = periodic

    @property
    def dim(self) -> int:
        return int(self.lo.numel())

    @property
    def scale(self) -> torch.Tensor:
        """``(hi - lo) / 2``: d psi / d u per coordinate."""
        return (self.hi - self.lo) / 2

    def __repr__(self) -> str:
        return f"TaskBox(lo={self.lo.tolist()}, hi={self.hi.tolist()})"

    def to_psi(self, u: torch.Tensor) -> torch.Tensor:
        return self.lo + (torch.as_tensor(u, dtype=torch.float64) + 1) / 2 * (self.hi - self.lo)

    def to_u(self, psi: torch.Tensor) -> torch.Tensor:
        return 2 * (torch.as_tensor(psi, dtype=torch.float64) - self.lo) / (self.hi - self.lo) - 1

    def project(self, u: torch.Tensor) -> torch.Tensor:
        """Clip u into ``[-1, 1]`` (or wrap it into ``[-1, 1)`` for a periodic box)."""
        if self.periodic:
            return torch.remainder(u + 1, 2) - 1
        return u.clamp(-1.0, 1.0)

    def u0(self) -> torch.Tensor:
        return torch.full((self.dim,), U0, dtype=torch.float64)

    def check(self, psi, tol: float = 1e-9) -> torch.Tensor:
        """Return psi as a float64 tensor ``[..., k]``; raise ``ValueError`` naming the box if it is outside or mis-shaped."""
        psi = torch.as_tensor(psi, dtype=torch.float64)
        if psi.ndim == 0 or psi.shape[-1] != self.dim:
            raise ValueError(
                f"psi must have last dimension {self.dim} for {self!r}, got shape {tuple(psi.shape)}"
            )
        if not self.periodic and bool(((psi < self.lo - tol) | (psi > self.hi + tol)).any()):
            raise ValueError(f"psi outside the task box {self!r}: {psi.tolist()}")
        return psi

    def sample_uniform(self, n: int, gen: torch.Generator) -> torch.Tensor:
        """MB-Unif: ``u ~ U[-1, 1]^k``, returned as psi ``[n, k]``."""
        return self.to_psi(2 * torch.rand(n, self.dim, generator=gen, dtype=torch.float64) - 1)

    def sample_gauss(self, n: int, gen: torch.Generator) -> torch.Tensor:
        """MB-Gauss: ``u ~ N(0, 1)^k`` then clipped into the box (about 32% of coordinates land on a face)."""
        return self.to_psi(self.project(torch.randn(n, self.dim, generator=gen, dtype=torch.float64)))

    def grid(self, n: int) -> torch.Tensor:
        """A ``n^k``-point evaluation grid over the box, ``[n**k, k]`` (row-major; periodic boxes omit hi)."""
        axes = []
        for lo, hi in zip(self.lo.tolist(), self.hi.tolist(), strict=True):
            ax = torch.linspace(lo, hi, n + 1 if self.periodic else n, dtype=torch.float64)
            axes.append(ax[:-1] if self.periodic else ax)
        mesh = torch.meshgrid(*axes, indexing="ij")
        return torch.stack([m.reshape(-1) for m in mesh], dim=-1)


class PointMassFamily:
    """2-D damped point mass reaching a goal ``psi in [-2, 2]^2`` (the brief's LQ family; ``wind > 0`` gives the wind family).

    ``p' = p + dt v``, ``v' = (1 - beta dt) v + dt a + dt w(p)``, ``w(p) = c (sin 1.5 p_y, sin 1.5 p_x)``;
    reward ``-(s - g)^T Q (s - g) - a^T R a`` with ``g = (psi, 0, 0)``, evaluated on the pre-step state.
    """

    dt, beta, gamma = 0.2, 0.5, 0.9
    state_dim, act_dim, feat_dim = 4, 2, 4
    action_bound = 3.0
    differentiable = True

    def __init__(self, wind: float = 0.0, half_width: float = 2.0) -> None:
        if wind < 0:
            raise ValueError(f"wind must be >= 0, got {wind}")
        self.wind = float(wind)
        self.box = TaskBox(
            [-half_width] * 2, [half_width] * 2
        )  # half_width < 2: a training box for OOD tests
        self.Q = torch.diag(torch.tensor([1.0, 1.0, 0.1, 0.1], dtype=torch.float64))
        self.R = 0.1 * torch.eye(2, dtype=torch.float64)
        dt, b = self.dt, self.beta
        eye = torch.eye(2, dtype=torch.float64)
        zero = torch.zeros(2, 2, dtype=torch.float64)
        self.A = torch.cat([torch.cat([eye, dt * eye], 1), torch.cat([zero, (1 - b * dt) * eye], 1)], 0)
        self.B = torch.cat([zero, dt * eye], 0)

    @property
    def name(self) -> str:
        return "lq" if self.wind == 0 else f"wind(c={self.wind:g})"

    def features(self, s: torch.Tensor) -> torch.Tensor:
        return s

    def step(self, s: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
        """True dynamics, batched and differentiable: ``[..., 4], [..., 2] -> [..., 4]``."""
        p, v = s[..., :2], s[..., 2:]
        force = a
        if self.wind:  # w(p) = c (sin 1.5 p_y, sin 1.5 p_x)
            force = a + self.wind * torch.sin(1.5 * p.flip(-1))
        return torch.cat([p + self.dt * v, (1 - self.beta * self.dt) * v + self.dt * force], -1)

    def goal(self, psi: torch.Tensor) -> torch.Tensor:
        return torch.cat([psi, torch.zeros_like(psi)], -1)

    def reward(self, s: torch.Tensor, a: torch.Tensor, psi: torch.Tensor) -> torch.Tensor:
        """``r = -(s - g)^T Q (s - g) - a^T R a``, differentiable in psi: ``[...]``."""
        ep, v = s[..., :2] - psi, s[..., 2:]
        return -(ep * ep).sum(-1) - 0.1 * (v * v).sum(-1) - 0.1 * (a * a).sum(-1)

    def reset(self, n: int, gen: torch.Generator) -> torch.Tensor:
        """rho_0 = N(0, 0.1^2 I): ``[n, 4]``."""
        return 0.1 * torch.randn(n, 4, generator=gen, dtype=torch.float64)


def angle_normalize(x: torch.Tensor) -> torch.Tensor:
    return torch.remainder(x + math.pi, 2 * math.pi) - math.pi


class PendulumTargetFamily:
    """gymnasium ``Pendulum-v1`` with a target angle ``psi in [-pi, pi)`` (periodic); state ``(theta, omega)``.

    A torch twin of gymnasium's step (g = 10, m = l = 1, dt = 0.05, torque in [-2, 2], speed in [-8, 8]);
    reward ``-(angle(theta - psi)^2 + 0.1 omega^2 + 0.001 u^2)`` on the pre-step state (psi = 0 is Pendulum-v1).
    """

    g, m, length, dt, max_speed, max_torque = 10.0, 1.0, 1.0, 0.05, 8.0, 2.0
    gamma = 0.95
    state_dim, act_dim, feat_dim = 2, 1, 3
    action_bound = 2.0
    differentiable = True

    def __init__(self) -> None:
        self.box = TaskBox([-math.pi], [math.pi], periodic=True)
        self.name = "pendulum-target"

    def features(self, s: torch.Tensor) -> torch.Tensor:
        """The policy sees gymnasium's observation ``(cos theta, sin theta, omega)``."""
        return torch.stack([torch.cos(s[..., 0]), torch.sin(s[..., 0]), s[..., 1]], -1)

    def step(self, s: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
        th, om = s[..., 0], s[..., 1]
        u = a[..., 0].clamp(-self.max_torque, self.max_torque)
        om2 = (
            om
            + (3 * self.g / (2 * self.length) * torch.sin(th) + 3.0 / (self.m * self.length**2) * u) * self.dt
        )
        om2 = om2.clamp(-self.max_speed, self.max_speed)
        return torch.stack([th + om2 * self.dt, om2], -1)

    def reward(self, s: torch.Tensor, a: torch.Tensor, psi: torch.Tensor) -> torch.Tensor:
        u = a[..., 0].clamp(-self.max_torque, self.max_torque)
        d = angle_normalize(s[..., 0] - psi[..., 0])
        return -(d**2 + 0.1 * s[..., 1] ** 2 + 0.001 * u**2)

    def reset(self, n: int, gen: torch.Generator) -> torch.Tensor:
        """theta ~ U[-pi, pi], omega ~ U[-1, 1]: ``[n, 2]``."""
        hi = torch.tensor([math.pi, 1.0], dtype=torch.float64)
        return (2 * torch.rand(n, 2, generator=gen, dtype=torch.float64) - 1) * hi


def make_family(name: str):
    """``"lq"``, ``"wind"`` (c = 2) or ``"pendulum"``."""
    if name == "lq":
        return PointMassFamily(0.0)
    if name == "wind":
        return PointMassFamily(2.0)
    if name == "pendulum":
        return PendulumTargetFamily()
    raise ValueError(f"family must be 'lq', 'wind' or 'pendulum', got {name!r}")
