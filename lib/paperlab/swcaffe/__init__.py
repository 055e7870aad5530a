"""swCaffe (Li, Fang et al., IEEE CLUSTER 2018, arXiv 1903.06934) on the simulated Sunway SW26010.

Modules: :mod:`layout` (NCHW <-> (R, C, N, B)), :mod:`conv_direct` (direct convolution on the 8x8 CPE
mesh, forward and both backward passes), :mod:`im2col_gemm` (im2col + mesh GEMM), :mod:`layers`
(pooling, ReLU, BN, Scale, softmax, element-wise as CPE streaming kernels), :mod:`planner` (direct vs
im2col rule of ``conv_layer.cpp``), :mod:`net_estimate` (single-node time per network and the K40m
roofline), :mod:`dist_allreduce` (ring, RHD near/far, binomial over ``torch.distributed`` gloo and an
in-process ``ThreadComm``), :mod:`scaling` (iteration time and speedup to 1,024 nodes),
:mod:`paper_numbers`, :mod:`explore`, :mod:`configs`. Built on :mod:`paperlab.sunway`.
"""
