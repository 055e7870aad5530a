import pytest

from paperlab.harness import readme


def test_render_replaces_only_between_markers():
    text = f"intro\n{readme.MAP[0]}\nold map\n{readme.MAP[1]}\nmiddle\n{readme.CARD[0]}\nold\n{readme.CARD[1]}\nend\n"
    out = readme.render(text)
    assert out.startswith("intro\n") and out.endswith("end\n") and "middle" in out
    assert "old map" not in out and "| series | notebook | smoke | lab | points |" in out
    assert readme.render(out) == out


def test_missing_markers_are_an_error():
    with pytest.raises(ValueError, match="markers"):
        readme.render("no markers here")
