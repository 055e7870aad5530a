"""C code generation from the loop-nest IR: an x86 emulation target and the Sunway host/slave pair.

- :func:`emit_x86` writes ``kernel_<name>(int cpe, ...)`` plus ``run_<name>(...)`` that loops over the 64
  CPE ids, on top of a small runtime (:data:`RUNTIME`): a per-CPE LDM arena with a bump allocator
  (``ldm_malloc`` flags an overflow and tracks the peak) and DMA as ``memcpy`` loops with counters. gcc
  compiles it on any x86 machine (see :mod:`paperlab.compiler.build`).
- :func:`emit_sunway` writes ``host.c`` (MPE: argument struct, ``athread_spawn`` / ``athread_join``) and
  ``slave.c`` (CPE: ``athread_get_id``, ``__thread_local`` LDM arrays, ``athread_get`` / ``athread_put``
  DMA with a reply counter). Text for reading: it needs the vendor compiler ``sw5cc``.
"""

from __future__ import annotations

from paperlab.compiler.ir import (
    Block,
    DmaGet,
    DmaPut,
    DmaWait,
    Fill,
    For,
    PrimFunc,
    simplify,
    substitute,
    to_c,
)
from paperlab.compiler.te import Bin, Const, Var

__all__ = ["RUNTIME", "emit_x86", "emit_sunway", "kernel_body"]

RUNTIME = r"""/* paperlab x86 emulation runtime: 64 CPEs, each with an LDM arena; DMA = memcpy + counters. */
#include <math.h>
#include <string.h>
#define N_CPE 64
#define LDM_USABLE {ldm}L
static char ldm_arena[N_CPE][LDM_USABLE] __attribute__((aligned(64)));
static long ldm_top[N_CPE], st_ldm_peak[N_CPE], st_get_bytes[N_CPE], st_put_bytes[N_CPE], st_desc[N_CPE];
static int ldm_overflow;
static float *ldm_malloc(int cpe, long bytes) {
  if (ldm_top[cpe] + bytes > LDM_USABLE) { ldm_overflow = 1; return 0; }
  float *p = (float *)(ldm_arena[cpe] + ldm_top[cpe]);
  ldm_top[cpe] += bytes;
  if (ldm_top[cpe] > st_ldm_peak[cpe]) st_ldm_peak[cpe] = ldm_top[cpe];
  return p;
}
static void ldm_free_all(int cpe) { ldm_top[cpe] = 0; }
/* one descriptor: count blocks of run floats, src/dst strides in floats */
static void dma_get(int cpe, float *dst, const float *src, long run, long count, long sstride, long dstride) {
  for (long c = 0; c < count; ++c) memcpy(dst + c * dstride, src + c * sstride, (size_t)run * 4);
  st_get_bytes[cpe] += run * count * 4; st_desc[cpe] += 1;
}
static void dma_put(int cpe, float *dst, const float *src, long run, long count, long dstride, long sstride) {
  for (long c = 0; c < count; ++c) memcpy(dst + c * dstride, src + c * sstride, (size_t)run * 4);
  st_put_bytes[cpe] += run * count * 4; st_desc[cpe] += 1;
}
void paperlab_reset(void) {
  memset(st_ldm_peak, 0, sizeof st_ldm_peak); memset(st_get_bytes, 0, sizeof st_get_bytes);
  memset(st_put_bytes, 0, sizeof st_put_bytes); memset(st_desc, 0, sizeof st_desc); ldm_overflow = 0;
}
int paperlab_stats(long *out) { /* 4 x 64 longs: ldm_peak, get_bytes, put_bytes, descriptors */
  memcpy(out, st_ldm_peak, sizeof st_ldm_peak); memcpy(out + 64, st_get_bytes, sizeof st_get_bytes);
  memcpy(out + 128, st_put_bytes, sizeof st_put_bytes); memcpy(out + 192, st_desc, sizeof st_desc);
  return ldm_overflow;
}
"""

_LO = Var("lo", 1)


def _strides(shape) -> list[int]:
    out, s = [], 1
    for e in reversed(shape):
        out.append(s)
        s *= e
    return out[::-1]


def _counters(c) -> tuple[str, str]:
    """The reply counter and the issued count of one LDM buffer (one pair per buffer, so that waiting for
    one buffer's tile never waits for another buffer's prefetch)."""
    return f"reply_{c.name}", f"want_{c.name}"


def in_flight_at_compute(slave_c: str) -> set[str]:
    """LDM buffers whose DMA get is still in flight when the first compute block starts (generated slave C).

    Walks the kernel text in order: ``athread_get(PE_MODE, src, <dst buffer>..., &reply_X, ...)`` issues a
    get into that buffer on counter ``reply_X``; ``while (reply_X != want_X)`` completes every get issued
    on ``reply_X``. A double-buffered prefetch overlaps compute only if it is still in flight there.
    """
    import re

    pending: list[tuple[str, str]] = []  # (buffer, counter)
    for line in slave_c.splitlines():
        m = re.search(r"athread_get\(PE_MODE, [^,]*, [^,]*?(\w+_ldm)\b[^,]*, [^,]*, &(\w+),", line)
        if m:
            pending.append((m.group(1), m.group(2)))
        m = re.search(r"while \((\w+) != \w+\)", line)
        if m:
            pending = [p for p in pending if p[1] != m.group(1)]
        if "compute block" in line:
            return {buf for buf, _ in pending}
    raise ValueError("slave_c has no compute block")


def kernel_body(func: PrimFunc, target: str = "x86") -> list[str]:
    """Lines of the CPE kernel body (``target`` ``"x86"`` or ``"sunway"``); ``cpe`` holds the CPE id."""
    info = func.info
    names = dict(info.names)
    names[_LO] = "lo"
    L: list[str] = []
    n_cpe = info.spec.n_cpe
    for c in info.caches:
        sz = c.size * (2 if c.double_buffered else 1)
        if target == "x86":
            L.append(f"float *{c.name} = ldm_malloc(cpe, {4 * sz});")
            L.append(f"if (!{c.name}) {{ ldm_free_all(cpe); return; }}")
        L.append(f"float *{c.name}_cur = {c.name};")
    if info.par_pos is not None:
        e = info.leaves[info.par_pos].extent
        ch = -(-e // n_cpe)
        L.append(f"const long lo = (long)cpe * {ch}, hi = lo + {ch} < {e} ? lo + {ch} : {e};")
    else:
        L.append("if (cpe != 0) goto done;")
    bounds = {
        v: (("lo", "hi") if k == "cpe_parallel" else ("0", str(v.extent)))
        for v, k in zip(info.leaves, info.kinds, strict=True)
    }
    start_expr = {
        v: (_LO if k == "cpe_parallel" else Const(0)) for v, k in zip(info.leaves, info.kinds, strict=True)
    }

    def dma(c, dst_buf: str, shift: dict | None, ind: str, wait: bool = True) -> None:
        bases = [to_c(simplify(substitute(b, shift or {})), names) for b in c.bases]
        gs, ls = _strides(c.tensor.shape), _strides(c.shape)
        lines = [f"{ind}{{"]
        inner = ind + "  "
        for d in c.loop_dims:
            lines.append(f"{inner}for (long t{d} = 0; t{d} < {c.shape[d]}; ++t{d})")
        src = (
            " + ".join(
                f"({bases[d]}{f' + t{d}' if d in c.loop_dims else ''}) * {gs[d]}" for d in range(len(gs))
            )
            or "0"
        )
        dst = " + ".join(f"t{d} * {ls[d]}" for d in c.loop_dims) or "0"
        sd = c.strided_dim
        gstr, lstr = (gs[sd], ls[sd]) if sd is not None else (c.run, c.run)
        t = c.tensor.name
        if target == "x86":
            call = (
                f"dma_get(cpe, {dst_buf} + {dst}, {t} + {src}, {c.run}, {c.count}, {gstr}, {lstr});"
                if c.kind == "read"
                else f"dma_put(cpe, {t} + {src}, {dst_buf} + {dst}, {c.run}, {c.count}, {gstr}, {lstr});"
            )
        else:  # athread DMA: stride = bytes skipped between blocks, bsize = block bytes
            gap = 4 * (gstr - c.run)
            r, w = _counters(c)
            call = (
                f"athread_get(PE_MODE, {t} + {src}, {dst_buf} + {dst}, {4 * c.run * c.count}, &{r}, 0, "
                f"{gap}, {4 * c.run}); ++{w};"
                if c.kind == "read"
                else f"athread_put(PE_MODE, {dst_buf} + {dst}, {t} + {src}, {4 * c.run * c.count}, &{r}, "
                f"{gap}, {4 * c.run}); ++{w};"
            )
        lines.append(f"{inner}{'  ' if c.loop_dims else ''}{call}")
        if target == "sunway" and wait:
            r, w = _counters(c)
            lines.append(f"{inner}while ({r} != {w}) ;  /* dma_wait */")
        lines.append(f"{ind}}}")
        L.extend(lines)

    def local(c, index) -> str:
        ls = _strides(c.shape)
        terms = [
            f"{to_c(d, names)} * {s}" if s != 1 else to_c(d, names)
            for d, s in zip(info.local_index(c, index), ls, strict=True)
        ]
        return f"{c.name}_blk[{' + '.join(terms)}]"

    def emit(stmts, ind: str) -> None:
        for s in stmts:
            if isinstance(s, For):
                a, b = bounds[s.var]
                n = names[s.var]
                L.append(f"{ind}for (long {n} = {a}; {n} < {b}; ++{n}) {{")
                emit(s.body, ind + "  ")
                L.append(f"{ind}}}")
            elif isinstance(s, DmaGet):
                c = s.cache
                half = f"{c.name} + {c.size}"
                if s.mode == "sync":
                    dma(c, f"{c.name}_cur", None, ind)
                elif s.mode == "prologue":
                    if bounds[s.loop][0] == "lo":  # a CPE with an empty range fetches nothing
                        L.append(f"{ind}if (lo < hi)")
                    dma(c, c.name, {s.loop: start_expr[s.loop]}, ind, wait=False)
                else:
                    a, b = bounds[s.loop]
                    n = names[s.loop]
                    L.append(f"{ind}if ({n} + 1 < {b}) {{  /* prefetch the next tile into the other half */")
                    dma(
                        c,
                        f"(({n} - {a}) & 1 ? {c.name} : {half})",
                        {s.loop: Bin("+", s.loop, Const(1))},
                        ind + "  ",
                        wait=False,
                    )
                    L.append(f"{ind}}}")
            elif isinstance(s, DmaWait):
                c = s.cache
                lp = info.leaves[c.pos]
                if target == "sunway":  # this buffer's own counter: other buffers' prefetches stay in flight
                    r, w = _counters(c)
                    L.append(f"{ind}while ({r} != {w}) ;  /* dma_wait: the current tile has arrived */")
                L.append(
                    f"{ind}{c.name}_cur = {c.name} + (({names[lp]} - {bounds[lp][0]}) & 1) * {c.size};"
                    "  /* tile ready */"
                )
            elif isinstance(s, Fill):
                v = "0.0f" if s.value == 0 else "-INFINITY"
                L.append(f"{ind}for (long t = 0; t < {s.cache.size}; ++t) {s.cache.name}_cur[t] = {v};")
            elif isinstance(s, DmaPut):
                if info.epilogue == "relu":
                    L.append(f"{ind}for (long t = 0; t < {s.cache.size}; ++t)  /* fused relu epilogue */")
                    L.append(f"{ind}  {s.cache.name}_cur[t] = fmaxf({s.cache.name}_cur[t], 0.0f);")
                dma(s.cache, f"{s.cache.name}_cur", None, ind)
            elif isinstance(s, Block):
                L.append(f"{ind}{{  /* compute block: restrict-qualified views of the LDM tiles */")
                ind += "  "
                for c in info.caches:
                    q = "const float" if c.kind == "read" else "float"
                    L.append(f"{ind}{q} *restrict {c.name}_blk = {c.name}_cur;")
                p = ind
                for lp, k in zip(s.loops, s.kinds, strict=True):
                    if k == "unroll":
                        L.append(f"{p}#pragma GCC unroll 4")
                    elif k == "vectorize":
                        L.append(f"{p}#pragma GCC ivdep")
                    L.append(f"{p}for (long {names[lp]} = 0; {names[lp]} < {lp.extent}; ++{names[lp]}) {{")
                    p += "  "
                rhs = to_c(info.leaf_body, names, lambda ld: local(info.cache_of(ld.tensor), ld.indices))
                lhs = local(info.out, info.out.index)
                if info.combiner == "sum":
                    L.append(f"{p}{lhs} += {rhs};")
                elif info.combiner == "max":
                    L.append(f"{p}{lhs} = fmaxf({lhs}, {rhs});")
                else:
                    L.append(f"{p}{lhs} = {rhs};")
                for _ in s.loops:
                    p = p[:-2]
                    L.append(f"{p}}}")
                L.append(f"{ind[:-2]}}}")

    emit([s for s in func.body if not type(s).__name__ == "Alloc"], "")
    if info.par_pos is None:
        L.append("done:;")
    if target == "x86":
        L.append("ldm_free_all(cpe);")
    return L


def _sig(func: PrimFunc) -> str:
    ins = [f"const float *restrict {t.name}" for t in func.params[:-1]]
    return ", ".join([*ins, f"float *restrict {func.params[-1].name}"])


def emit_x86(func: PrimFunc, runtime: bool = True) -> str:
    """C source of ``func`` for x86 (with the emulation runtime unless ``runtime=False``)."""
    body = "\n".join("  " + ln for ln in kernel_body(func, "x86"))
    args = ", ".join(t.name for t in func.params)
    src = (
        f"static void kernel_{func.name}(int cpe, {_sig(func)}) {{\n{body}\n}}\n"
        f"void run_{func.name}({_sig(func)}) {{\n"
        f"  for (int cpe = 0; cpe < N_CPE; ++cpe) kernel_{func.name}(cpe, {args});\n}}\n"
    )
    return (RUNTIME.replace("{ldm}", str(func.info.spec.ldm_usable)) + "\n" + src) if runtime else src


def emit_sunway(func: PrimFunc) -> tuple[str, str]:
    """``(host_c, slave_c)`` for ``sw5cc -host`` / ``sw5cc -slave`` (text for reading, not compiled here)."""
    info = func.info
    n = func.name
    fields = "; ".join(
        f"{'const ' if i < len(func.params) - 1 else ''}float *{t.name}" for i, t in enumerate(func.params)
    )
    args = ", ".join(t.name for t in func.params)
    host = (
        f"/* host.c (MPE), build: sw5cc -host -c host.c */\n#include <athread.h>\n"
        f"struct {n}_args {{ {fields}; }};\nextern SLAVE_FUN(slave_{n})(void *);\n\n"
        f"void {n}({_sig(func)}) {{\n"
        f"  struct {n}_args a = {{ {args} }};\n"
        f"  athread_spawn(slave_{n}, &a);  /* 64 CPEs start */\n"
        f"  athread_join();               /* wait for all of them */\n}}\n"
    )
    ldm = "\n".join(
        f"__thread_local float {c.name}[{c.size * (2 if c.double_buffered else 1)}];  "
        f"/* {c.nbytes * (2 if c.double_buffered else 1)} B of LDM */"
        for c in info.caches
    )
    unpack = "\n".join(
        f"  {'const ' if i < len(func.params) - 1 else ''}float *{t.name} = a->{t.name};"
        for i, t in enumerate(func.params)
    )
    body = "\n".join("  " + ln for ln in kernel_body(func, "sunway"))
    counters = "\n".join(
        f"  volatile int {r} = 0; int {w} = 0;  /* DMA replies of {c.name} */"
        for c in info.caches
        for r, w in [_counters(c)]
    )
    slave = (
        f"/* slave.c (CPE), build: sw5cc -slave -msimd -c slave.c */\n#include <slave.h>\n#include <math.h>\n"
        f"struct {n}_args {{ {fields}; }};\n{ldm}\n\n"
        f"void slave_{n}(struct {n}_args *a) {{\n  const int cpe = athread_get_id(-1);  /* 0..63 */\n"
        f"{counters}\n{unpack}\n{body}\n}}\n"
        f"/* LDM footprint {info.footprint} B of {info.spec.ldm_usable} B usable */\n"
    )
    return host, slave
