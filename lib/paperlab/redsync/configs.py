"""Every size, step count and seed list of the RedSync notebooks, per budget."""

from __future__ import annotations

from dataclasses import dataclass

from paperlab.core.budget import select


@dataclass(frozen=True)
class RedSyncConfig:
    world_size: int  # processes per launch (2 at smoke)
    launch_timeout_s: float  # watchdog of one launch
    pg_timeout_s: float  # gloo process-group timeout
    sizes: tuple[int, ...]  # digits MLP layer sizes
    epochs: int  # digits epochs per run (03)
    check_epochs: int  # epochs of the hook checks (02)
    explore_epochs: int  # epochs of the ablations (04)
    batch: int  # per-rank batch
    lr: float
    seeds: tuple[int, ...]  # seeds of the main comparison (dense vs RGC 0.1% + MC)
    densities: tuple[float, ...]  # the accuracy-against-density sweep (1 seed)
    min_numel: int  # layers below this go dense (0: compress every layer, as in the feasibility run)
    warmup_epochs: int
    sel_n: int  # selection benchmark size
    sel_reps: int
    coll_n: int  # collective benchmark size (floats)
    coll_reps: int
    coll_worlds: tuple[int, ...]  # world sizes of the collective benchmark
    ab_sizes: tuple[int, ...]  # alpha-beta sweep sizes (bytes)
    ab_reps: int
    reuse_intervals: tuple[int, ...]  # E10
    toy_steps: int  # 01: toy quadratic steps
    toy_n: int  # 01: toy quadratic dimension
    toy_density: float = 0.01  # 01: toy density (and learning rate: the delay is about 1/D steps)
    mnist_sizes: tuple[int, ...] = (784, 512, 512, 10)  # E2: MNIST-5k MLP layer sizes
    mnist_epochs: int = 10  # E2 epochs per run
    mnist_batch: int = 32  # E2 per-rank batch (62 steps per epoch over 4,000 images on 2 ranks)
    mnist_seeds: tuple[int, ...] = (0, 1, 2)  # E2 seeds of dense and of RGC 0.1% + MC
    mnist_max_steps: int | None = None  # E2 cap on steps per run (a tiny run at smoke)
    ab_heldout: tuple[int, ...] = ()  # alpha-beta sizes held out of the fit (bytes; the E7 gate)
    lm_chars: int | None = None  # E3: characters of the Shakespeare corpus loaded (None: all, ~5.1M)
    lm_size: tuple[int, int, int] = (32, 128, 1)  # E3: embedding, hidden, LSTM layers
    lm_steps: int = 500  # E3: steps per run
    lm_seq: int = 32  # E3: characters per window
    lm_batch: int = 16  # E3: windows per rank and step
    lm_lr: float = 1.0
    lm_clip: float = 1.0  # gradient-norm clip (dense: aggregated; RGC: local, c / sqrt(p), in the hook)
    lm_min_numel: int = 0  # E3: 0 compresses every tensor (as the digits runs do)
    lm_seeds: tuple[int, ...] = (0, 1, 2)
    lm_eval_every: int = 50
    lm_eval_windows: int = 64


def for_budget(budget: str) -> RedSyncConfig:
    """The configuration of ``budget`` (smoke, lab or paper)."""
    return select(
        {
            "smoke": RedSyncConfig(
                world_size=2,
                launch_timeout_s=90,
                pg_timeout_s=60,
                sizes=(64, 128, 128, 10),
                epochs=1,
                check_epochs=1,
                explore_epochs=1,
                batch=16,
                lr=0.05,
                seeds=(0,),
                densities=(0.01, 0.001),
                min_numel=0,
                warmup_epochs=1,
                sel_n=10**5,
                sel_reps=3,
                coll_n=10**5,
                coll_reps=3,
                coll_worlds=(2,),
                ab_sizes=(4096, 16384, 65536, 1 << 20),
                ab_reps=3,
                reuse_intervals=(1, 5),
                toy_steps=300,
                toy_n=2000,
                mnist_sizes=(784, 32, 10),
                mnist_epochs=1,
                mnist_batch=32,
                mnist_seeds=(0,),
                mnist_max_steps=20,
                ab_heldout=(16384,),
                lm_chars=200_000,
                lm_size=(16, 32, 1),
                lm_steps=20,
                lm_seq=16,
                lm_batch=8,
                lm_seeds=(0,),
                lm_eval_every=10,
                lm_eval_windows=16,
            ),
            "lab": RedSyncConfig(
                world_size=2,
                launch_timeout_s=600,
                pg_timeout_s=120,
                sizes=(64, 512, 512, 10),
                epochs=10,
                check_epochs=2,
                explore_epochs=8,
                batch=16,
                lr=0.05,
                seeds=(0, 1, 2),
                densities=(0.1, 0.01, 0.001),
                min_numel=0,
                warmup_epochs=4,
                sel_n=10**7,
                sel_reps=7,
                coll_n=10**7,
                coll_reps=15,
                coll_worlds=(2,),
                ab_sizes=(4096, 8192, 16384, 32768, 65536, 131072, 262144, 524288, 1 << 20, 1 << 21, 1 << 22),
                ab_reps=15,
                ab_heldout=(8192, 32768, 131072, 524288, 1 << 21),
                reuse_intervals=(1, 5, 20),
                toy_steps=1000,
                toy_n=2000,
                mnist_sizes=(784, 512, 512, 10),
                mnist_epochs=10,
                mnist_batch=32,
                mnist_seeds=(0, 1, 2),
            ),
            "paper": RedSyncConfig(
                world_size=4,
                launch_timeout_s=3600,
                pg_timeout_s=300,
                sizes=(64, 512, 512, 10),
                epochs=40,
                check_epochs=5,
                explore_epochs=20,
                batch=16,
                lr=0.05,
                seeds=tuple(range(8)),
                densities=(0.1, 0.01, 0.001),
                min_numel=0,
                warmup_epochs=4,
                sel_n=10**8,
                sel_reps=9,
                coll_n=10**7,
                coll_reps=30,
                coll_worlds=(2, 4),
                ab_sizes=(4096, 8192, 16384, 32768, 65536, 131072, 262144, 524288, 1 << 20, 1 << 21, 1 << 22),
                ab_reps=30,
                reuse_intervals=(1, 2, 5, 10, 20),
                toy_steps=3000,
                toy_n=10000,
                mnist_sizes=(784, 512, 512, 10),
                mnist_epochs=20,
                mnist_batch=32,
                mnist_seeds=tuple(range(8)),
                ab_heldout=(8192, 32768, 131072, 524288, 1 << 21),
                lm_size=(1500, 1500, 2),  # the 2-layer, 1500-unit LSTM of the paper's PTB model [unverified]
                lm_steps=20_000,
                lm_seq=35,
                lm_batch=20,
                lm_lr=1.0,
                lm_clip=0.25,
                lm_seeds=tuple(range(8)),
                lm_eval_every=1000,
                lm_eval_windows=512,
            ),
        },
        budget,
    )
