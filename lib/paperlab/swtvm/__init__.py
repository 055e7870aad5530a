"""swTVM (Liu et al., arXiv 1904.07404): automated tensor compilation for the Sunway SW26010, reproduced on
the ``paperlab.sunway`` simulator with the small compiler ``paperlab.compiler``.

- :mod:`~paperlab.swtvm.layers`: AlexNet (one tower) and VGG-19 conv/FC layers as compiler operators.
- :mod:`~paperlab.swtvm.schedules`: the tiled template, the naive OpenACC-like baseline, the tuned schedule.
- :mod:`~paperlab.swtvm.experiments`: T1-T5 (correctness, accounting, speed-ups, double buffering, tuner).
- :mod:`~paperlab.swtvm.cnn`: the small CNN compiled ahead of time into ``main.c``.
- :mod:`~paperlab.swtvm.explore`: the schedule explorer behind the widget.
- :mod:`~paperlab.swtvm.tvm_bridge`: the optional Apache TVM 0.27 cross-check (``[tvm]`` extra).
"""
