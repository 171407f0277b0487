"""A small SVG 1.1 writer for the drawings: elements as strings, attributes in sorted order,
numbers rounded to a tenth, every text escaped — so the same network gives the same bytes.

No library: ElementTree would do, but a drawing is a few hundred flat elements, and writing
them here keeps the attribute order and the number format under our control.
"""

from __future__ import annotations

from convcalc.errors import printable

FONT = "Helvetica, Arial, sans-serif"
CHAR_WIDTH = 0.6  # a generous average glyph width, in em, for sizing boxes around text
_XML_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}


def escape(text: str) -> str:
    """Text safe inside an element or a quoted attribute (control characters already shown
    as `\\x07` by `printable`, so the XML stays well-formed whatever a name holds)."""
    return "".join(_XML_ESCAPES.get(c, c) for c in printable(text))


def num(x: float) -> str:
    """A coordinate: rounded to a tenth, no trailing zeros (`12`, `12.5`, `-3.1`)."""
    text = f"{round(x, 1):.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _attrs(attrs: dict) -> str:
    return "".join(f' {k}="{num(v) if isinstance(v, (int, float)) else escape(str(v))}"' for k, v in sorted(attrs.items()))


def element(tag: str, attrs: dict, content: str = "") -> str:
    """`<tag a="1" b="x">content</tag>`, or self-closed when empty; `content` is markup."""
    return f"<{tag}{_attrs(attrs)}>{content}</{tag}>" if content else f"<{tag}{_attrs(attrs)}/>"


def text(x: float, y: float, words: str, cls: str, anchor: str = "middle") -> str:
    """A line of text: real text in the file, selectable and searchable."""
    return element("text", {"x": x, "y": y, "class": cls, "text-anchor": anchor}, escape(words))


def points(pairs) -> str:
    return " ".join(f"{num(x)},{num(y)}" for x, y in pairs)


def text_width(words: str, size: float) -> float:
    return len(words) * size * CHAR_WIDTH


def clip(words: str, limit: int) -> str:
    """At most `limit` characters, cut with `…` (names are up to 128 characters long)."""
    return words if len(words) <= limit else words[: limit - 1] + "…"


def document(width: float, height: float, style: str, body: list[str], title: str) -> str:
    """The whole file: an SVG 1.1 root sized in pixels with a matching viewBox, a <title> for
    accessibility, the drawing's CSS, and the body, one element a line."""
    root = {"xmlns": "http://www.w3.org/2000/svg", "version": "1.1", "width": width, "height": height,
            "viewBox": f"0 0 {num(width)} {num(height)}", "font-family": FONT}
    lines = [f"<svg{_attrs(root)}>", element("title", {}, escape(title)),
             element("style", {"type": "text/css"}, style), *body, "</svg>"]
    return "\n".join(lines) + "\n"
