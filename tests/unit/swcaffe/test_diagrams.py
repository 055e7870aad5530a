import matplotlib

matplotlib.use("Agg")
import pytest  # noqa: E402

from paperlab.swcaffe import diagrams  # noqa: E402


def test_summa_marks_the_senders_of_step_t():
    fig = diagrams.draw_summa(step=3)
    ax = fig.axes[0]
    cells = [p for p in ax.patches if type(p).__name__ == "Rectangle"]
    assert len(cells) == 64
    coloured = [p for p in cells if p.get_facecolor()[:3] != matplotlib.colors.to_rgb("#f4f4f4")]
    assert len(coloured) == 15  # column t (8) and row t (8) share one CPE
    assert "t = 3" in ax.get_title()


def test_layout_orders_are_permutations_with_the_right_runs():
    B, C, H, W = 4, 2, 2, 3
    nchw = diagrams.layout_order("NCHW", B, C, H, W)
    rcnb = diagrams.layout_order("RCNB", B, C, H, W)
    assert sorted(nchw) == sorted(rcnb) and len(set(nchw)) == B * C * H * W
    assert [e[0] for e in rcnb[:B]] == list(range(B))  # batch innermost
    assert [e[3] for e in nchw[:W]] == list(range(W))  # image row innermost
    fig = diagrams.draw_layouts(B, C, H, W)
    assert len(fig.axes) == 2


def test_bad_inputs():
    with pytest.raises(ValueError, match="step"):
        diagrams.draw_summa(step=8)
    with pytest.raises(ValueError, match="layout"):
        diagrams.layout_order("NHWC", 1, 1, 1, 1)
    with pytest.raises(ValueError, match="B"):
        diagrams.draw_layouts(B=0)
