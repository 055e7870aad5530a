"""A small TVM-style tensor compiler for the Sunway SW26010 (used by the swTVM series).

``te`` (what to compute) -> ``schedule`` (how) -> ``lower`` (bound inference, LDM footprint, DMA insertion,
LDM check, double buffering) -> ``ir.PrimFunc`` -> ``emulate`` (functional run on ``paperlab.sunway.emu``),
``codegen_c`` (x86 emulation C and the Sunway host/slave pair), ``build`` (gcc + ctypes, cached),
``cost`` (modelled time on ``paperlab.sunway``), ``tune`` (search under the LDM constraint), ``aot``
(ahead-of-time ``main.c`` with a static memory plan). Import the submodules you need.
"""
