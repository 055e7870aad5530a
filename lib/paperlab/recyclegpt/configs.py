"""Every size, step count and repeat count the notebooks use, per budget (smoke | lab | paper).

Step counts were calibrated once on the 2-core CI-class machine (1 thread, shared) and frozen: the lab
model (d=128, L=6) trains at about 0.3-0.6 s per step of 16 x 64 characters (idle to loaded), so 500
steps take 2.5-5 minutes. Training never stops on a timer.

Calibration of the quality gate (2026-12-07, Shakespeare, 1 thread): a d=128, L=4 model at 32 x 64
characters per step reached a validation CE of 2.17 nats/char after 166 steps and 2.02 after 332 steps
(0.68M characters), so the gate's 1.8 nats/char needs several million training characters: more than
one lab notebook can afford on one core. The lab model is trained anyway and the gate reports it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from paperlab.core.budget import select
from paperlab.recyclegpt.config import TinyGPTConfig
from paperlab.recyclegpt.corpus import VOCAB
from paperlab.recyclegpt.train import TrainSpec


@dataclass(frozen=True)
class RecycleConfig:
    """Per-budget settings.

    Attributes:
        corpus_chars: characters kept from the corpus (None: all).
        main: the jointly trained model used by notebooks 02-04 (R1, R2).
        pair: the smaller model for R3, trained with and without L_rec (same seed and steps).
        module_steps: steps of module-only training on a frozen base (R4, R5, adaptation).
        rec_layers_sweep: module depths L_r for R5.
        eval_batches, eval_batch: validation windows = eval_batches x eval_batch, length main.ctx.
        n_new, n_rep: tokens per timed generation (R1) and interleaved timing rounds (>= 7 at lab/paper).
        probe_calls: per-call timings per round (their median) for the cost model in the R1 rounds.
        ce_target: the quality gate's bound on the lab model's validation CE (nats/char; the brief's
            1.5-1.8 target, its loose end).
        ngram_orders: n-gram orders tried for the count baseline (order and pseudo-count chosen on a
            held-out tail of the training split).
        lengths: generation lengths for the tokens/s curve (F6).
        probe_sizes: (d, L, L_r) of the random-weight models timed in notebook 01.
        q_values, batch_sizes: new tokens per call and batch sizes of the timing sweeps (R6).
        batch_new: tokens per timed generation in the batch-size sweep.
        probe_reps: repeats per timed call.
        sample_chars: characters of generated text shown side by side.
    """

    corpus_chars: int | None
    main: TrainSpec
    pair: TrainSpec
    module_steps: int
    rec_layers_sweep: tuple[int, ...]
    eval_batches: int
    eval_batch: int
    n_new: int
    n_rep: int
    lengths: tuple[int, ...]
    probe_sizes: tuple[tuple[int, int, int], ...]
    q_values: tuple[int, ...]
    batch_sizes: tuple[int, ...]
    batch_new: int
    probe_reps: int
    sample_chars: int
    probe_calls: int = 5
    ce_target: float = 1.8
    ngram_orders: tuple[int, ...] = (1, 2, 3, 4, 5, 6)


V = len(VOCAB)


def for_budget(budget: str) -> RecycleConfig:
    """The settings for ``budget`` (see :func:`paperlab.core.budget.select`)."""
    smoke = RecycleConfig(
        corpus_chars=200_000,
        main=TrainSpec(
            TinyGPTConfig(V, d_model=64, n_layers=2, n_heads=4), steps=40, batch=8, ctx=64, warmup=5
        ),
        pair=TrainSpec(
            TinyGPTConfig(V, d_model=32, n_layers=2, n_heads=4), steps=10, batch=8, ctx=32, warmup=3
        ),
        module_steps=6,
        rec_layers_sweep=(1, 2),
        eval_batches=1,
        eval_batch=8,
        n_new=32,
        n_rep=2,
        lengths=(16, 32),
        probe_sizes=((64, 2, 1), (128, 4, 1)),
        q_values=(1, 2),
        batch_sizes=(1, 4),
        batch_new=16,
        probe_reps=3,
        sample_chars=48,
        probe_calls=1,
        ngram_orders=(1, 2, 3),
    )
    lab = RecycleConfig(
        corpus_chars=None,
        main=TrainSpec(
            TinyGPTConfig(V, d_model=128, n_layers=6, n_heads=4), steps=500, batch=16, ctx=64, warmup=30
        ),
        pair=TrainSpec(
            TinyGPTConfig(V, d_model=64, n_layers=4, n_heads=4), steps=250, batch=16, ctx=64, warmup=20
        ),
        module_steps=150,
        rec_layers_sweep=(1, 2, 3),
        eval_batches=16,
        eval_batch=16,
        n_new=256,
        n_rep=9,
        lengths=(64, 128, 256, 512),
        probe_sizes=((64, 2, 1), (128, 6, 1), (256, 4, 1)),
        q_values=(1, 2, 4, 8, 16),
        batch_sizes=(1, 4, 16, 64, 256),
        batch_new=32,
        probe_reps=60,
        sample_chars=160,
    )
    paper = RecycleConfig(
        corpus_chars=None,
        main=TrainSpec(
            TinyGPTConfig(V, d_model=512, n_layers=12, n_heads=8, rec_layers=3),
            steps=20_000,
            batch=32,
            ctx=256,
            lr=1e-3,
            warmup=500,
        ),
        pair=TrainSpec(
            TinyGPTConfig(V, d_model=256, n_layers=6, n_heads=8), steps=5_000, batch=32, ctx=256, warmup=200
        ),
        module_steps=5_000,
        rec_layers_sweep=(1, 2, 3, 6),
        eval_batches=32,
        eval_batch=32,
        n_new=512,
        n_rep=11,
        lengths=(64, 128, 256, 512),
        probe_sizes=((128, 6, 1), (512, 12, 3), (1024, 24, 6)),
        q_values=(1, 2, 4, 8, 16),
        batch_sizes=(1, 4, 16, 64, 256, 1024),
        batch_new=64,
        probe_reps=30,
        sample_chars=300,
    )
    return select({"smoke": smoke, "lab": lab, "paper": paper}, budget)


def module_spec(base: TrainSpec, steps: int, rec_layers: int = 1, use_embedding: bool = True) -> TrainSpec:
    """A module-only run on the frozen base of ``base`` (adaptation; R4 and R5)."""
    return replace(
        base,
        model=replace(base.model, rec_layers=rec_layers),
        steps=steps,
        warmup=min(base.warmup, steps),
        use_embedding=use_embedding,
        lambda_rec=1.0,
        parent=base,
    )


def base_only(spec: TrainSpec) -> TrainSpec:
    """The same run without the recycle loss (R3's control)."""
    return replace(spec, lambda_rec=0.0)
