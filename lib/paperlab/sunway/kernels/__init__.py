"""Reference kernels for the core-group emulator (SUMMA GEMM, shared with the swCaffe series)."""

from paperlab.sunway.kernels.summa_gemm import panel_gemm, summa_gemm, summa_kernel, summa_sources

__all__ = ["panel_gemm", "summa_gemm", "summa_kernel", "summa_sources"]
