"""`@record`: the data classes convcalc imports at start-up — frozen and keyword-only unless
told otherwise — without `dataclasses`.

`dataclasses.dataclass` writes each class's `__init__`, `__repr__`, `__eq__`, `__hash__` and
`__setattr__` as source text and compiles it: 1–2 ms a class, and the 31 classes that a cold
`convcalc summary` imports made that about a third of its time (the module itself brings in
`inspect`, `ast` and `dis`, a few more). Here the methods are shared functions that read the
class's field list; a class written with `@record` reads exactly like a dataclass.

    @record
    class Step:
        id: str
        value: Any = None
        params: tuple = ()
        notes: list[str] = field(default_factory=list)

Options: `frozen=False` (attributes can be set), `kw_only=False` (fields may be given by
position too, in order), `slots=True` (a `__slots__` class: no `__dict__`, no `cached_property`).
`replace(obj, **changes)` is `dataclasses.replace`; a frozen record's `cached_property` works as
on a frozen dataclass (it writes the instance's `__dict__`, not through `__setattr__`).
"""

from __future__ import annotations

import sys
from typing import Any, Callable

MISSING = object()

if sys.version_info >= (3, 11):  # type checkers and editors then read a record as a dataclass
    from typing import dataclass_transform
else:  # Python 3.10: no effect at run time either way
    def dataclass_transform(**kwargs: Any) -> Callable[[Any], Any]:
        return lambda function: function


class FrozenInstanceError(AttributeError):
    """Assigning to a field of a frozen record (dataclasses' error of the same name)."""


class Field:
    """A field's default, or the factory that makes a fresh default for each instance."""

    __slots__ = ("name", "default", "default_factory")

    def __init__(self, default: Any = MISSING, default_factory: Callable[[], Any] | Any = MISSING) -> None:
        self.name = ""
        self.default = default
        self.default_factory = default_factory


def field(*, default: Any = MISSING, default_factory: Callable[[], Any] | Any = MISSING) -> Any:
    return Field(default, default_factory)


@dataclass_transform(frozen_default=True, kw_only_default=True, field_specifiers=(field,))
def record(cls: type | None = None, /, *, frozen: bool = True, kw_only: bool = True, slots: bool = False) -> Any:
    def wrap(cls: type) -> type:
        return _build(cls, frozen, kw_only, slots)

    return wrap if cls is None else wrap(cls)


def fields(obj: Any) -> tuple[str, ...]:
    """The field names of a record class or instance, in order."""
    return tuple(obj.__record_fields__)


def asdict(obj: Any) -> Any:
    """A record as a dict of its fields, nested records, lists, tuples and dicts converted too
    (`dataclasses.asdict`): for the JSON edge."""
    if hasattr(type(obj), "__record_fields__"):
        return {name: asdict(getattr(obj, name)) for name in obj.__record_fields__}
    if isinstance(obj, (list, tuple)):
        return type(obj)(asdict(value) for value in obj)
    if isinstance(obj, dict):
        return {key: asdict(value) for key, value in obj.items()}
    return obj


def replace(obj: Any, **changes: Any) -> Any:
    """A copy of `obj` with some fields changed, through `__init__` (so its checks run again)."""
    values = {name: getattr(obj, name) for name in obj.__record_fields__}
    unknown = set(changes) - set(values)
    if unknown:
        raise TypeError(f"{type(obj).__name__} has no field {sorted(unknown)[0]!r}")
    return type(obj)(**{**values, **changes})


def _build(cls: type, frozen: bool, kw_only: bool, slots: bool) -> type:
    own = {}
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        if str(annotation).startswith(("ClassVar", "typing.ClassVar")):
            continue
        value = cls.__dict__.get(name, MISSING)
        own[name] = value if isinstance(value, Field) else Field(default=value)
        own[name].name = name
    inherited = {}
    for base in reversed(cls.__mro__[1:]):
        inherited.update(getattr(base, "__record_fields__", {}))
    if slots:  # a new class, as dataclasses make it: __slots__ only works at creation
        namespace = {key: value for key, value in cls.__dict__.items()
                     if key not in own and key not in ("__dict__", "__weakref__")}
        cls = type(cls)(cls.__name__, cls.__bases__, {**namespace, "__slots__": tuple(own)})
    else:
        for name, f in own.items():  # a plain default stays a class attribute, as dataclasses leave it
            if f.default is not MISSING:
                setattr(cls, name, f.default)
            elif name in cls.__dict__:
                delattr(cls, name)  # a field(default_factory=…)
    for name, method in _methods(cls, {**inherited, **own}, frozen, kw_only).items():
        setattr(cls, name, method)
    return cls


def _init_for(cls: type, plan: tuple[tuple[str, Any, Any], ...], kw_only: bool, post_init: Any) -> Callable[..., None]:
    """`def __init__(self, *, a, b=_default_b, c=_MISSING)`, one assignment a field."""
    scope: dict[str, Any] = {"_set": object.__setattr__, "_MISSING": MISSING, "_post_init": post_init}
    parameters, body = ["self", *(["*"] if kw_only else [])], []
    for name, default, factory in plan:
        if default is not MISSING:
            scope[f"_default_{name}"] = default
            parameters.append(f"{name}=_default_{name}")
        elif factory is not MISSING:
            scope[f"_factory_{name}"] = factory
            parameters.append(f"{name}=_MISSING")
            body.append(f"    if {name} is _MISSING: {name} = _factory_{name}()")
        else:
            parameters.append(name)
        body.append(f"    _set(self, {name!r}, {name})")
    if post_init is not None:
        body.append("    _post_init(self)")
    source = f"def __init__({', '.join(parameters)}):\n" + "\n".join(body or ["    pass"]) + "\n"
    exec(source, scope)  # noqa: S102 — built from the class's own field names, as dataclasses does
    init = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def _methods(cls: type, all_fields: dict[str, Field], frozen: bool, kw_only: bool) -> dict[str, Any]:
    qualname = cls.__qualname__
    post_init = getattr(cls, "__post_init__", None)
    names = tuple(all_fields)
    plan = tuple((f.name, f.default, f.default_factory) for f in all_fields.values())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Written out for this class on its first instance, then called directly: a
        straight-line __init__ is 3× faster than a loop over the fields, and a class never
        instantiated never pays for its source."""
        cls.__init__ = _init_for(cls, plan, kw_only, post_init)
        cls.__init__(self, *args, **kwargs)

    def _values(self: Any) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in names)

    def __repr__(self) -> str:
        return f"{qualname}({', '.join(f'{name}={getattr(self, name)!r}' for name in names)})"

    def __eq__(self, other: Any) -> Any:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return _values(self) == _values(other)

    methods: dict[str, Any] = {"__init__": __init__, "__repr__": __repr__, "__eq__": __eq__,
                               "__record_fields__": all_fields, "__match_args__": names}
    if frozen:
        def __setattr__(self, name: str, value: Any) -> None:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")

        def __delattr__(self, name: str) -> None:
            raise FrozenInstanceError(f"cannot delete field {name!r}")

        def __hash__(self) -> int:
            return hash(_values(self))

        methods.update(__setattr__=__setattr__, __delattr__=__delattr__, __hash__=__hash__)
    else:
        methods["__hash__"] = None  # mutable and compared by value: unhashable, as a dataclass
    return methods
