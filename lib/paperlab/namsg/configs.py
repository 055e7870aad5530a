"""Every size, epoch count, grid and seed list the NAMSG notebooks use, per budget."""

from __future__ import annotations

from dataclasses import dataclass

from paperlab.core.budget import select


@dataclass(frozen=True)
class Config:
    seeds: tuple[int, ...]  # seeds for Adam and NAMSG (N1, N2, N6)
    other_seeds: tuple[int, ...]  # seeds for SGD-momentum, NAdam, AMSGrad, NAMSG-OBSB
    batch_size: int
    logreg_epochs: int
    mlp_epochs: int
    # step-size grids (the only hyper-parameter searched; betas fixed per method)
    logreg_lrs: dict  # method -> tuple of lr
    mlp_lrs: dict
    paired_seeds: tuple[int, ...]  # N5 (boost against no boost) and N6 (test accuracy): paired seed comparisons
    mu_sweep: tuple[float, ...]  # N3
    mu_sweep_lrs: tuple[float, ...]  # N3: the same step-size grid for every mu (MLP, beta1 = 0.999)
    quad_steps: int  # N4 simulation length per tau
    tau_grid: int  # points in the r_g(tau) grids
    traj_steps: int  # 2-D quadratic trajectories (01, 04)
    traj_kappa: float
    time_params: int  # N7 / F4: parameters of the timing model (0 = not run)
    time_reps: int
    heat_mus: tuple[float, ...]  # 04 sensitivity map
    heat_beta1s: tuple[float, ...]
    heat_epochs: int
    heat_lr: float
    explore_seeds: tuple[int, ...]
    explore_epochs: int  # MLP epochs for the fast/fine, boost-trigger and RSG studies of notebook 04
    fast_lrs: tuple[float, ...]  # eps = 1e-8
    fine_lrs: tuple[float, ...]  # eps = 1e-3
    boost_epochs: tuple[int, ...]  # fixed OBSB triggers compared with the rate trigger and no boost
    rsg_lrs: tuple[float, ...]  # adaptive=False (RSG), beta1 = 0.999, mu = 0.1
    gru_chars: int  # char-GRU on pydoc_data (04): text length, steps, step-size grids
    gru_steps: int
    gru_lrs: dict
    opt_traj_steps: int  # steps of the every-optimizer explorer (04)


_LR_GRID_LAB = {  # widened where a first lab run put the optimum on the edge (pitfall 1)
    "SGD-momentum": (0.03, 0.1, 0.3, 1.0, 3.0, 10.0),
    "Adam": (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0),
    "NAdam": (0.003, 0.01, 0.03, 0.1, 0.3, 1.0),
    "AMSGrad": (0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0),
    "NAMSG": (0.01, 0.03, 0.1, 0.3, 1.0, 2.0, 5.0),
    "NAMSG-OBSB": (0.1, 0.3, 1.0, 2.0, 5.0),
}
_MLP_GRID_LAB = {
    "SGD-momentum": (0.01, 0.03, 0.1, 0.3, 1.0),
    "Adam": (0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3),
    "NAdam": (0.001, 0.003, 0.01, 0.03, 0.1),
    "AMSGrad": (0.001, 0.003, 0.01, 0.03, 0.1),
    "NAMSG": (0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 2.0),
    "NAMSG-OBSB": (0.03, 0.1, 0.3, 1.0, 2.0),
}


def for_budget(budget: str) -> Config:
    """The configuration for ``budget`` (smoke, lab or paper)."""
    return select(
        {
            "smoke": Config(
                seeds=(0,),
                other_seeds=(0,),
                batch_size=64,
                logreg_epochs=4,
                mlp_epochs=4,
                logreg_lrs={
                    "SGD-momentum": (0.3,),
                    "Adam": (0.1, 0.3),
                    "NAdam": (0.1,),
                    "AMSGrad": (0.1,),
                    "NAMSG": (0.3, 1.0),
                    "NAMSG-OBSB": (1.0,),
                },
                mlp_lrs={
                    "SGD-momentum": (0.1,),
                    "Adam": (0.01, 0.03),
                    "NAdam": (0.01,),
                    "AMSGrad": (0.01,),
                    "NAMSG": (0.1, 0.3),
                    "NAMSG-OBSB": (0.3,),
                },
                paired_seeds=(0,),
                mu_sweep=(0.0, 0.1),
                mu_sweep_lrs=(0.03, 0.1),
                quad_steps=600,
                tau_grid=400,
                traj_steps=150,
                traj_kappa=100.0,
                time_params=0,
                time_reps=0,
                heat_mus=(0.0, 0.1),
                heat_beta1s=(0.9, 0.999),
                heat_epochs=2,
                heat_lr=0.1,
                explore_seeds=(0,),
                explore_epochs=4,
                fast_lrs=(0.1,),
                fine_lrs=(0.1,),
                boost_epochs=(2,),
                rsg_lrs=(1.0,),
                gru_chars=20_000,
                gru_steps=8,
                gru_lrs={"Adam": (0.01,), "NAMSG": (0.1,)},
                opt_traj_steps=100,
            ),
            "lab": Config(
                seeds=(0, 1, 2),
                other_seeds=(0,),
                batch_size=64,
                logreg_epochs=20,
                mlp_epochs=30,
                logreg_lrs=_LR_GRID_LAB,
                mlp_lrs=_MLP_GRID_LAB,
                paired_seeds=tuple(range(8)),
                mu_sweep=(0.0, 0.05, 0.1, 0.2),
                mu_sweep_lrs=(0.01, 0.03, 0.1, 0.3, 1.0),
                quad_steps=4000,
                tau_grid=4000,
                traj_steps=1500,
                traj_kappa=100.0,
                time_params=5_000_000,
                time_reps=40,
                heat_mus=(0.0, 0.05, 0.1, 0.2, 0.4),
                heat_beta1s=(0.9, 0.99, 0.999),
                heat_epochs=10,
                heat_lr=0.1,
                explore_seeds=(0,),
                explore_epochs=20,
                fast_lrs=(0.03, 0.1, 0.3),
                fine_lrs=(0.03, 0.1, 0.3, 1.0, 3.0),
                boost_epochs=(3, 6, 10),
                rsg_lrs=(0.3, 1.0, 3.0, 10.0, 30.0),
                gru_chars=200_000,
                gru_steps=250,
                gru_lrs={"Adam": (0.003, 0.01, 0.03, 0.1), "NAMSG": (0.03, 0.1, 0.3)},
                opt_traj_steps=400,
            ),
            "paper": Config(
                seeds=tuple(range(10)),
                other_seeds=(0, 1, 2),
                batch_size=64,
                logreg_epochs=20,
                mlp_epochs=30,
                logreg_lrs=_LR_GRID_LAB,
                mlp_lrs=_MLP_GRID_LAB,
                paired_seeds=tuple(range(10)),
                mu_sweep=(0.0, 0.05, 0.1, 0.2),
                mu_sweep_lrs=(0.01, 0.03, 0.1, 0.3, 1.0),
                quad_steps=8000,
                tau_grid=20000,
                traj_steps=3000,
                traj_kappa=1000.0,
                time_params=5_000_000,
                time_reps=100,
                heat_mus=(0.0, 0.025, 0.05, 0.1, 0.2, 0.4),
                heat_beta1s=(0.9, 0.95, 0.99, 0.995, 0.999),
                heat_epochs=30,
                heat_lr=0.1,
                explore_seeds=(0, 1, 2),
                explore_epochs=30,
                fast_lrs=(0.03, 0.1, 0.3),
                fine_lrs=(0.03, 0.1, 0.3, 1.0, 3.0),
                boost_epochs=(3, 6, 10),
                rsg_lrs=(0.3, 1.0, 3.0, 10.0, 30.0),
                gru_chars=200_000,
                gru_steps=1000,
                gru_lrs={"Adam": (0.003, 0.01, 0.03), "NAMSG": (0.03, 0.1, 0.3)},
                opt_traj_steps=1000,
            ),
        },
        budget,
    )
