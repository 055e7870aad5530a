import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from paperlab.core import provenance, viz  # noqa: E402


def make_fig():
    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [1, 0, 1], label="curve")
    ax.set(title="t", xlabel="x", ylabel="y")
    ax.legend()
    return fig


def test_savefig_is_byte_deterministic_and_writes_a_manifest(fake_repo):
    viz.use_style()
    first = viz.savefig(make_fig(), "demo", "curve", budget="lab", seed=3, formats=("png", "svg"))
    png1, svg1 = first.read_bytes(), first.with_suffix(".svg").read_bytes()
    second = viz.savefig(make_fig(), "demo", "curve", budget="lab", seed=3, formats=("png", "svg"))
    assert second == fake_repo / "figures" / "demo" / "curve.png"
    assert second.read_bytes() == png1 and second.with_suffix(".svg").read_bytes() == svg1
    manifest = json.loads(second.with_suffix(".json").read_text())
    assert manifest["sources"] == ["lib/paperlab/demo/model.py"]
    assert manifest["source_hash"] == provenance.source_hash(manifest["sources"])
    assert manifest["structure"][0]["legend"] == ["curve"] and manifest["seed"] == 3
    plt.close("all")


def test_smoke_figures_go_to_build(fake_repo):
    path = viz.savefig(make_fig(), "demo", "curve", budget="smoke")
    assert path.parent == fake_repo / "build" / "figures" / "demo"
    plt.close("all")


@pytest.mark.parametrize(
    "kwargs, arg",
    [({"name": "Bad Name"}, "name"), ({"paper": "../x"}, "paper"), ({"formats": ("jpg",)}, "formats")],
)
def test_bad_arguments(fake_repo, kwargs, arg):
    args = {"paper": "demo", "name": "ok", **kwargs}
    with pytest.raises(ValueError, match=arg):
        viz.savefig(make_fig(), args.pop("paper"), args.pop("name"), budget="smoke", **args)
    plt.close("all")
