"""`convcalc.record`: the same behaviour as a frozen, keyword-only dataclass, case by case,
held against `dataclasses` itself."""

import dataclasses
from functools import cached_property

import pytest

from convcalc.record import FrozenInstanceError, field, fields, record, replace


@record
class Point:
    x: int
    y: int = 0
    tags: tuple = field(default_factory=tuple)

    @cached_property
    def norm1(self) -> int:
        return abs(self.x) + abs(self.y)


@dataclasses.dataclass(frozen=True, kw_only=True)
class DataPoint:
    x: int
    y: int = 0
    tags: tuple = dataclasses.field(default_factory=tuple)


@record(kw_only=False)
class Positional:
    name: str
    size: int = 1

    def __post_init__(self) -> None:
        if self.size < 1:
            raise ValueError(f"size {self.size} < 1")


@record(frozen=False, slots=True)
class Slotted:
    items: list = field(default_factory=list)
    count: int = 0


@record
class Child(Point):
    z: int = 5


@pytest.mark.parametrize("make", [Point, DataPoint])
def test_the_same_as_a_frozen_keyword_only_dataclass(make):
    p = make(x=3, y=-4)
    assert (p.x, p.y, p.tags) == (3, -4, ())
    assert p == make(x=3, y=-4) and p != make(x=3, y=4)
    assert hash(p) == hash(make(x=3, y=-4))
    assert repr(p) == f"{make.__qualname__}(x=3, y=-4, tags=())"
    with pytest.raises(TypeError):
        make(3)  # keyword-only
    with pytest.raises(TypeError):
        make()  # x is required
    with pytest.raises(TypeError):
        make(x=1, w=2)  # no such field
    with pytest.raises(AttributeError):  # FrozenInstanceError is an AttributeError in both
        p.x = 1


@pytest.mark.parametrize("case, check", [
    ("a fresh default from a factory each time", lambda: Slotted().items is not Slotted().items),
    ("a plain default stays a class attribute", lambda: Point.y == 0),
    ("replace runs __init__ again", lambda: replace(Point(x=1), y=2) == Point(x=1, y=2)),
    ("cached_property on a frozen record", lambda: Point(x=-2, y=3).norm1 == 5),
    ("positional fields in order", lambda: Positional("a", 2) == Positional(name="a", size=2)),
    ("fields in order, inherited first", lambda: fields(Child) == ("x", "y", "tags", "z")),
    ("a subclass keeps its parent's defaults", lambda: Child(x=1).z == 5 and Child(x=1).y == 0),
    ("different classes are never equal", lambda: Child(x=1) != Point(x=1)),
    ("slots: no __dict__", lambda: not hasattr(Slotted(), "__dict__") and Slotted.__slots__ == ("items", "count")),
    ("not frozen: attributes can be set", lambda: _set_count(Slotted()) == 7),
])
def test_behaviour(case, check):
    assert check(), case


def _set_count(s: Slotted) -> int:
    s.count = 7
    return s.count


def test_post_init_checks_and_errors_name_the_field():
    with pytest.raises(ValueError, match="size 0 < 1"):
        Positional("a", 0)
    with pytest.raises(ValueError, match="size -1"):
        replace(Positional("a"), size=-1)
    with pytest.raises(TypeError, match="no field 'colour'"):
        replace(Point(x=1), colour=2)
    with pytest.raises(FrozenInstanceError, match="cannot assign to field 'y'"):
        Point(x=1).y = 2
    with pytest.raises(TypeError, match="unhashable"):
        hash(Slotted())  # mutable and compared by value


def test_the_start_up_path_imports_no_dataclasses():
    """The point of `record`: a cold `convcalc summary` imports neither dataclasses nor inspect."""
    import subprocess
    import sys

    code = ("import sys; sys.argv = ['convcalc', 'summary', 'resnet50', '--format', 'json'];"
            "import io, contextlib\nfrom convcalc.launch import main\n"
            "try:\n    with contextlib.redirect_stdout(io.StringIO()):\n        main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('dataclasses', 'inspect', 'typer', 'rich', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
