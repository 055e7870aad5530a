"""A calibrated model of the Sunway SW26010 chip and the TaihuLight network (CPU-only, no Sunway needed).

Shared by the swCaffe and swTVM series and taught in ``notebooks/sunway/00_sw26010_simulator.ipynb``.

- :mod:`~paperlab.sunway.arch`: frozen dataclasses of the chip (``SW26010``) and network (``TaihuLightNet``),
  every field with a provenance tag, a source and a documented range.
- :mod:`~paperlab.sunway.dma`, :mod:`~paperlab.sunway.rlc`, :mod:`~paperlab.sunway.cost`: the analytic model
  (DMA by block size, register communication, compute with SIMD and kernel efficiency, double buffering,
  spawn overhead, MPE work, roofline).
- :mod:`~paperlab.sunway.emu`: a functional emulator of one core group (64 CPEs, LDM, DMA, RLC) with counters.
- :mod:`~paperlab.sunway.net`: allreduce schedules and their time on the supernode network.
- :mod:`~paperlab.sunway.models`: layer tables of AlexNet, VGG-16/19, GoogLeNet and ResNet-50.

Fidelity: a calibrated analytic model plus a functional emulator, **not cycle-accurate**; it does not
predict TaihuLight wall-clock time better than about 2x.
"""

from paperlab.sunway.arch import SW26010, TaihuLightNet

__all__ = ["SW26010", "TaihuLightNet"]
