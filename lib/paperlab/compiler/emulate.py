"""Run a lowered kernel on the functional emulator of one core group (``paperlab.sunway.emu``).

This is the execution path the notebooks use (no C compiler needed): every CPE of a
:class:`~paperlab.sunway.emu.CoreGroup` walks the same IR the C generators print, allocating its LDM
buffers with ``cpe.ldm.alloc`` and moving tiles with ``cpe.dma_get`` / ``cpe.dma_put`` (one call per
DMA descriptor), so the emulator's counters measure what the compiler predicted. The innermost
:class:`~paperlab.compiler.ir.Block` runs vectorised with numpy (same arithmetic, different summation
order, hence float32 round-off only).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from paperlab.compiler.ir import Block, DmaGet, DmaPut, DmaWait, Fill, For, PrimFunc, evaluate
from paperlab.compiler.te import Bin, walk
from paperlab.sunway.emu import CoreGroup, CostReport

__all__ = ["run", "check_args", "flops_per_point"]


def flops_per_point(info) -> int:
    """Arithmetic operations per innermost iteration: the body's operators (+1 for the reduction)."""
    return sum(isinstance(n, Bin) for n in walk(info.body)) + (info.combiner is not None)


def check_args(func: PrimFunc, arrays) -> None:
    """Raise ``TypeError``/``ValueError`` unless ``arrays`` are C-contiguous float32 of the input shapes."""
    params = func.params[:-1]
    if len(arrays) != len(params):
        raise ValueError(
            f"{func.name} takes {len(params)} arrays ({', '.join(t.name for t in params)}), got {len(arrays)}"
        )
    for t, a in zip(params, arrays, strict=True):
        if not isinstance(a, np.ndarray) or a.dtype != np.float32:
            raise TypeError(
                f"argument {t.name} must be a float32 numpy array, got "
                f"{getattr(a, 'dtype', type(a).__name__)}"
            )
        if not a.flags.c_contiguous:
            raise ValueError(f"argument {t.name} must be C-contiguous (use np.ascontiguousarray)")
        if a.shape != t.shape:
            raise ValueError(f"argument {t.name} must have shape {t.shape}, got {a.shape}")


def _descriptors(c, bases):
    """Yield (global slices, local slices) per DMA descriptor of cache ``c`` at tile start ``bases``."""
    for idx in itertools.product(*(range(c.shape[d]) for d in c.loop_dims)):
        fixed = dict(zip(c.loop_dims, idx, strict=True))
        g = tuple(
            slice(b + fixed[d], b + fixed[d] + 1) if d in fixed else slice(b, b + e)
            for d, (b, e) in enumerate(zip(bases, c.shape, strict=True))
        )
        loc = tuple(
            slice(fixed[d], fixed[d] + 1) if d in fixed else slice(0, e) for d, e in enumerate(c.shape)
        )
        yield g, loc


def run(func: PrimFunc, *arrays: np.ndarray, cg: CoreGroup | None = None) -> tuple[np.ndarray, CostReport]:
    """Execute ``func`` on the 64 emulated CPEs; returns the output array and the emulator's counters."""
    check_args(func, arrays)
    info = func.info
    cg = cg or CoreGroup(info.spec)
    out = np.zeros(func.params[-1].shape, np.float32)
    glob = dict(zip(func.params, [*arrays, out], strict=True))
    chunks = info.chunks()
    ops = flops_per_point(info)
    vec = 1.0 if info.kinds[-1] == "vectorize" else 0.0
    n_cpe = info.spec.n_cpe

    def kernel(cpe):
        bufs = {}
        for c in info.caches:  # every CPE allocates its LDM buffers at kernel entry (static LDM arrays)
            bufs[c] = [
                cpe.ldm.alloc(c.shape, np.float32, f"{c.name}{s}") for s in range(1 + c.double_buffered)
            ]
        if chunks[cpe.id] == 0:
            return
        cur = {c: bufs[c][0] for c in info.caches}
        chunk0 = -(-info.leaves[info.par_pos].extent // n_cpe) if info.par_pos is not None else 0
        lo = cpe.id * chunk0
        bounds = {
            v: ((lo, lo + chunks[cpe.id]) if k == "cpe_parallel" else (0, v.extent))
            for v, k in zip(info.leaves, info.kinds, strict=True)
        }

        def bases(c, env):
            return [int(evaluate(b, env)) for b in c.bases]

        def get(c, env, buf):
            src = glob[c.tensor]
            for g, loc in _descriptors(c, bases(c, env)):
                cpe.dma_get(buf[loc], src[g])

        def execute(stmts, env):
            for s in stmts:
                if isinstance(s, For):
                    a, b = bounds[s.var]
                    for v in range(a, b):
                        env[s.var] = v
                        execute(s.body, env)
                    env.pop(s.var)
                elif isinstance(s, DmaGet):
                    c = s.cache
                    if s.mode == "sync":
                        get(c, env, cur[c])
                    elif s.mode == "prologue":
                        get(c, {**env, s.loop: bounds[s.loop][0]}, bufs[c][0])
                    else:
                        a, b = bounds[s.loop]
                        if env[s.loop] + 1 < b:
                            get(c, {**env, s.loop: env[s.loop] + 1}, bufs[c][(env[s.loop] - a + 1) % 2])
                elif isinstance(s, DmaWait):
                    lp = info.leaves[s.cache.pos]
                    cur[s.cache] = bufs[s.cache][(env[lp] - bounds[lp][0]) % 2]
                elif isinstance(s, Fill):
                    cur[s.cache][...] = s.value
                elif isinstance(s, DmaPut):
                    c = s.cache
                    if info.epilogue == "relu":
                        np.maximum(cur[c], 0, out=cur[c])
                    dst = glob[c.tensor]
                    for g, loc in _descriptors(c, bases(c, env)):
                        cpe.dma_put(dst[g], cur[c][loc])
                elif isinstance(s, Block):
                    block(s, env)

        def block(s, env):
            n = len(s.loops)
            benv = dict(env)
            shape = tuple(lp.extent for lp in s.loops)
            for k, lp in enumerate(s.loops):
                benv[lp] = np.arange(lp.extent).reshape([lp.extent if j == k else 1 for j in range(n)])
            base = {c: bases(c, env) for c in info.caches}

            def load(node, idx):
                c = info.cache_of(node.tensor)
                return cur[c][tuple(i - b for i, b in zip(idx, base[c], strict=True))]

            vals = np.broadcast_to(np.asarray(evaluate(info.leaf_body, benv, load), np.float32), shape)
            o = info.out
            oidx = tuple(
                np.broadcast_to(np.asarray(evaluate(ix, benv)) - b, shape)
                for ix, b in zip(o.index, base[o], strict=True)
            )
            if info.combiner == "sum":
                np.add.at(cur[o], oidx, vals)
            elif info.combiner == "max":
                np.maximum.at(cur[o], oidx, vals)
            else:
                cur[o][oidx] = vals
            cpe.compute(float(ops * math.prod(shape)), vec)

        execute(func.body, {})

    report = cg.spawn(kernel)
    return out, report
