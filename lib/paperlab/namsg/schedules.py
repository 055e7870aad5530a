"""The observation boost (OBSB, the ARSGB variant): double mu and shrink the step when progress slows."""

from __future__ import annotations

import math


class ObservationBoost:
    """Call :meth:`on_epoch_end` with the epoch's training loss; it calls ``optimizer.boost()`` when due.

    Two triggers:
      * ``at_epoch=E``: boost once the E-th epoch has ended (the paper's fixed schedule, e.g. epoch 6 on MNIST);
      * otherwise every ``k`` epochs measure the average convergence rate
        ``r = (log L_{e-k} - log L_e) / k`` and boost when it falls to ``drop`` x the reference rate
        (the first measured rate, reset after each boost) or the loss plateaus (``r <= plateau``).

    Args:
        optimizer: anything with ``boost(factor)`` (a :class:`paperlab.namsg.NAMSG`).
        k: window in epochs (>= 1).
        max_boosts: at most this many boosts.
        factor: mu multiplier (2 in the paper).
        lr_ratio: step-size multiplier at the boost; ``None`` (the paper) uses ``theory.obsb_lr_ratio``
            (0.2483 for beta1 = 0.999, mu 0.05 -> 0.1), 1.0 keeps the step size (an ablation).
        drop: rate fraction that counts as "halved".
        plateau: a rate at or below this counts as a plateau.
        at_epoch: fixed boost epoch instead of the rate trigger.
    """

    def __init__(
        self,
        optimizer,
        k: int = 2,
        max_boosts: int = 1,
        factor: float = 2.0,
        drop: float = 0.5,
        plateau: float = 1e-3,
        at_epoch: int | None = None,
        lr_ratio: float | None = None,
    ) -> None:
        if not isinstance(k, int) or k < 1:
            raise ValueError(f"k must be an integer >= 1, got {k!r}")
        if max_boosts < 0:
            raise ValueError(f"max_boosts must be >= 0, got {max_boosts}")
        if not 0 < drop < 1:
            raise ValueError(f"drop must be in (0, 1), got {drop}")
        if at_epoch is not None and at_epoch < 1:
            raise ValueError(f"at_epoch must be >= 1, got {at_epoch}")
        if lr_ratio is not None and not lr_ratio > 0:
            raise ValueError(f"lr_ratio must be positive, got {lr_ratio}")
        self.lr_ratio = lr_ratio
        self.optimizer, self.k, self.max_boosts, self.factor = optimizer, k, max_boosts, factor
        self.drop, self.plateau, self.at_epoch = drop, plateau, at_epoch
        self.losses: list[float] = []
        self.boost_epochs: list[int] = []
        self._ref_rate: float | None = None
        self._since: int = 0  # epoch index where the current reference window starts

    def on_epoch_end(self, loss: float) -> bool:
        """Record ``loss`` (must be positive and finite); return True when a boost happened now."""
        loss = float(loss)
        if not (math.isfinite(loss) and loss > 0):
            raise ValueError(f"loss must be positive and finite, got {loss}")
        self.losses.append(loss)
        epoch = len(self.losses)
        if len(self.boost_epochs) >= self.max_boosts:
            return False
        if self.at_epoch is not None:
            due = epoch == self.at_epoch
        else:
            due = False
            if epoch - self._since >= self.k and (epoch - self._since) % self.k == 0:
                rate = (
                    (math.log(self.losses[epoch - 1 - self.k]) - math.log(loss)) / self.k
                    if epoch > self.k
                    else math.nan
                )
                if not math.isnan(rate):
                    if self._ref_rate is None:
                        self._ref_rate = rate
                    elif rate <= self.drop * self._ref_rate or rate <= self.plateau:
                        due = True
        if due:
            self.optimizer.boost(self.factor, self.lr_ratio)
            self.boost_epochs.append(epoch)
            self._ref_rate, self._since = None, epoch
        return due
