"""ONNX ops → convcalc layer entries: one function per op, bound in `OPS`.

A `Walk` goes through the graph's nodes in their (topological) order. Each op function reads its
node's attributes, the shapes of its weight inputs (following Identity: PyTorch's exporter shares
equal initializers through Identity nodes) and the inferred shapes, and adds one entry — or
none, aliasing its output to its input where the op changes nothing convcalc counts.
"""

from __future__ import annotations

from collections import defaultdict
from math import isclose, prod
from typing import Any, Callable

from convcalc.errors import SpecError, echo, printable
from convcalc.spec.model import MAX_NAME

FOLDED = {"Constant", "Shape", "Size", "ConstantOfShape"}  # constants whatever feeds them
MAX_CLOSURE = 10_000  # nodes evaluated to work out one constant
MAX_CONSTANT_ELEMENTS = 10_000  # a constant read as a value (pads, sizes, clip bounds)


class Walk:
    """The state of one import: which tensor each ONNX name is, the names taken, the entries."""

    def __init__(self, *, onnx, graph, shapes: dict[str, tuple[int, ...]], source: str, opsets=()) -> None:
        self.onnx, self.graph, self.shapes, self.opsets = onnx, graph, shapes, tuple(opsets)
        self.initializers = {t.name: t for t in graph.initializer}
        self.producer = {out: node for node in graph.node for out in node.output}
        self.consumers: dict[str, list] = defaultdict(list)
        for node in graph.node:
            for name in node.input:
                self.consumers[name].append(node)
        self.constant = set(self.initializers)
        for node in graph.node:
            if self._folds(node):
                self.constant.update(node.output)
        self.tensors = {source: "input"}  # ONNX tensor → what `inputs` calls it
        self.entries: list[dict[str, Any]] = []
        self.taken = {"input"}
        self.counts: dict[str, int] = defaultdict(int)
        self.done: set[str] = set()  # outputs of nodes a pattern already took

    def layers(self) -> list[dict[str, Any]]:
        for node in self.graph.node:
            if node.output and node.output[0] in self.done:
                continue
            if self._folds(node):
                continue
            op = OPS.get(node.op_type)
            if op is None:
                raise SpecError("error.import_op_unsupported", node=self.label(node), op=printable(node.op_type, 40),
                                supported=", ".join(sorted(OPS)))
            op(self, node)
        return self.entries

    def pin_constants(self) -> int:
        """Replace the computed constant inputs of nodes whose output sizes shape inference did not
        find (a Slice whose start is `Shape → Gather → Div`: ONNX's data propagation stops at Div)
        by their values, as initializers; how many it replaced. Another inference then goes on."""
        from onnx import numpy_helper

        pinned = 0
        for node in self.graph.node:
            if self._folds(node) or not node.output or node.output[0] in self.shapes:
                continue
            for k, name in enumerate(node.input):
                if k == 0 or name not in self.constant or name in self.initializers:
                    continue
                try:
                    array = self._evaluate(node, name)
                except SpecError:
                    continue
                tensor = numpy_helper.from_array(array, name=f"{name}.pinned")
                self.graph.initializer.append(tensor)
                self.initializers[tensor.name] = tensor
                self.constant.add(tensor.name)
                node.input[k] = tensor.name
                pinned += 1
        return pinned

    def _folds(self, node) -> bool:
        inputs = [name for name in node.input if name]
        return node.op_type in FOLDED or bool(inputs) and all(name in self.constant for name in inputs)

    # --- reading a node ---

    def label(self, node) -> str:
        return printable(node.name or node.output[0] if node.output else node.op_type, 80)

    def fail(self, node, id: str, **params: Any) -> SpecError:
        return SpecError(id, node=self.label(node), op=printable(node.op_type, 40), **params)

    def attrs(self, node) -> dict[str, Any]:
        return {a.name: self.onnx.helper.get_attribute_value(a) for a in node.attribute}

    def tensor(self, node, k: int = 0) -> str:
        """What `inputs` calls the node's input k: a tensor the network computes."""
        name = node.input[k]
        if name in self.constant or name not in self.tensors:
            raise self.fail(node, "error.import_constant_input", input=printable(name, 60))
        return self.tensors[name]

    def shape(self, node, name: str) -> tuple[int, ...]:
        if name not in self.shapes:
            raise self.fail(node, "error.import_shape_unknown", tensor=printable(name, 60))
        return self.shapes[name]

    def has(self, node, k: int) -> bool:
        return len(node.input) > k and bool(node.input[k])

    def weight_shape(self, node, k: int) -> tuple[int, ...]:
        """The shape of a weight input, through the Identity nodes that share an initializer."""
        name = node.input[k]
        if name not in self.constant:
            raise self.fail(node, "error.import_weight_computed", input=printable(name, 60))
        while name not in self.shapes and name in self.producer and self.producer[name].op_type == "Identity":
            name = self.producer[name].input[0]
        return self.shape(node, name)

    def value(self, node, k: int) -> list:
        """A constant input's values as a flat list (pads, sizes, bounds): read from its
        initializer or Constant, else worked out from the constant nodes that compute it."""
        name = node.input[k]
        if name not in self.constant:
            raise self.fail(node, "error.import_weight_computed", input=printable(name, 60))
        array = self._evaluate(node, name)
        if array.size > MAX_CONSTANT_ELEMENTS:
            raise self.fail(node, "error.import_constant_too_large", input=printable(name, 60), size=array.size,
                            limit=MAX_CONSTANT_ELEMENTS)
        return array.reshape(-1).tolist()

    def _evaluate(self, node, name: str):
        from onnx import helper, numpy_helper
        from onnx.reference import ReferenceEvaluator

        if name in self.initializers:
            return numpy_helper.to_array(self.initializers[name])
        nodes, weights = self._closure(node, name)
        graph = helper.make_graph(nodes, "constant", [], [helper.make_empty_tensor_value_info(name)], weights)
        model = helper.make_model(graph, opset_imports=self._opsets(), ir_version=self.onnx.IR_VERSION)
        try:
            return ReferenceEvaluator(model).run(None, {})[0]
        except Exception as e:  # the reference evaluator raises whatever its op raises
            raise self.fail(node, "error.import_constant_failed", input=printable(name, 60),
                            reason=printable(str(e).splitlines()[0] if str(e) else type(e).__name__, 80)) from None

    def _closure(self, node, name: str) -> tuple[list, list]:
        """The constant nodes and initializers `name` depends on; a Shape node becomes the
        Constant of its input's inferred shape."""
        import numpy as np
        from onnx import helper, numpy_helper

        order = {id(n): i for i, n in enumerate(self.graph.node)}
        nodes, weights, seen, stack = [], [], set(), [name]
        while stack:
            tensor = stack.pop()
            if not tensor or tensor in seen:
                continue
            seen.add(tensor)
            if len(seen) > MAX_CLOSURE:
                raise self.fail(node, "error.import_constant_too_large", input=printable(name, 60), size=len(seen),
                                limit=MAX_CLOSURE)
            if tensor in self.initializers:
                weights.append(self.initializers[tensor])
                continue
            producer = self.producer[tensor]
            if producer.op_type == "Shape":
                a = self.attrs(producer)
                dims = np.array(self.shape(node, producer.input[0]), dtype=np.int64)[a.get("start", 0):a.get("end")]
                nodes.append((order[id(producer)], helper.make_node("Constant", [], [tensor],
                                                                    value=numpy_helper.from_array(dims))))
                continue
            nodes.append((order[id(producer)], producer))
            stack.extend(producer.input)
        return [n for _, n in sorted(nodes, key=lambda pair: pair[0])], weights

    def _opsets(self) -> list:
        from onnx import helper

        return [helper.make_opsetid(o.domain, o.version) for o in self.opsets] or [helper.make_opsetid("", 17)]

    # --- writing entries ---

    def add(self, node, type_: str, inputs: list[str], name: str | None = None, **args: Any) -> str:
        name = name or self.name_for(node)
        self.entries.append({"type": type_, "name": name, "inputs": inputs, **args})
        if node.output:
            self.tensors[node.output[0]] = name
        return name

    def alias(self, node, tensor: str) -> None:
        for output in node.output:
            self.tensors[output] = tensor

    def name_for(self, node, suffix: str = "") -> str:
        """torchvision's module name where the exporter wrote its scope (`/layer1/layer1.0/conv1/Conv`
        → `layer1.0.conv1`), else the node's name; made unique with `.op`, then `_k`."""
        path, op = _module_path(node.name)
        base = printable((path or op or node.op_type.lower()) + suffix, MAX_NAME - 8)
        candidates = [base] + ([f"{base}.{op.lower()}"] if path and op and not suffix else [])
        for candidate in candidates:
            if candidate not in self.taken:
                self.taken.add(candidate)
                return candidate
        while True:  # ends: every try takes a new number
            self.counts[base] += 1
            candidate = f"{base}_{self.counts[base] + 1}"
            if candidate not in self.taken:
                self.taken.add(candidate)
                return candidate

    def only_consumer(self, name: str, op_type: str):
        users = self.consumers.get(name, [])
        return users[0] if len(users) == 1 and users[0].op_type == op_type else None


def _module_path(name: str) -> tuple[str, str]:
    """(`layer1.0.conv1`, `Conv`) from `/layer1/layer1.0/conv1/Conv`; (name, "") without scopes."""
    if "/" not in name:
        return name, ""
    parts: list[str] = []
    *scopes, op = [c for c in name.split("/") if c] or [""]
    for scope in scopes:
        if parts and scope.startswith(parts[-1] + "."):
            parts[-1] = scope
        else:
            parts.append(scope)
    return ".".join(parts), op


def _size(values) -> int | list[int]:
    """One number when every axis has it, else a list per axis: as a spec writes it."""
    values = [int(v) for v in values]
    return values[0] if len(set(values)) == 1 else values


def _window(walk: Walk, node, a: dict, rank: int, kernel: tuple[int, ...]) -> tuple[str, dict[str, Any]]:
    """The input (behind a zero-pad layer when the pads differ on the two sides, which convcalc's
    convolutions and pools do not take) and the window arguments."""
    x = walk.tensor(node)
    args = {"kernel_size": _size(kernel), "stride": _size(a.get("strides", [1] * rank)),
            "dilation": _size(a.get("dilations", [1] * rank))}
    auto = a.get("auto_pad", b"NOTSET")
    auto = auto.decode() if isinstance(auto, bytes) else auto
    if auto == "SAME_UPPER":
        return x, {**args, "padding": "same"}
    if auto == "VALID":
        return x, {**args, "padding": 0}
    if auto != "NOTSET":
        raise walk.fail(node, "error.import_attribute", attribute="auto_pad", value=echo(auto),
                        expected="NOTSET, SAME_UPPER or VALID")
    pads = list(a.get("pads", [0] * 2 * rank))
    begins, ends = pads[:rank], pads[rank:]
    if begins == ends:
        return x, {**args, "padding": _size(begins) if rank else 0}
    pad = walk.add(node, f"zeropad{rank}d", [x], name=walk.name_for(node, ".pad"),
                   padding=[[b, e] for b, e in zip(begins, ends)])
    return pad, {**args, "padding": 0}


def conv(walk: Walk, node) -> None:
    a, w = walk.attrs(node), walk.weight_shape(node, 1)
    rank = len(w) - 2
    _check_rank(walk, node, rank)
    x, window = _window(walk, node, a, rank, w[2:])
    walk.add(node, f"conv{rank}d", [x], filters=w[0], **window, groups=a.get("group", 1), bias=walk.has(node, 2))


def conv_transpose(walk: Walk, node) -> None:
    a, w = walk.attrs(node), walk.weight_shape(node, 1)
    rank = len(w) - 2
    _check_rank(walk, node, rank)
    if "output_shape" in a:
        raise walk.fail(node, "error.import_attribute", attribute="output_shape", value=echo(list(a["output_shape"])),
                        expected="pads and output_padding instead")
    x, window = _window(walk, node, a, rank, w[2:])
    if window["padding"] == "same":
        raise walk.fail(node, "error.import_attribute", attribute="auto_pad", value="SAME_UPPER", expected="pads")
    groups = a.get("group", 1)
    extra = {"output_padding": _size(a["output_padding"])} if any(a.get("output_padding", [])) else {}
    walk.add(node, f"conv_transpose{rank}d", [x], filters=w[1] * groups, **window, **extra, groups=groups,
             bias=walk.has(node, 2))


def _check_rank(walk: Walk, node, rank: int) -> None:
    if not 1 <= rank <= 3:
        raise walk.fail(node, "error.import_attribute", attribute="rank", value=rank + 2, expected="3 to 5 axes")


def pool(kind: str) -> Callable:
    def op(walk: Walk, node) -> None:
        a = walk.attrs(node)
        kernel = tuple(a["kernel_shape"])
        rank = len(kernel)
        _check_rank(walk, node, rank)
        x, window = _window(walk, node, a, rank, kernel)
        if window["padding"] == "same":
            raise walk.fail(node, "error.import_attribute", attribute="auto_pad", value="SAME_UPPER", expected="pads")
        window["pool_size"] = window.pop("kernel_size")
        if kind == "avg":
            window.pop("dilation")
            window["count_include_pad"] = bool(a.get("count_include_pad", 0))
        walk.add(node, f"{kind}pool{rank}d", [x], **window, ceil_mode=bool(a.get("ceil_mode", 0)))
    return op


def global_pool(kind: str) -> Callable:
    def op(walk: Walk, node) -> None:
        rank = len(walk.shape(node, node.input[0])) - 2
        _check_rank(walk, node, rank)
        walk.add(node, f"adaptive_{kind}pool{rank}d", [walk.tensor(node)], output_size=1)
    return op


def reduce(kind: str) -> Callable:
    """ReduceMean/ReduceMax over every spatial axis: a global pool (`x.mean((2, 3))`)."""
    def op(walk: Walk, node) -> None:
        a, rank = walk.attrs(node), len(walk.shape(node, node.input[0]))
        axes = a.get("axes") or (walk.value(node, 1) if walk.has(node, 1) else [])
        if sorted(ax % rank for ax in axes) != list(range(2, rank)):
            raise walk.fail(node, "error.import_attribute", attribute="axes", value=echo(list(axes)),
                            expected="every spatial axis (2 to the last)")
        if a.get("keepdims", 1):
            walk.add(node, f"adaptive_{kind}pool{rank - 2}d", [walk.tensor(node)], output_size=1)
        else:
            walk.add(node, f"global_{kind}pool", [walk.tensor(node)])
    return op


def gemm(walk: Walk, node) -> None:
    a, w = walk.attrs(node), walk.weight_shape(node, 1)
    if a.get("transA", 0):
        raise walk.fail(node, "error.import_attribute", attribute="transA", value=1, expected="0")
    walk.add(node, "dense", [walk.tensor(node)], units=w[0] if a.get("transB", 0) else w[1], bias=walk.has(node, 2))


def matmul(walk: Walk, node) -> None:
    """x·W with W a weight: a dense layer; an Add of a bias right after it is its bias."""
    w = walk.weight_shape(node, 1)
    if len(w) != 2:
        raise walk.fail(node, "error.import_attribute", attribute="weight rank", value=len(w), expected="2")
    add = walk.only_consumer(node.output[0], "Add")
    bias_input = next((k for k in (0, 1) if add is not None and add.input[k] in walk.constant), None)
    bias = bias_input is not None and walk.shapes.get(add.input[bias_input]) in ((w[1],), (1, w[1]))
    # in_features, as PyTorch's Linear declares it: a MatMul on a feature map works on its last axis
    name = walk.add(node, "dense", [walk.tensor(node)], units=w[1], bias=bias, in_features=w[0])
    if bias:
        walk.alias(add, name)
        walk.done.update(add.output)


def batchnorm(walk: Walk, node) -> None:
    a = walk.attrs(node)
    walk.add(node, "batchnorm", [walk.tensor(node)], eps=_float32(a.get("epsilon", 1e-5)),
             momentum=round(1 - a.get("momentum", 0.9), 6))  # ONNX keeps 1 − PyTorch's momentum


def instancenorm(walk: Walk, node) -> None:
    walk.add(node, "instancenorm", [walk.tensor(node)], eps=_float32(walk.attrs(node).get("epsilon", 1e-5)),
             affine=True)


def layernorm(walk: Walk, node) -> None:
    a, shape = walk.attrs(node), walk.shape(node, node.input[0])
    axis = a.get("axis", -1) % len(shape)
    if axis == 0:
        raise walk.fail(node, "error.import_attribute", attribute="axis", value=0, expected="1 or later")
    walk.add(node, "layernorm", [walk.tensor(node)], normalized_shape=list(shape[axis:]),
             eps=_float32(a.get("epsilon", 1e-5)), elementwise_affine=True, bias=walk.has(node, 2))


def _float32(value: float) -> float:
    """1e-05 for the float32 9.999999747378752e-06 an exporter stores."""
    return float(f"{value:.7g}")


def simple(type_: str) -> Callable:
    def op(walk: Walk, node) -> None:
        walk.add(node, type_, [walk.tensor(node)])
    return op


def gated(type_: str, gate: str) -> Callable:
    """Sigmoid(x) (HardSigmoid(x)) whose one use is Mul(x, ·): SiLU (hardswish) as exporters write it."""
    plain = simple(gate)

    def op(walk: Walk, node) -> None:
        mul = walk.only_consumer(node.output[0], "Mul")
        if mul is None or node.input[0] not in mul.input:
            return plain(walk, node)
        name = walk.add(node, type_, [walk.tensor(node)])
        walk.alias(mul, name)
        walk.done.update(mul.output)
    return op


def hardsigmoid(walk: Walk, node) -> None:
    a = walk.attrs(node)
    if not (isclose(a.get("alpha", 0.2), 1 / 6, rel_tol=1e-6) and isclose(a.get("beta", 0.5), 0.5)):
        raise walk.fail(node, "error.import_attribute", attribute="alpha", value=echo(a.get("alpha", 0.2)),
                        expected="1/6 with beta 0.5 (relu6(x + 3)/6)")
    gated("hardswish", "hardsigmoid")(walk, node)


def leaky_relu(walk: Walk, node) -> None:
    walk.add(node, "leaky_relu", [walk.tensor(node)], negative_slope=_float32(walk.attrs(node).get("alpha", 0.01)))


def elu(walk: Walk, node) -> None:
    walk.add(node, "elu", [walk.tensor(node)], alpha=_float32(walk.attrs(node).get("alpha", 1.0)))


def prelu(walk: Walk, node) -> None:
    walk.add(node, "prelu", [walk.tensor(node)], num_parameters=prod(walk.weight_shape(node, 1)))


def clip(walk: Walk, node) -> None:
    """Clip(0, 6) is relu6 (PyTorch's ReLU6 and hardtanh(0, 6)); Clip(0, ∞) is relu."""
    a = walk.attrs(node)
    low = walk.value(node, 1)[0] if walk.has(node, 1) else a.get("min", float("-inf"))
    high = walk.value(node, 2)[0] if walk.has(node, 2) else a.get("max", float("inf"))
    if low == 0 and high in (6, float("inf")):
        return walk.add(node, "relu6" if high == 6 else "relu", [walk.tensor(node)]) and None
    raise walk.fail(node, "error.import_attribute", attribute="min, max", value=echo([low, high]),
                    expected="0, 6 (relu6) or 0, none (relu)")


def softmax(walk: Walk, node) -> None:
    rank = len(walk.shape(node, node.input[0]))
    axis = walk.attrs(node).get("axis", -1) % rank
    if axis != 1:
        raise walk.fail(node, "error.import_attribute", attribute="axis", value=axis, expected="1 (the channels)")
    walk.add(node, "softmax", [walk.tensor(node)])


def elementwise(type_: str | None) -> Callable:
    """Two computed tensors: add or multiply. A scalar constant (an exporter's `x / 6`) changes
    no shape and holds no parameter: folded. A per-channel Mul weight is layer scale."""
    def op(walk: Walk, node) -> None:
        constants = [name for name in node.input if name in walk.constant]
        if not constants and type_:
            return walk.add(node, type_, [walk.tensor(node, k) for k in range(len(node.input))]) and None
        data = next((k for k, name in enumerate(node.input) if name not in walk.constant), None)
        size = prod(walk.weight_shape(node, list(node.input).index(constants[0]))) if constants else None
        if len(constants) == 1 and size == 1:
            return walk.alias(node, walk.tensor(node, data))
        channels = walk.shape(node, node.input[data])[1] if constants and len(constants) == 1 else None
        if type_ == "multiply" and size == channels:
            return walk.add(node, "scale", [walk.tensor(node, data)]) and None
        raise walk.fail(node, "error.import_elementwise", count=len(constants), size=echo(size))
    return op


def concat(walk: Walk, node) -> None:
    if len(node.input) == 1:  # torch.cat([x]): DenseNet's first layer of a block
        return walk.alias(node, walk.tensor(node))
    rank = len(walk.shape(node, node.output[0]))
    if walk.attrs(node).get("axis") % rank != 1:
        raise walk.fail(node, "error.import_attribute", attribute="axis", value=walk.attrs(node).get("axis"),
                        expected="1 (the channels)")
    walk.add(node, "concat", [walk.tensor(node, k) for k in range(len(node.input))])


def split(walk: Walk, node) -> None:
    rank = len(walk.shape(node, node.input[0]))
    axis = walk.attrs(node).get("axis", 0) % rank
    sizes = [walk.shape(node, out)[axis] for out in node.output]
    _sections(walk, node, axis, sizes, list(node.output))


def _sections(walk: Walk, node, axis: int, sizes: list[int], outputs: list[str | None]) -> None:
    """A split along `axis` into `sizes`; `outputs[k]` is the ONNX tensor section k is."""
    if axis == 0:
        raise walk.fail(node, "error.import_attribute", attribute="axis", value=0, expected="1 or later (not the batch)")
    if len(sizes) == 1:
        return walk.alias(node, walk.tensor(node))
    name = walk.add(node, "split", [walk.tensor(node)], sizes=sizes, axis=axis - 1)
    for k, output in enumerate(outputs):
        if output:
            walk.tensors[output] = f"{name}.{k}"


def slice_(walk: Walk, node) -> None:
    """A Slice of one axis with step 1 (`x.chunk(2, dim=1)`, `x[:, :c]`): a split whose section is it."""
    before, after = walk.shape(node, node.input[0]), walk.shape(node, node.output[0])
    changed = [axis for axis, (n, m) in enumerate(zip(before, after)) if n != m]
    if not changed:
        return walk.alias(node, walk.tensor(node))
    starts, axes = walk.value(node, 1), walk.value(node, 3) if walk.has(node, 3) else None
    steps = walk.value(node, 4) if walk.has(node, 4) else [1] * len(starts)
    axis = changed[0]
    k = [a % len(before) for a in axes].index(axis) if axes else axis
    if len(changed) > 1 or steps[k] != 1:
        raise walk.fail(node, "error.import_attribute", attribute="steps", value=echo(steps), expected="1, on one axis")
    start = min(max(starts[k] + before[axis] if starts[k] < 0 else starts[k], 0), before[axis])
    sizes = [start, after[axis], before[axis] - start - after[axis]]
    outputs = [None, node.output[0], None]
    kept = [(s, o) for s, o in zip(sizes, outputs) if s > 0]
    _sections(walk, node, axis, [s for s, _ in kept], [o for _, o in kept])


def flatten(walk: Walk, node) -> None:
    if walk.attrs(node).get("axis", 1) != 1:
        raise walk.fail(node, "error.import_attribute", attribute="axis", value=walk.attrs(node)["axis"],
                        expected="1")
    walk.add(node, "flatten", [walk.tensor(node)])


def reshape(walk: Walk, node) -> None:
    """Flatten, a channel shuffle (Reshape → Transpose(0, 2, 1, 3, 4) → Reshape back) or a reshape."""
    before, after = walk.shape(node, node.input[0]), walk.shape(node, node.output[0])
    if after[0] != before[0]:
        raise walk.fail(node, "error.import_attribute", attribute="shape", value=echo(list(after)),
                        expected=f"the batch ({before[0]}) kept first")
    if after == before:
        return walk.alias(node, walk.tensor(node))
    if len(after) == 2 and len(before) > 2:
        return walk.add(node, "flatten", [walk.tensor(node)]) and None
    if _channel_shuffle(walk, node, before, after):
        return None
    walk.add(node, "reshape", [walk.tensor(node)], shape=list(after[1:]))


def _channel_shuffle(walk: Walk, node, before: tuple[int, ...], after: tuple[int, ...]) -> bool:
    transpose = walk.only_consumer(node.output[0], "Transpose")
    back = transpose and walk.only_consumer(transpose.output[0], "Reshape")
    if not back or len(after) != len(before) + 1 or walk.attrs(transpose).get("perm") != [0, 2, 1, *range(3, len(after))]:
        return False
    if walk.shapes.get(back.output[0]) != before:
        return False
    name = walk.add(node, "channel_shuffle", [walk.tensor(node)], groups=after[1])
    walk.alias(back, name)
    walk.done.update((*transpose.output, *back.output))
    return True


def transpose(walk: Walk, node) -> None:
    perm = list(walk.attrs(node).get("perm", []))
    if not perm or perm[0] != 0:
        raise walk.fail(node, "error.import_attribute", attribute="perm", value=echo(perm),
                        expected="the batch (0) kept first")
    walk.add(node, "permute", [walk.tensor(node)], dims=perm)


def squeeze(walk: Walk, node) -> None:
    """Squeeze and Unsqueeze of a computed tensor: a reshape to the inferred shape."""
    reshape(walk, node)


def pad(walk: Walk, node) -> None:
    a = walk.attrs(node)
    mode = a.get("mode", b"constant")
    mode = mode.decode() if isinstance(mode, bytes) else mode
    pads = walk.value(node, 1) if walk.has(node, 1) else list(a.get("pads", []))
    rank = len(walk.shape(node, node.input[0]))
    if walk.has(node, 3):
        axes = [ax % rank for ax in walk.value(node, 3)]
        full = [0] * 2 * rank
        for i, ax in enumerate(axes):
            full[ax], full[rank + ax] = pads[i], pads[len(axes) + i]
        pads = full
    if mode != "constant" or any(pads[i] or pads[rank + i] for i in (0, 1)) or any(p < 0 for p in pads):
        raise walk.fail(node, "error.import_attribute", attribute="mode, pads", value=echo([mode, *pads]),
                        expected="constant, and zero or more cells on the spatial axes only")
    walk.add(node, f"zeropad{rank - 2}d", [walk.tensor(node)],
             padding=[[pads[i], pads[rank + i]] for i in range(2, rank)])


RESIZE_MODES = {("nearest", 1): "nearest", ("nearest", 2): "nearest", ("nearest", 3): "nearest",
                ("linear", 1): "linear", ("linear", 2): "bilinear", ("linear", 3): "trilinear", ("cubic", 2): "bicubic"}


def resize(walk: Walk, node) -> None:
    a, after = walk.attrs(node), walk.shape(node, node.output[0])
    mode = a.get("mode", b"nearest")
    mode = mode.decode() if isinstance(mode, bytes) else mode
    spatial = len(after) - 2
    if (mode, spatial) not in RESIZE_MODES:
        raise walk.fail(node, "error.import_attribute", attribute="mode", value=echo(mode),
                        expected="nearest, linear or cubic (2-D)")
    corners = a.get("coordinate_transformation_mode", b"half_pixel")
    extra = {"align_corners": corners in (b"align_corners", "align_corners")} if mode != "nearest" else {}
    walk.add(node, "upsample", [walk.tensor(node)], size=_size(after[2:]), mode=RESIZE_MODES[mode, spatial], **extra)


def dropout(walk: Walk, node) -> None:
    rate = walk.value(node, 1)[0] if walk.has(node, 1) else walk.attrs(node).get("ratio", 0.5)
    walk.add(node, "dropout", [walk.tensor(node)], rate=_float32(rate))


def lrn(walk: Walk, node) -> None:
    a = walk.attrs(node)
    walk.add(node, "lrn", [walk.tensor(node)], size=a["size"], alpha=_float32(a.get("alpha", 1e-4)),
             beta=_float32(a.get("beta", 0.75)), k=_float32(a.get("bias", 1.0)))


def passthrough(walk: Walk, node) -> None:
    """Identity and Cast of a computed tensor: the same values, no layer."""
    walk.alias(node, walk.tensor(node))


OPS: dict[str, Callable[[Walk, Any], None]] = {
    "Conv": conv, "ConvTranspose": conv_transpose,
    "MaxPool": pool("max"), "AveragePool": pool("avg"),
    "GlobalAveragePool": global_pool("avg"), "GlobalMaxPool": global_pool("max"),
    "ReduceMean": reduce("avg"), "ReduceMax": reduce("max"),
    "Gemm": gemm, "MatMul": matmul,
    "BatchNormalization": batchnorm, "InstanceNormalization": instancenorm, "LayerNormalization": layernorm,
    "Relu": simple("relu"), "Tanh": simple("tanh"), "Gelu": simple("gelu"), "Mish": simple("mish"),
    "HardSwish": simple("hardswish"), "Sigmoid": gated("silu", "sigmoid"), "HardSigmoid": hardsigmoid,
    "LeakyRelu": leaky_relu, "Elu": elu, "PRelu": prelu, "Clip": clip, "Softmax": softmax,
    "Add": elementwise("add"), "Mul": elementwise("multiply"), "Div": elementwise(None), "Sub": elementwise(None),
    "Concat": concat, "Split": split, "Slice": slice_, "Flatten": flatten,
    "Reshape": reshape, "Transpose": transpose, "Squeeze": squeeze, "Unsqueeze": squeeze,
    "Pad": pad, "Resize": resize, "Upsample": resize, "Dropout": dropout, "LRN": lrn,
    "Identity": passthrough, "Cast": passthrough,
}
