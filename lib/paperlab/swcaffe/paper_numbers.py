"""The paper's numbers with provenance tags (see the research brief). [P]: abstract / official page."""

from __future__ import annotations

SPEEDUP_1024 = {"resnet50": 715.45, "alexnet": 928.15}  # [P] CLUSTER 2018 abstract
K40M_RATIO = (0.23, 1.19)  # [P] single-node throughput relative to Caffe on a K40m
CPU_SPEEDUP = (3.04, 7.84)  # [P] vs Caffe on an unnamed CPU; not reproduced
ALLREDUCE_README_X = 20.0  # [V-code] README: "20x faster than default MPI"
SWDNN_PEAK_FRAC = 0.54  # [P] swDNN IPDPS 2017
PROFILE_2017 = {"iteration_s": 53.9, "bn_s": 14.9, "scale_s": 23.0, "conv_s": 11.0}  # [V-data]
PER_NETWORK = {}  # [M] per-network single-node numbers: empty until checked against the PDF
