"""An analysed network as one PyTorch module: every spec layer a submodule under the spec's own
dotted name (`model.layer2[0].conv1`, as torchvision names it), and a `forward` that follows
the graph. Merges, splits and reshapes are small modules too, so every layer can be hooked."""

from __future__ import annotations

import re
from functools import partial
from typing import Callable

from convcalc.engine import LayerResult, Network
from convcalc.errors import printable
from convcalc.export.common import (
    NAME_WIDTH,
    context,
    global_rank,
    header,
    identifier,
    literal,
    per_axis,
    refuse,
    variables,
)
from convcalc.export.torch_helpers import HELPERS
from convcalc.layers.rearrange import crop_pairs
from convcalc.record import record

FRAMEWORK = "PyTorch"
# nn.Module's own attributes: a spec name among them cannot be an attribute path
RESERVED = frozenset("""T_destination add_module apply bfloat16 buffers call_super_init children compile cpu cuda
    double dump_patches eval extra_repr float forward get_buffer get_extra_state get_parameter get_submodule half ipu
    load_state_dict modules mtia named_buffers named_children named_modules named_parameters parameters
    register_backward_hook register_buffer register_forward_hook register_forward_pre_hook register_full_backward_hook
    register_full_backward_pre_hook register_load_state_dict_post_hook register_load_state_dict_pre_hook
    register_module register_parameter register_state_dict_post_hook register_state_dict_pre_hook requires_grad_
    set_extra_state set_submodule share_memory state_dict to to_empty train training type xpu zero_grad""".split())


@record
class Module:
    """One layer as PyTorch code: the constructor, the helper classes it uses, and how many
    of the layer's inputs its forward reads (None: all)."""

    code: str
    helpers: tuple[str, ...] = ()
    reads: int | None = None


def _size(values: tuple) -> str:
    """`3` when every axis has the same value, else `(3, 1)`."""
    return literal(values[0] if len(set(values)) == 1 else tuple(values))


def _pad_order(pairs: tuple[tuple[int, int], ...]) -> str:
    """Per-axis (before, after), first axis first → F.pad's order: last axis first."""
    return literal(tuple(v for pair in reversed(pairs) for v in pair))


def _sequence(*codes: str | None) -> str:
    codes = tuple(c for c in codes if c)
    return codes[0] if len(codes) == 1 else f"nn.Sequential({', '.join(codes)})"


# Keras' function names (the `activation` type, the `activation:` argument) → torch.nn, with
# Keras' own defaults (leaky_relu 0.2); softmax over the channels, dim 1
FUNCTIONS = {
    "linear": "nn.Identity()", "relu": "nn.ReLU()", "relu6": "nn.ReLU6()", "leaky_relu": "nn.LeakyReLU(0.2)",
    "elu": "nn.ELU(1.0)", "gelu": "nn.GELU()", "silu": "nn.SiLU()", "swish": "nn.SiLU()", "sigmoid": "nn.Sigmoid()",
    "tanh": "nn.Tanh()", "softmax": "nn.Softmax(dim=1)", "hard_sigmoid": "nn.Hardsigmoid()",
    "hard_silu": "nn.Hardswish()", "hard_swish": "nn.Hardswish()", "mish": "nn.Mish()",
}


def _activation(r: LayerResult) -> str | None:
    name = r.spec.args.get("activation")
    return None if name in (None, "linear") else FUNCTIONS[name]


def _window_padding(r: LayerResult, fill: str = "") -> tuple[str, str | None]:
    """The `padding=` of a torch layer and a padding layer before it: PyTorch pads both sides
    alike, so an uneven `same` or `causal` split becomes an explicit pad in front."""
    pairs = r.geometry.pads
    if all(lo == hi for lo, hi in pairs):
        return _size(tuple(lo for lo, _ in pairs)), None
    dims = len(pairs)
    pad = f"nn.ConstantPad{dims}d({_pad_order(pairs)}, {fill})" if fill else f"nn.ZeroPad{dims}d({_pad_order(pairs)})"
    return "0", pad


def _conv(dims: int, r: LayerResult) -> Module:
    a, g, c = r.spec.args, r.geometry, r.input_shapes[0][0]
    padding, pad = _window_padding(r)
    conv = (f"nn.Conv{dims}d({c}, {a['filters']}, kernel_size={_size(g.kernel)}, stride={_size(g.stride)}, "
            f"padding={padding}, dilation={_size(g.dilation)}, groups={a['groups']}, bias={a['bias']})")
    return Module(code=_sequence(pad, conv, _activation(r)))


def _depthwise(r: LayerResult) -> Module:
    a, g, c = r.spec.args, r.geometry, r.input_shapes[0][0]
    padding, pad = _window_padding(r)
    conv = (f"nn.Conv2d({c}, {c * a['depth_multiplier']}, kernel_size={_size(g.kernel)}, stride={_size(g.stride)}, "
            f"padding={padding}, dilation={_size(g.dilation)}, groups={c}, bias={a['bias']})")
    return Module(code=_sequence(pad, conv, _activation(r)))


def _separable(r: LayerResult) -> Module:
    """Keras' SeparableConv2D: a depthwise conv without bias, then a 1×1 conv with it."""
    a, g, c = r.spec.args, r.geometry, r.input_shapes[0][0]
    mid = c * a["depth_multiplier"]
    padding, pad = _window_padding(r)
    depthwise = (f"nn.Conv2d({c}, {mid}, kernel_size={_size(g.kernel)}, stride={_size(g.stride)}, padding={padding}, "
                 f"dilation={_size(g.dilation)}, groups={c}, bias=False)")
    pointwise = f"nn.Conv2d({mid}, {a['filters']}, kernel_size=1, bias={a['bias']})"
    return Module(code=f"nn.Sequential({', '.join(c for c in (pad, depthwise, pointwise, _activation(r)) if c)})")


def _conv_transpose(dims: int, r: LayerResult) -> Module:
    """An int padding is PyTorch's own; Keras' `valid`/`same` is the full transposed result
    (padding 0) cut to Keras' size: `offset` cells off the front, output_padding adding the
    cells past the end that Keras fills with the bias alone."""
    a, g, c = r.spec.args, r.geometry, r.input_shapes[0][0]
    common = f"kernel_size={_size(g.kernel)}, stride={_size(g.stride)}"
    tail = f"groups={a['groups']}, bias={a['bias']}, dilation={_size(g.dilation)}"
    if not isinstance(a["padding"], str):
        op = a["output_padding"] or 0
        conv = (f"nn.ConvTranspose{dims}d({c}, {a['filters']}, {common}, padding={literal(a['padding'])}, "
                f"output_padding={literal(op)}, {tail})")
        return Module(code=_sequence(conv, _activation(r)))
    edges = tuple(ax.dilation * (ax.kernel - 1) for ax in g.axes)
    offsets = tuple(e - ax.before for e, ax in zip(edges, g.axes))
    extras = tuple(ax.after - e for e, ax in zip(edges, g.axes))
    if any(x >= max(ax.stride, ax.dilation) for x, ax in zip(extras, g.axes)):
        raise refuse(r, FRAMEWORK, "transposed_extra")
    sizes = r.output_shape[1:]
    fulls = tuple((n - 1) * ax.stride + e + 1 + x for n, ax, e, x in zip(r.input_shapes[0][1:], g.axes, edges, extras))
    cuts = tuple((-o, -(f - o - s)) for o, f, s in zip(offsets, fulls, sizes))
    conv = (f"nn.ConvTranspose{dims}d({c}, {a['filters']}, {common}, padding=0, output_padding={_size(extras)}, "
            f"{tail})")
    crop = f"nn.ZeroPad{dims}d({_pad_order(cuts)})" if any(lo or hi for lo, hi in cuts) else None
    return Module(code=_sequence(conv, crop, _activation(r)))


def _pool_padding(r: LayerResult, dims: int, fill: str) -> tuple[str, str | None]:
    """A pool's own padding and ceil_mode as PyTorch takes them; `same` from the engine's pads."""
    padding = r.spec.args["padding"]
    if padding == "same":
        return _window_padding(r, fill)
    return ("0" if padding == "valid" else _size(per_axis(padding, dims))), None


def _max_pool(dims: int, r: LayerResult) -> Module:
    a, g = r.spec.args, r.geometry
    padding, pad = _pool_padding(r, dims, 'float("-inf")')
    pool = (f"nn.MaxPool{dims}d(kernel_size={_size(g.kernel)}, stride={_size(g.stride)}, padding={padding}, "
            f"dilation={_size(g.dilation)}, ceil_mode={a['ceil_mode']})")
    return Module(code=_sequence(pad, pool))


def _avg_pool(dims: int, r: LayerResult) -> Module:
    """Keras' `same` averages the real cells only: count_include_pad=False, which PyTorch can
    say only for padding split evenly."""
    a, g = r.spec.args, r.geometry
    padding, pad = _pool_padding(r, dims, "0.0")
    if pad:
        raise refuse(r, FRAMEWORK, "avg_same_uneven")
    include = a["count_include_pad"] and a["padding"] != "same"
    return Module(code=f"nn.AvgPool{dims}d(kernel_size={_size(g.kernel)}, stride={_size(g.stride)}, padding={padding}, "
                       f"ceil_mode={a['ceil_mode']}, count_include_pad={include})")


def _global(kind: str, r: LayerResult) -> Module:
    rank = global_rank(r, FRAMEWORK)
    return Module(code=f"nn.Sequential(nn.Adaptive{kind}Pool{rank}d(1), nn.Flatten())")


def _adaptive(kind: str, dims: int, r: LayerResult) -> Module:
    return Module(code=f"nn.Adaptive{kind}Pool{dims}d({literal(r.spec.args['output_size'])})")


def _dense(r: LayerResult) -> Module:
    a = r.spec.args
    linear = f"nn.Linear({r.input_shapes[0][-1]}, {a['units']}, bias={a['bias']})"
    return Module(code=_sequence(linear, _activation(r)))


def _batchnorm(r: LayerResult) -> Module:
    a, shape = r.spec.args, r.input_shapes[0]
    rank = max(len(shape) - 1, 1)
    return Module(code=f"nn.BatchNorm{rank}d({shape[0]}, eps={a['eps']!r}, momentum={a['momentum']!r})")


def _layernorm(r: LayerResult) -> Module:
    """Without normalized_shape convcalc normalises each position's channels (ConvNeXt's
    LayerNorm2d); with it, PyTorch's LayerNorm over the last axes."""
    a, shape = r.spec.args, r.input_shapes[0]
    common = f"eps={a['eps']!r}, elementwise_affine={a['elementwise_affine']}, bias={a['bias']}"
    if a["normalized_shape"] is not None:
        return Module(code=f"nn.LayerNorm({literal(per_axis(a['normalized_shape'], 1))}, {common})")
    if len(shape) == 1:
        return Module(code=f"nn.LayerNorm({shape[0]}, {common})")
    return Module(code=f"LayerNorm2d({shape[0]}, {common})", helpers=("LayerNorm2d",))


def _groupnorm(r: LayerResult) -> Module:
    a = r.spec.args
    return Module(code=f"nn.GroupNorm({a['num_groups']}, {r.input_shapes[0][0]}, eps={a['eps']!r}, affine={a['affine']})")


def _instancenorm(r: LayerResult) -> Module:
    a, shape = r.spec.args, r.input_shapes[0]
    if not 2 <= len(shape) <= 4:
        raise refuse(r, FRAMEWORK, "instancenorm_rank")
    return Module(code=f"nn.InstanceNorm{len(shape) - 1}d({shape[0]}, eps={a['eps']!r}, momentum={a['momentum']!r}, "
                       f"affine={a['affine']}, track_running_stats={a['track_running_stats']})")


def _scale(r: LayerResult) -> Module:
    shape = r.input_shapes[0]
    return Module(code=f"LayerScale({literal((shape[0], *(1,) * (len(shape) - 1)))})", helpers=("LayerScale",))


def _zeropad(dims: int, r: LayerResult) -> Module:
    padding = r.spec.args["padding"]
    if isinstance(padding, tuple) and isinstance(padding[0], tuple):
        pairs = padding
    else:
        pairs = tuple((p, p) for p in per_axis(padding, dims))
    return Module(code=f"nn.ZeroPad{dims}d({_pad_order(pairs)})")


def _crop(r: LayerResult) -> Module:
    """Any crop is a negative zero padding; a centre crop to a second input's size reads only
    that size, which is known here, so the module takes the first input alone."""
    pairs = crop_pairs(context(r))
    dims = len(pairs)
    if not 1 <= dims <= 3:
        raise refuse(r, FRAMEWORK, "crop_rank")
    cuts = tuple((-lo, -hi) for lo, hi in pairs)
    return Module(code=f"nn.ZeroPad{dims}d({_pad_order(cuts)})", reads=1)


def _upsample(r: LayerResult) -> Module:
    a = r.spec.args
    rank = len(r.input_shapes[0]) - 1
    how = (f"size={literal(per_axis(a['size'], rank))}" if a["size"] is not None else
           f"scale_factor={literal(tuple(float(f) for f in per_axis(a['scale_factor'] or 2, rank)))}")
    align = "" if a["align_corners"] is None else f", align_corners={a['align_corners']}"
    return Module(code=f"nn.Upsample({how}, mode={a['mode']!r}{align})")


def _keras_upsampling(r: LayerResult) -> Module:
    """Keras' UpSampling: nearest repeats each cell (an integer scale factor); bilinear resizes
    to N·size with half-pixel centres (align_corners=False)."""
    a = r.spec.args
    rank = len(r.input_shapes[0]) - 1
    if a["interpolation"] == "nearest":
        factors = tuple(float(f) for f in per_axis(a["size"], rank))
        return Module(code=f"nn.Upsample(scale_factor={literal(factors)}, mode='nearest')")
    return Module(code=f"nn.Upsample(size={literal(r.output_shape[1:])}, mode='bilinear', align_corners=False)")


def _permute(r: LayerResult) -> Module:
    dims = r.spec.args["dims"]
    if len(dims) == len(r.input_shapes[0]) + 1 and dims[0] == 0:
        dims = dims[1:]
    return Module(code=f"Permute({literal((0, *dims))})", helpers=("Permute",))


def _sections(r: LayerResult) -> Module:
    a = r.spec.args
    dim = a["axis"] + 1  # convcalc counts the axes after the batch
    if r.spec.type == "split":
        return Module(code=f"Split({literal(a['sizes'])}, dim={dim})", helpers=("Split",))
    return Module(code=f"Chunk({a['chunks']}, dim={dim})", helpers=("Chunk",))


def _simple(code: str, helpers: tuple[str, ...] = ()) -> Callable[[LayerResult], Module]:
    """A layer whose module reads only arguments: `code` formatted with them."""
    return lambda r: Module(code=code.format(**r.spec.args), helpers=helpers)


MODULES: dict[str, Callable[[LayerResult], Module]] = {
    **{f"conv{d}d": partial(_conv, d) for d in (1, 2, 3)},
    **{f"conv_transpose{d}d": partial(_conv_transpose, d) for d in (1, 2, 3)},
    "depthwise_conv2d": _depthwise,
    "separable_conv2d": _separable,
    **{f"maxpool{d}d": partial(_max_pool, d) for d in (1, 2, 3)},
    **{f"avgpool{d}d": partial(_avg_pool, d) for d in (1, 2, 3)},
    "global_avgpool": partial(_global, "Avg"),
    "global_maxpool": partial(_global, "Max"),
    **{f"adaptive_avgpool{d}d": partial(_adaptive, "Avg", d) for d in (1, 2, 3)},
    **{f"adaptive_maxpool{d}d": partial(_adaptive, "Max", d) for d in (1, 2, 3)},
    "flatten": _simple("nn.Flatten()"),
    "dense": _dense,
    "batchnorm": _batchnorm,
    "dropout": _simple("nn.Dropout({rate!r})"),
    "lrn": _simple("nn.LocalResponseNorm({size}, alpha={alpha!r}, beta={beta!r}, k={k!r})"),
    "relu": _simple("nn.ReLU()"),
    "relu6": _simple("nn.ReLU6()"),
    "leaky_relu": _simple("nn.LeakyReLU({negative_slope!r})"),
    "elu": _simple("nn.ELU({alpha!r})"),
    "gelu": _simple("nn.GELU()"),
    "silu": _simple("nn.SiLU()"),
    "sigmoid": _simple("nn.Sigmoid()"),
    "tanh": _simple("nn.Tanh()"),
    "softmax": _simple("nn.Softmax(dim=1)"),
    "hardsigmoid": _simple("nn.Hardsigmoid()"),
    "hardswish": _simple("nn.Hardswish()"),
    "mish": _simple("nn.Mish()"),
    "identity": _simple("nn.Identity()"),
    "prelu": _simple("nn.PReLU({num_parameters})"),
    "activation": lambda r: Module(code=FUNCTIONS[r.spec.args["activation"]]),
    **{f"zeropad{d}d": partial(_zeropad, d) for d in (1, 2, 3)},
    "layernorm": _layernorm,
    "groupnorm": _groupnorm,
    "instancenorm": _instancenorm,
    "scale": _scale,
    "stochastic_depth": _simple("StochasticDepth({rate!r}, {mode!r})", ("StochasticDepth",)),
    "add": _simple("Add()", ("Add",)),
    "multiply": _simple("Multiply()", ("Multiply",)),
    "concat": _simple("Concat(dim=1)", ("Concat",)),
    "channel_shuffle": _simple("ChannelShuffle({groups})", ("ChannelShuffle",)),
    "reshape": lambda r: Module(code=f"Reshape({literal(r.spec.args['shape'])})", helpers=("Reshape",)),
    "permute": _permute,
    "crop": _crop,
    "pixel_shuffle": _simple("nn.PixelShuffle({upscale_factor})"),
    "pixel_unshuffle": _simple("nn.PixelUnshuffle({downscale_factor})"),
    "upsample": _upsample,
    "upsampling": _keras_upsampling,
    "split": _sections,
    "chunk": _sections,
}


# --- the module tree: spec names as attribute paths ---

def _parts(name: str) -> tuple[str, ...] | None:
    """`layer2.0.conv1` → ("layer2", "0", "conv1"), or None when a part cannot be an attribute."""
    parts = tuple(name.split("."))
    ok = all(p.isdigit() and p == str(int(p)) or (p.isidentifier() and p.isascii() and identifier(p) == p
                                                  and p not in RESERVED) for p in parts)
    return parts if ok else None


def _tree(net: Network) -> dict[tuple[str, ...], list[str]] | None:
    """Each container path → its children in order, when the spec's names make a tree in which
    no layer is also a container and numbered children are exactly 0, 1, 2, …; else None."""
    children: dict[tuple[str, ...], list[str]] = {(): []}
    leaves = set()
    for r in net.layers:
        parts = _parts(r.spec.name)
        if parts is None:
            return None
        leaves.add(parts)
        for depth in range(len(parts)):
            parent, child = parts[:depth], parts[depth]
            if child not in children.setdefault(parent, []):
                children[parent].append(child)
    if any(path in children for path in leaves):
        return None
    for kids in children.values():
        numbered = [k.isdigit() for k in kids]
        if any(numbered) and kids != [str(i) for i in range(len(kids))]:
            return None
    return children


def module_paths(net: Network) -> dict[str, str]:
    """Spec layer name → the module's qualified name in the generated model (what
    `named_modules()` calls it): the spec's name itself, or `layers.<key>` where the names
    cannot be attribute paths (a part like `conv-1`, a layer that is also a container)."""
    if _tree(net) is not None:
        return {r.spec.name: r.spec.name for r in net.layers}
    return {r.spec.name: f"layers.{key}" for r, key in zip(net.layers, _flat_keys(net))}


def _flat_keys(net: Network) -> list[str]:
    keys, taken = [], set()
    for r in net.layers:
        key = base = identifier(r.spec.name)
        k = 2
        while key in taken:
            key, k = f"{base}_{k}", k + 1
        taken.add(key)
        keys.append(key)
    return keys


def _access(parts: tuple[str, ...]) -> str:
    """("layer2", "0", "conv1") → `self.layer2[0].conv1`."""
    return "self" + "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in parts)


def _container(kids: list[str]) -> str:
    if kids[0].isdigit():
        count = len(kids)
        return f"nn.Sequential({', '.join(['nn.Module()'] * count)})" if count <= 3 else \
            f"nn.Sequential(*(nn.Module() for _ in range({count})))"
    return "nn.Module()"


def _references(net: Network) -> list[str]:
    """`self.layer2[0].conv1` (or `self.layers['conv_1']`) for every layer, in order."""
    if _tree(net) is None:
        return [f"self.layers[{key!r}]" for key in _flat_keys(net)]
    return [_access(tuple(r.spec.name.split("."))) for r in net.layers]


def _init_lines(net: Network, modules: list[Module], references: list[str]) -> list[str]:
    """One assignment a layer, each container made just before its first layer."""
    tree = _tree(net)
    if tree is None:
        lines = ["self.layers = nn.ModuleDict()  # the spec's names cannot all be attribute paths"]
        return lines + [f"{ref} = {m.code}  # {printable(r.spec.name, NAME_WIDTH)}"
                        for r, m, ref in zip(net.layers, modules, references)]
    lines, made = [], set()
    for r, m, ref in zip(net.layers, modules, references):
        parts = tuple(r.spec.name.split("."))
        for depth in range(1, len(parts)):
            container = _container(tree[parts[:depth]])
            placeholder = parts[depth - 1].isdigit() and container == "nn.Module()"  # made with its parent
            if parts[:depth] not in made:
                made.add(parts[:depth])
                if not placeholder:
                    lines.append(f"{_access(parts[:depth])} = {container}")
        lines.append(f"{ref} = {m.code}")
    return lines


def _forward_lines(net: Network, modules: list[Module], references: list[str]) -> list[str]:
    names = variables(net)
    lines = []
    for r, m, ref in zip(net.layers, modules, references):
        reads = r.spec.inputs if m.reads is None else r.spec.inputs[:m.reads]
        outs = ", ".join(names[t] for t in r.spec.output_names)
        lines.append(f"{outs} = {ref}({', '.join(names[t] for t in reads)})")
    return lines + [f"return {', '.join(names[t] for t in net.layers[-1].spec.output_names)}"]


def class_name(net: Network) -> str:
    """`resnet-18` → `Resnet18`; `Net` when the name gives no identifier."""
    word = "".join(part[:1].upper() + part[1:] for part in re.split(r"[^0-9A-Za-z]+", net.name))
    return word[:NAME_WIDTH] if word[:1].isalpha() else "Net"


def to_source(net: Network) -> str:
    """The generated module's text: header, imports, the helpers it uses, the model class, and
    a `__main__` that runs it once on zeros."""
    modules = [module(r) for r in net.layers]
    references = _references(net)
    used = dict.fromkeys(h for m in modules for h in m.helpers)
    name = class_name(net)
    lines = [*header(net, FRAMEWORK), "# every spec layer is the submodule of its name: "
             "dict(model.named_modules())['<spec name>']", "",
             "import torch", "from torch import nn", "from torch.nn import functional as F", ""]
    lines += [HELPERS[h].rstrip() + "\n" for h in HELPERS if h in used]
    lines += ["", f"class {name}(nn.Module):", "    def __init__(self) -> None:", "        super().__init__()"]
    lines += [f"        {line}" for line in _init_lines(net, modules, references)]
    lines += ["", "    def forward(self, x: torch.Tensor) -> torch.Tensor:"]
    lines += [f"        {line}" for line in _forward_lines(net, modules, references)]
    lines += ["", "", f"INPUT_SHAPE = {literal(net.input_shape)}  # channels first, batch left out", "", "",
              'if __name__ == "__main__":',
              f"    model = {name}().eval()",
              "    with torch.no_grad():",
              "        out = model(torch.zeros(1, *INPUT_SHAPE))",
              '    print("params", sum(p.numel() for p in model.parameters()))',
              '    print("output", *(tuple(t.shape[1:]) for t in (out if isinstance(out, tuple) else (out,))))']
    return "\n".join(lines) + "\n"


def module(r: LayerResult) -> Module:
    """The layer's PyTorch module, or the SpecError saying PyTorch cannot express it."""
    return MODULES[r.spec.type](r)
