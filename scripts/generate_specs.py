"""Writes the bundled specs that are too long to keep by hand: ResNet-18/50, GoogLeNet and
MobileNetV2, layer for layer as torchvision builds them. Run from the repository root:

    python scripts/generate_specs.py

The YAML it writes is committed; this script is how it was made and how to remake it.
"""

from __future__ import annotations

from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "convcalc" / "specs"
HEADER = "# yaml-language-server: $schema=convcalc.schema.json\n"  # editors validate against the shipped schema


def entry(type_: str, name: str, **args) -> str:
    parts = [f"type: {type_}", f"name: {name}"]
    for key, value in args.items():
        if isinstance(value, bool):
            value = str(value).lower()
        elif isinstance(value, (list, tuple)):
            value = "[" + ", ".join(map(str, value)) + "]"
        parts.append(f"{key}: {value}")
    return "  - {" + ", ".join(parts) + "}"


class Builder:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.last = "input"

    def add(self, type_: str, name: str, inputs=None, **args) -> str:
        if inputs is not None and inputs != self.last:
            args = {"inputs": inputs, **args}
        self.lines.append(entry(type_, name, **args))
        self.last = name
        return name

    def conv_bn(self, name: str, filters: int, k: int, stride: int = 1, pad: int = 0, act: str | None = "relu",
                inputs=None, eps: float | None = None, groups: int = 1) -> str:
        extra = {"groups": groups} if groups > 1 else {}
        self.add("conv2d", f"{name}_conv", inputs, filters=filters, kernel_size=k, stride=stride, padding=pad,
                 bias=False, **extra)
        self.add("batchnorm", f"{name}_bn", **({"eps": eps} if eps else {}))
        if act:
            self.add(act, f"{name}_{act}")
        return self.last

    def classifier(self, name: str, dropout: float | None = None) -> None:
        """Global average pooling, optional dropout, then a dense layer to ImageNet's 1000 classes."""
        self.add("global_avgpool", "avgpool")
        if dropout:
            self.add("dropout", "dropout", rate=dropout)
        self.add("dense", name, units=1000)

    def write(self, file: str, name: str, input_shape: list[int], comment: str) -> None:
        text = HEADER + f"# {comment}\nname: {name}\ninput: {input_shape}\nlayers:\n" + "\n".join(self.lines) + "\n"
        (OUT / file).write_text(text)


def resnet(blocks: list[int], bottleneck: bool) -> Builder:
    b = Builder()
    b.add("conv2d", "conv1", filters=64, kernel_size=7, stride=2, padding=3, bias=False)
    b.add("batchnorm", "bn1")
    b.add("relu", "relu")
    x = b.add("maxpool2d", "maxpool", pool_size=3, stride=2, padding=1)
    channels = 64
    for stage, (count, width) in enumerate(zip(blocks, (64, 128, 256, 512)), start=1):
        for i in range(count):
            stride = 2 if stage > 1 and i == 0 else 1
            out = width * 4 if bottleneck else width
            p = f"layer{stage}_{i}"
            if bottleneck:  # torchvision v1.5: the stride sits on the 3×3 conv
                b.conv_bn(f"{p}_1", width, 1, inputs=x)
                b.conv_bn(f"{p}_2", width, 3, stride, 1)
                main = b.conv_bn(f"{p}_3", out, 1, act=None)
            else:
                b.conv_bn(f"{p}_1", width, 3, stride, 1, inputs=x)
                main = b.conv_bn(f"{p}_2", width, 3, 1, 1, act=None)
            shortcut = x
            if stride != 1 or channels != out:
                shortcut = b.conv_bn(f"{p}_down", out, 1, stride, 0, act=None, inputs=x)
            b.add("add", f"{p}_add", inputs=[main, shortcut])
            x = b.add("relu", f"{p}_out")
            channels = out
    b.classifier("fc")
    return b


def googlenet() -> Builder:
    b = Builder()

    def basic(name, filters, k, stride=1, pad=0, inputs=None):
        return b.conv_bn(name, filters, k, stride, pad, inputs=inputs, eps=0.001)

    def inception(name, x, c1, c3r, c3, c5r, c5, proj):
        b1 = basic(f"{name}_b1", c1, 1, inputs=x)
        basic(f"{name}_b2a", c3r, 1, inputs=x)
        b2 = basic(f"{name}_b2b", c3, 3, 1, 1)
        basic(f"{name}_b3a", c5r, 1, inputs=x)
        b3 = basic(f"{name}_b3b", c5, 3, 1, 1)  # torchvision's "5×5" branch uses a 3×3 kernel
        b.add("maxpool2d", f"{name}_b4pool", inputs=x, pool_size=3, stride=1, padding=1, ceil_mode=True)
        b4 = basic(f"{name}_b4", proj, 1)
        return b.add("concat", name, inputs=[b1, b2, b3, b4])

    basic("conv1", 64, 7, 2, 3)
    b.add("maxpool2d", "maxpool1", pool_size=3, stride=2, ceil_mode=True)
    basic("conv2", 64, 1)
    basic("conv3", 192, 3, 1, 1)
    x = b.add("maxpool2d", "maxpool2", pool_size=3, stride=2, ceil_mode=True)
    x = inception("inception3a", x, 64, 96, 128, 16, 32, 32)
    x = inception("inception3b", x, 128, 128, 192, 32, 96, 64)
    x = b.add("maxpool2d", "maxpool3", pool_size=3, stride=2, ceil_mode=True)
    for name, cfg in (("4a", (192, 96, 208, 16, 48, 64)), ("4b", (160, 112, 224, 24, 64, 64)),
                      ("4c", (128, 128, 256, 24, 64, 64)), ("4d", (112, 144, 288, 32, 64, 64)),
                      ("4e", (256, 160, 320, 32, 128, 128))):
        x = inception(f"inception{name}", x, *cfg)
    x = b.add("maxpool2d", "maxpool4", pool_size=2, stride=2, ceil_mode=True)
    x = inception("inception5a", x, 256, 160, 320, 32, 128, 128)
    x = inception("inception5b", x, 384, 192, 384, 48, 128, 128)
    b.classifier("fc", dropout=0.2)
    return b


def mobilenet_v2() -> Builder:
    b = Builder()
    x = b.conv_bn("features_0", 32, 3, 2, 1, act="relu6")
    channels, index = 32, 1
    for t, c, n, s in ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                       (6, 160, 3, 2), (6, 320, 1, 1)):
        for i in range(n):
            stride = s if i == 0 else 1
            p = f"block{index}"
            hidden = channels * t
            if t != 1:
                b.conv_bn(f"{p}_expand", hidden, 1, act="relu6", inputs=x)
            b.add("depthwise_conv2d", f"{p}_dw_conv", kernel_size=3, stride=stride, padding=1, bias=False)
            b.add("batchnorm", f"{p}_dw_bn")
            b.add("relu6", f"{p}_dw_relu6")
            y = b.conv_bn(f"{p}_project", c, 1, act=None)
            if stride == 1 and channels == c:
                y = b.add("add", f"{p}_add", inputs=[y, x])
            x, channels, index = y, c, index + 1
    b.conv_bn("features_18", 1280, 1, act="relu6")
    b.classifier("classifier", dropout=0.2)
    return b


def unet() -> Builder:
    """Ronneberger et al. (2015) with `same` 3×3 convs, so skips concatenate without cropping."""
    b = Builder()

    def double_conv(name, filters, inputs=None):
        b.add("conv2d", f"{name}_conv1", inputs, filters=filters, kernel_size=3, padding=1)
        b.add("relu", f"{name}_relu1")
        b.add("conv2d", f"{name}_conv2", filters=filters, kernel_size=3, padding=1)
        return b.add("relu", f"{name}_relu2")

    skips, x = [], None
    for depth, filters in enumerate((64, 128, 256, 512), start=1):
        x = double_conv(f"down{depth}", filters, inputs=None if x is None else x)
        skips.append(x)
        x = b.add("maxpool2d", f"pool{depth}", pool_size=2)
    x = double_conv("bottom", 1024)
    for depth, filters in zip((4, 3, 2, 1), (512, 256, 128, 64)):
        b.add("conv_transpose2d", f"up{depth}_tconv", filters=filters, kernel_size=2, stride=2)
        b.add("concat", f"up{depth}_cat", inputs=[skips[depth - 1], f"up{depth}_tconv"])
        x = double_conv(f"up{depth}", filters)
    b.add("conv2d", "head", filters=2, kernel_size=1)
    return b


if __name__ == "__main__":
    unet().write("unet.yaml", "unet", [1, 256, 256], "U-Net (Ronneberger et al. 2015), padded 3×3 convs, 2 output classes")
    resnet([2, 2, 2, 2], False).write(
        "resnet18.yaml", "resnet18", [3, 224, 224], "ResNet-18 (He et al. 2015) as torchvision builds it: 11,689,512 parameters")
    resnet([3, 4, 6, 3], True).write(
        "resnet50.yaml", "resnet50", [3, 224, 224], "ResNet-50 v1.5 as torchvision builds it: 25,557,032 parameters")
    googlenet().write(
        "googlenet.yaml", "googlenet", [3, 224, 224], "GoogLeNet (Szegedy et al. 2014) as torchvision builds it, no aux heads: 6,624,904 parameters")
    mobilenet_v2().write(
        "mobilenet_v2.yaml", "mobilenet_v2", [3, 224, 224], "MobileNetV2 (Sandler et al. 2018) as torchvision builds it: 3,504,872 parameters")
