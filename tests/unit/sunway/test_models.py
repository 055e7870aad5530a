import pytest

from paperlab.sunway import models


@pytest.mark.parametrize(
    "name, params",
    [
        ("alexnet", 60_965_224),
        ("vgg16", 138_357_544),
        ("vgg19", 143_667_240),
        ("resnet50", 25_557_032),
        ("googlenet", 6_998_552),
        ("alexnet_one_tower", 62_378_344),
    ],
)
def test_param_counts(name, params):
    assert models.param_count(name) == params


def test_macs():
    assert models.macs("vgg19") / 1e9 == pytest.approx(19.63, abs=0.005)
    assert models.macs("vgg16") / 1e9 == pytest.approx(15.47, abs=0.005)
    assert models.macs("resnet50") / 1e9 == pytest.approx(3.86, abs=0.01)


def test_shapes_chain_and_conv_arithmetic():
    layers = models.get("alexnet")
    conv2 = next(ly for ly in layers if ly.name == "conv2")
    assert conv2.in_shape == (96, 27, 27) and conv2.out_shape == (256, 27, 27) and conv2.groups == 2
    assert conv2.flops == 2 * 256 * 27 * 27 * 48 * 25
    assert next(ly for ly in layers if ly.name == "fc6").in_shape == (256, 6, 6)
    g = models.get("googlenet")
    assert next(ly for ly in g if ly.name == "inception_5b/output").out_shape == (1024, 7, 7)
    r = models.get("resnet50")
    assert next(ly for ly in r if ly.name == "res5c").out_shape == (2048, 7, 7)
    assert all(ly.type in models.LAYER_TYPES for m in models.MODELS for ly in models.get(m))


def test_unknown_model():
    with pytest.raises(ValueError, match="name must be one of"):
        models.get("lenet")
