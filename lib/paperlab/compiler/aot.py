"""Ahead-of-time graph compilation: a static memory plan and a generated ``main.c`` (no runtime interpreter).

swTVM's point for Sunway: the node has no JIT or RPC runtime, so the whole network becomes C source that
the cross-compiler builds offline. Here a :class:`Graph` is a chain of steps (host padding or a CPE
kernel, element-wise ops already fused into their producer as an epilogue). :func:`plan_memory` gives each
intermediate buffer an offset in **one arena**: buffers whose live intervals ``[produced, last used]``
overlap never overlap in memory (greedy by size, first fit). :func:`emit_main` writes ``main.c``;
:func:`run_plan` executes exactly that plan with numpy and the emulator (the path the notebooks use);
:func:`build_and_run` compiles ``main.c`` with gcc and runs it as a subprocess.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass, field

import numpy as np

from paperlab.compiler import emulate
from paperlab.compiler.build import compile_source
from paperlab.compiler.codegen_c import RUNTIME, emit_x86
from paperlab.compiler.ir import PrimFunc
from paperlab.core import paths

__all__ = ["Step", "Graph", "MemoryPlan", "plan_memory", "emit_main", "run_plan", "build_and_run"]


@dataclass
class Step:
    """``kind="pad"``: host-side zero padding of ``inputs[0]`` (``pad`` on both spatial sides, cropped to
    ``shape``); ``kind="kernel"``: ``func`` applied to ``inputs`` (activation buffers or parameter names)."""

    name: str
    kind: str
    inputs: list[str]
    shape: tuple[int, ...]
    func: PrimFunc | None = None
    pad: int = 0


@dataclass
class Graph:
    """A chain of steps from the input buffer ``"input"`` (``input_shape``) to the last step's output."""

    input_shape: tuple[int, ...]
    steps: list[Step]
    params: dict[str, np.ndarray] = field(default_factory=dict)

    def buffers(self) -> dict[str, int]:
        """Activation buffer name -> number of floats."""
        out = {"input": int(np.prod(self.input_shape))}
        out.update({s.name: int(np.prod(s.shape)) for s in self.steps})
        return out

    def intervals(self) -> dict[str, tuple[int, int]]:
        """Buffer -> (step that produces it, last step that reads it); the input is produced at -1 and
        the output lives to the end."""
        birth = {"input": -1, **{s.name: i for i, s in enumerate(self.steps)}}
        death = dict(birth)
        for i, s in enumerate(self.steps):
            for x in s.inputs:
                if x in death:
                    death[x] = i
        death[self.steps[-1].name] = len(self.steps)
        return {b: (birth[b], death[b]) for b in birth}


@dataclass(frozen=True)
class MemoryPlan:
    """Offsets (in floats) of each buffer in one arena of ``arena`` floats."""

    offsets: dict[str, int]
    sizes: dict[str, int]
    intervals: dict[str, tuple[int, int]]
    arena: int

    def overlaps(self) -> list[tuple[str, str]]:
        """Pairs of buffers live at the same time whose memory overlaps (must be empty)."""
        bad = []
        names = list(self.offsets)
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                (a0, a1), (b0, b1) = self.intervals[a], self.intervals[b]
                live = a0 <= b1 and b0 <= a1
                mem = (
                    self.offsets[a] < self.offsets[b] + self.sizes[b]
                    and self.offsets[b] < self.offsets[a] + self.sizes[a]
                )
                if live and mem:
                    bad.append((a, b))
        return bad


def plan_memory(sizes: dict[str, int], intervals: dict[str, tuple[int, int]]) -> MemoryPlan:
    """Greedy static plan: largest buffer first, lowest offset that clashes with no live-overlapping buffer."""
    if set(sizes) != set(intervals):
        raise ValueError("sizes and intervals must name the same buffers")
    placed: dict[str, int] = {}
    for b in sorted(sizes, key=lambda n: (-sizes[n], n)):
        lo, hi = intervals[b]
        clash = sorted(
            (placed[o], placed[o] + sizes[o])
            for o in placed
            if intervals[o][0] <= hi and lo <= intervals[o][1]
        )
        off = 0
        for s, e in clash:
            if off + sizes[b] <= s:
                break
            off = max(off, e)
        placed[b] = off
    arena = max((placed[b] + sizes[b] for b in placed), default=0)
    return MemoryPlan(placed, dict(sizes), dict(intervals), arena)


def _host_pad(src: np.ndarray, pad: int, shape) -> np.ndarray:
    padded = np.pad(src, ((0, 0), (pad, pad), (pad, pad)))
    return padded[:, : shape[1], : shape[2]]


def run_plan(graph: Graph, plan: MemoryPlan, x: np.ndarray) -> np.ndarray:
    """Execute ``graph`` through ``plan`` with one numpy arena and the CPE emulator for the kernels."""
    if x.shape != tuple(graph.input_shape):
        raise ValueError(f"x must have shape {graph.input_shape}, got {x.shape}")
    arena = np.full(plan.arena, np.nan, np.float32)

    def view(name, shape):
        o = plan.offsets[name]
        return arena[o : o + int(np.prod(shape))].reshape(shape)

    shapes = {"input": tuple(graph.input_shape), **{s.name: s.shape for s in graph.steps}}
    view("input", x.shape)[...] = x
    for s in graph.steps:
        if s.kind == "pad":
            src = view(s.inputs[0], shapes[s.inputs[0]])
            view(s.name, s.shape)[...] = _host_pad(src, s.pad, s.shape)
        else:
            args = [
                graph.params[n]
                if n in graph.params
                else np.ascontiguousarray(view(n, shapes[n])).reshape(t.shape)
                for n, t in zip(s.inputs, s.func.params[:-1], strict=True)
            ]
            out, _ = emulate.run(s.func, *args)
            view(s.name, s.shape)[...] = out.reshape(s.shape)
    return view(graph.steps[-1].name, graph.steps[-1].shape).copy()


def emit_main(graph: Graph, plan: MemoryPlan) -> str:
    """``main.c``: reads the parameters (``argv[1]``, float32 in ``graph.params`` order) and the input
    (``argv[2]``), runs every step on one statically planned arena, writes the output (``argv[3]``)."""
    funcs = [s.func for s in graph.steps if s.kind == "kernel"]
    L = [
        RUNTIME.replace("{ldm}", str(funcs[0].info.spec.ldm_usable)),
        "#include <stdio.h>",
        "#include <stdlib.h>",
    ]
    L += [emit_x86(f, runtime=False) for f in funcs]
    L.append(f"/* static memory plan: one arena of {plan.arena} floats ({4 * plan.arena} B) */")
    L.append("int main(int argc, char **argv) {")
    L.append(
        '  if (argc != 4) { fprintf(stderr, "usage: main params.bin input.bin output.bin\\n"); return 2; }'
    )
    total = sum(int(v.size) for v in graph.params.values())
    L.append(f"  static float params[{max(total, 1)}]; static float arena[{plan.arena}];")
    L.append('  FILE *f = fopen(argv[1], "rb"); if (!f) return 3;')
    L.append(f"  if (fread(params, 4, {total}, f) != {total}) return 4; fclose(f);")
    n_in = int(np.prod(graph.input_shape))
    L.append(
        f'  f = fopen(argv[2], "rb"); if (!f) return 3; if (fread(arena + {plan.offsets["input"]}, 4, {n_in}, f) '
        f"!= {n_in}) return 4; fclose(f);"
    )
    off = 0
    poff = {}
    for k, v in graph.params.items():
        poff[k] = off
        off += int(v.size)
    shapes = {"input": tuple(graph.input_shape), **{s.name: s.shape for s in graph.steps}}
    for s in graph.steps:
        o = plan.offsets[s.name]
        if s.kind == "pad":
            C, Hs, Ws = shapes[s.inputs[0]]
            _, H, W = s.shape
            i = plan.offsets[s.inputs[0]]
            L.append(f"  /* {s.name}: host-side zero padding by {s.pad} */")
            L.append(
                f"  for (long c = 0; c < {C}; ++c) for (long y = 0; y < {H}; ++y) for (long x = 0; x < {W}; ++x) {{"
            )
            L.append(f"    long sy = y - {s.pad}, sx = x - {s.pad};")
            L.append(
                f"    arena[{o} + (c * {H} + y) * {W} + x] = (sy >= 0 && sy < {Hs} && sx >= 0 && sx < {Ws}) ? "
                f"arena[{i} + (c * {Hs} + sy) * {Ws} + sx] : 0.0f;"
            )
            L.append("  }")
        else:
            args = [f"params + {poff[n]}" if n in poff else f"arena + {plan.offsets[n]}" for n in s.inputs]
            L.append(
                f"  run_{s.func.name}({', '.join([*args, f'arena + {o}'])});  /* {s.name} on the 64 CPEs */"
            )
    last = graph.steps[-1]
    n_out = int(np.prod(last.shape))
    L.append(
        f'  f = fopen(argv[3], "wb"); if (!f) return 3; fwrite(arena + {plan.offsets[last.name]}, 4, {n_out}, f); '
        "fclose(f);"
    )
    L.append("  return 0;\n}")
    return "\n".join(L) + "\n"


def build_and_run(
    graph: Graph, plan: MemoryPlan, x: np.ndarray, cc: str = "gcc", opt: str = "-O2"
) -> np.ndarray:
    """Compile :func:`emit_main` with gcc and run it as a subprocess on ``x``."""
    exe = compile_source(emit_main(graph, plan), cc, opt, shared=False)
    work = paths.build_dir() / "compiler"
    with tempfile.TemporaryDirectory(dir=work) as d:
        p, i, o = (f"{d}/{n}" for n in ("params.bin", "input.bin", "output.bin"))
        np.concatenate([v.ravel() for v in graph.params.values()]).astype(np.float32).tofile(p)
        np.ascontiguousarray(x, np.float32).tofile(i)
        subprocess.run([str(exe), p, i, o], check=True, capture_output=True)
        return np.fromfile(o, np.float32).reshape(graph.steps[-1].shape)
