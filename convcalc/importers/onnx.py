"""An ONNX graph → a spec's data, node by node.

Bounded before the work: the file's size, then (after protobuf's own bounded parse: it refuses
nesting deeper than 100 messages) the counts of nodes and initializers, before shape inference
or any walk. Shapes come from ONNX's shape inference with the input's sizes fixed, so a
Reshape's target and a Resize's output size are read from the graph, whatever chain of
Shape/Gather/Unsqueeze/Concat nodes an exporter wrote to compute them. Nodes whose inputs are
all constants (Constant, Shape of a fixed-size tensor, initializers, Identity copies of
initializers) are the exporter's arithmetic on constants: folded, never layers. The op → layer
table is `onnx_ops.OPS`.
"""

from __future__ import annotations


from convcalc.errors import SpecError, echo, printable
from convcalc.importers.common import Imported, read_model_bytes
from convcalc.messages import Message
from convcalc.spec.model import MAX_NAME

MAX_NODES = 200_000  # an exporter writes ~10 nodes of constant arithmetic per layer at most
MAX_INITIALIZERS = 200_000
MAX_INFERENCE_ROUNDS = 64  # shape inference again after pinning computed constants (ShuffleNet: 17)


def import_onnx(path: str, input_override: tuple[int, ...] | None = None) -> Imported:
    onnx = _onnx_package()
    model = _parse(onnx, read_model_bytes(path), echo(path))
    graph = model.graph
    for count, limit, what in ((len(graph.node), MAX_NODES, "phrase.onnx_nodes"),
                               (len(graph.initializer), MAX_INITIALIZERS, "phrase.onnx_initializers")):
        if count > limit:
            raise SpecError("error.import_too_many_nodes", path=echo(path), count=count, limit=limit, what=Message(what))
    data_input = _data_input(graph, echo(path))
    if input_override:
        _set_input_shape(data_input, input_override)
    shapes = _inferred_shapes(onnx, model, echo(path))
    from convcalc.importers.onnx_ops import Walk

    walk = Walk(onnx=onnx, graph=graph, shapes=shapes, source=data_input.name, opsets=model.opset_import)
    for _ in range(MAX_INFERENCE_ROUNDS):
        if not walk.pin_constants():
            break
        walk.shapes = _inferred_shapes(onnx, model, echo(path))
    input_shape = _input_shape(data_input, shapes, echo(path))
    layers = walk.layers()
    return Imported(data={"name": _network_name(graph, path), "input": list(input_shape[1:]), "layers": layers},
                    notes=_notes(graph))


def _onnx_package():
    try:
        import onnx
    except ImportError:
        raise SpecError("error.import_onnx_extra") from None
    return onnx


def _parse(onnx, data: bytes, label: str):
    from google.protobuf.message import DecodeError

    model = onnx.ModelProto()
    try:
        model.ParseFromString(data)
    except (DecodeError, RuntimeError, ValueError) as e:
        raise SpecError("error.import_not_onnx", path=label, reason=printable(str(e) or type(e).__name__, 80)) from None
    if not model.HasField("graph") or not model.graph.node:
        raise SpecError("error.import_not_onnx", path=label, reason=Message("phrase.import_no_graph"))
    return model


def _data_input(graph, label: str):
    """The one graph input that is not an initializer (old exporters list weights as inputs)."""
    weights = {t.name for t in graph.initializer}
    inputs = [i for i in graph.input if i.name not in weights]
    if len(inputs) != 1:
        names = ", ".join(printable(i.name, 40) for i in inputs[:6]) or "—"
        raise SpecError("error.import_input_count", path=label, count=len(inputs), names=names)
    return inputs[0]


def _set_input_shape(value_info, sizes: tuple[int, ...]) -> None:
    shape = value_info.type.tensor_type.shape
    batch = shape.dim[0].dim_value if shape.dim and shape.dim[0].dim_value > 0 else 1
    del shape.dim[:]
    for size in (batch, *sizes):
        shape.dim.add().dim_value = size


def _dims(value_info) -> tuple[int | str, ...]:
    """A tensor's sizes: ints where fixed, the symbol (or "?") where not."""
    shape = value_info.type.tensor_type.shape
    return tuple(d.dim_value if d.HasField("dim_value") else (d.dim_param or "?") for d in shape.dim)


def _input_shape(value_info, shapes: dict[str, tuple[int, ...]], label: str) -> tuple[int, ...]:
    dims = _dims(value_info)
    if not 2 <= len(dims) <= 5 or not all(isinstance(d, int) and d > 0 for d in dims[1:]):
        raise SpecError("error.import_input_shape", path=label, name=printable(value_info.name, 40),
                        shape=echo(list(dims)))
    return shapes[value_info.name]


def _inferred_shapes(onnx, model, label: str) -> dict[str, tuple[int, ...]]:
    """Every tensor's fixed sizes that ONNX's shape inference finds (`data_prop` follows the
    Shape → Gather → Concat chains exporters write for a Reshape's target)."""
    try:
        inferred = onnx.shape_inference.infer_shapes(model, data_prop=True)
    except Exception as e:  # onnx raises its own InferenceError and ValueError subclasses
        raise SpecError("error.import_not_onnx", path=label, reason=printable(str(e).splitlines()[0], 80)) from None
    graph = inferred.graph
    shapes = {t.name: tuple(t.dims) for t in graph.initializer}
    for info in (*graph.input, *graph.value_info, *graph.output):
        dims = _dims(info)
        known = info.type.HasField("tensor_type") and info.type.tensor_type.HasField("shape")
        if known and all(isinstance(d, int) for d in dims):
            shapes[info.name] = dims
    dims = _dims(graph.input[0]) if graph.input else ()
    if dims and not isinstance(dims[0], int):  # a symbolic batch: the rest are still known
        shapes.setdefault(graph.input[0].name, (1, *dims[1:]))
    return shapes


def _network_name(graph, path: str) -> str:
    import os

    name = graph.name if graph.name and graph.name.isprintable() else ""
    if not name or name in ("main_graph", "torch_jit", "torch-jit-export"):
        name = os.path.splitext(os.path.basename(path))[0] or "network"
    return printable(name, MAX_NAME)


def _notes(graph) -> tuple[Message, ...]:
    """An inference export folds batchnorm into the convolutions before it: say so when a graph
    with convolutions has none, since the totals then differ from the trained model's."""
    ops = {node.op_type for node in graph.node}
    if ops & {"Conv", "ConvTranspose"} and "BatchNormalization" not in ops:
        return (Message("note.import_no_batchnorm"),)
    return ()

