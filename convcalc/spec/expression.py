"""Parameter expressions in blocks: `channels * 4`, `channels // reduction`, `index == 0`,
`make_divisible(channels * 0.25, 8)` — a small grammar read by hand, never by `eval`.

    or      := and ('or' and)*
    and     := not ('and' not)*
    not     := 'not' not | compare
    compare := sum (('==' | '!=' | '<' | '<=' | '>' | '>=') sum)?
    sum     := product (('+' | '-') product)*
    product := unary (('*' | '/' | '//' | '%') unary)*
    unary   := ('-' | '+') unary | atom
    atom    := number | true | false | name | function '(' or (',' or)* ')' | '(' or ')'

A text is parsed once into nested closures (cached per text), then called with the parameter
values. Bounded: at most MAX_TEXT characters, MAX_NESTING levels, and every number, after
every step, within ±MAX_NUMBER. `/` is true division; whole numbers stay ints otherwise.
A problem raises SpecError naming the expression; the caller adds where it is.
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable, Mapping

from convcalc.errors import SpecError, echo
from convcalc.messages import Message

MAX_TEXT = 200  # characters in one expression
MAX_NESTING = 32  # parentheses, calls and unary operators inside one another
MAX_NUMBER = 2**62  # |x| at every step of the arithmetic
MAX_CACHED = 4096  # parsed expressions kept

Env = Mapping[str, Any]
Compiled = Callable[[Env], Any]

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<float>(?:\d+\.\d*|\.\d+)(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+)
    | (?P<int>\d+)
    | (?P<name>[A-Za-z_][A-Za-z_0-9]*)
    | (?P<op>\*\*|//|==|!=|<=|>=|[-+*/%()<>,=!])
    )""", re.VERBOSE)
_SPECIAL = re.compile(r"[-+*/%()<>=!]")
_WORDS = frozenset(("and", "or", "not"))
_COMPARE = {
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}
RESERVED = frozenset(("and", "or", "not", "true", "false", "index"))


def make_divisible(v: float, divisor: int, min_value: int | None = None) -> int:
    """MobileNet's `_make_divisible` (torchvision.models._utils): the nearest multiple of
    `divisor`, at least `min_value`, and never more than 10% below `v`."""
    min_value = divisor if min_value is None else min_value
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


# name → (function, least arguments, most arguments or None)
FUNCTIONS: dict[str, tuple[Callable[..., Any], int, int | None]] = {
    "max": (lambda *values: max(values), 1, None),
    "min": (lambda *values: min(values), 1, None),
    "round": (round, 1, 1),
    "ceil": (math.ceil, 1, 1),
    "floor": (math.floor, 1, 1),
    "int": (int, 1, 1),
    "make_divisible": (make_divisible, 2, 3),
}


def looks_like_expression(text: str, names: Env) -> bool:
    """Whether a string value is an expression: exactly a parameter name, or it has an
    operator character, or the words and/or/not between other words. Else it is a word
    (`same`, `relu`, `nearest`)."""
    if text in names:
        return True
    if _SPECIAL.search(text):
        return True
    words = text.split()
    return len(words) > 1 and any(w in _WORDS for w in words)


def evaluate(text: str, env: Env) -> Any:
    """The value of the expression `text` with the parameters `env`."""
    return compiled(text)(env)


_CACHE: dict[str, Compiled] = {}


def compiled(text: str) -> Compiled:
    """`text` parsed into a function of the parameters, once per text."""
    found = _CACHE.get(text)
    if found is None:
        found = _Parser(text).parse()
        if len(_CACHE) < MAX_CACHED:
            _CACHE[text] = found
    return found


def _syntax(text: str, problem: str) -> SpecError:
    return SpecError("error.expr_syntax", expression=echo(text), problem=problem)


class _Parser:
    """Recursive descent over the tokens; each rule returns a closure of the parameters."""

    def __init__(self, text: str) -> None:
        if len(text) > MAX_TEXT:
            raise SpecError("error.expr_too_long", expression=echo(text), length=len(text), limit=MAX_TEXT)
        self.text = text
        self.tokens = self._tokens(text)
        self.at = 0
        self.depth = 0

    def _tokens(self, text: str) -> list[tuple[str, str, int]]:
        """(kind, text, column) for each token, then ("end", "", column)."""
        tokens, pos = [], 0
        while pos < len(text):
            if text[pos:].strip() == "":
                break
            match = _TOKEN.match(text, pos)
            if match is None:
                column = pos + len(text[pos:]) - len(text[pos:].lstrip()) + 1
                raise _syntax(text, Message("phrase.expr_bad_char", char=echo(text[column - 1]), column=column))
            kind = match.lastgroup
            tokens.append((kind, match.group(kind), match.start(kind) + 1))
            pos = match.end()
        tokens.append(("end", "", len(text) + 1))
        return tokens

    def parse(self) -> Compiled:
        result = self._or()
        kind, word, column = self.tokens[self.at]
        if kind != "end":
            raise self._unexpected(Message("phrase.expr_an_operator"))
        return result

    # --- helpers --------------------------------------------------------------------------------

    def _peek(self) -> str:
        kind, word, _ = self.tokens[self.at]
        return word if kind in ("op", "name") else kind

    def _take(self) -> tuple[str, str, int]:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def _expect(self, word: str) -> None:
        if self._peek() != word:
            raise self._unexpected(f"'{word}'")
        self.at += 1

    def _unexpected(self, expected: str) -> SpecError:
        kind, word, column = self.tokens[self.at]
        if word == "**":
            return _syntax(self.text, Message("phrase.expr_power", column=column))
        if word == "=":
            return _syntax(self.text, Message("phrase.expr_single_equals", column=column))
        if kind == "end":
            return _syntax(self.text, Message("phrase.expr_ends", expected=expected))
        return _syntax(self.text, Message("phrase.expr_unexpected", expected=expected, found=echo(word), column=column))

    def _deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise _syntax(self.text, Message("phrase.expr_nesting", limit=MAX_NESTING))

    # --- the grammar, loosest binding first -----------------------------------------------------

    def _or(self) -> Compiled:
        left = self._and()
        while self._peek() == "or":
            self.at += 1
            left = _logic(self.text, "or", left, self._and())
        return left

    def _and(self) -> Compiled:
        left = self._not()
        while self._peek() == "and":
            self.at += 1
            left = _logic(self.text, "and", left, self._not())
        return left

    def _not(self) -> Compiled:
        if self._peek() != "not":
            return self._compare()
        self.at += 1
        self._deeper()
        operand = self._not()
        self.depth -= 1
        text = self.text
        return lambda env: not _truth(text, "not", operand(env))

    def _compare(self) -> Compiled:
        left = self._sum()
        word = self._peek()
        if word not in _COMPARE:
            return left
        self.at += 1
        right, test, text = self._sum(), _COMPARE[word], self.text
        if word in ("==", "!="):
            return lambda env: test(left(env), right(env))
        return lambda env: test(_number(text, word, left(env)), _number(text, word, right(env)))

    def _sum(self) -> Compiled:
        left = self._product()
        while (word := self._peek()) in ("+", "-"):
            self.at += 1
            left = _arithmetic(self.text, word, left, self._product())
        return left

    def _product(self) -> Compiled:
        left = self._unary()
        while (word := self._peek()) in ("*", "/", "//", "%"):
            self.at += 1
            left = _arithmetic(self.text, word, left, self._unary())
        return left

    def _unary(self) -> Compiled:
        word = self._peek()
        if word not in ("-", "+"):
            return self._atom()
        self.at += 1
        self._deeper()
        operand = self._unary()
        self.depth -= 1
        text = self.text
        if word == "+":
            return lambda env: _number(text, "+", operand(env))
        return lambda env: -_number(text, "-", operand(env))

    def _atom(self) -> Compiled:
        kind, word, column = self.tokens[self.at]
        if kind == "int" or kind == "float":
            self.at += 1
            value = _bounded(self.text, int(word) if kind == "int" else float(word))
            return lambda env: value
        if word == "(":
            self.at += 1
            self._deeper()
            inner = self._or()
            self._expect(")")
            self.depth -= 1
            return inner
        if kind == "name" and word not in _WORDS:
            self.at += 1
            if self._peek() == "(":
                return self._call(word, column)
            return self._name(word)
        raise self._unexpected(Message("phrase.expr_a_value"))

    def _name(self, word: str) -> Compiled:
        if word in ("true", "false"):
            value = word == "true"
            return lambda env: value
        text = self.text

        def lookup(env: Env) -> Any:
            if word not in env:
                raise _unknown_name(text, word, env)
            return env[word]

        return lookup

    def _call(self, word: str, column: int) -> Compiled:
        if word not in FUNCTIONS:
            from convcalc.layers import suggest

            raise _syntax(self.text, Message("phrase.expr_unknown_function", name=echo(word), column=column,
                                             suggestion=suggest(word, list(FUNCTIONS)), functions=", ".join(FUNCTIONS)))
        self.at += 1  # the '('
        self._deeper()
        arguments = [self._or()]
        while self._peek() == ",":
            self.at += 1
            arguments.append(self._or())
        self._expect(")")
        self.depth -= 1
        function, least, most = FUNCTIONS[word]
        if len(arguments) < least or (most is not None and len(arguments) > most):
            counts = str(least) if least == most else f"{least} or more" if most is None else f"{least} to {most}"
            raise _syntax(self.text, Message("phrase.expr_arguments", name=word, expected=counts, count=len(arguments)))
        return _apply(self.text, word, function, arguments)


# --- evaluation: each step checks its operands and bounds its result ----------------------------

def _failure(text: str, problem: str) -> SpecError:
    return SpecError("error.expr_value", expression=echo(text), problem=problem)


def _unknown_name(text: str, word: str, env: Env) -> SpecError:
    from convcalc.layers import suggest

    names = [n for n in env if isinstance(n, str)]
    return _failure(text, Message("phrase.expr_unknown_name", name=echo(word), suggestion=suggest(word, names),
                                  names=", ".join(names) or "index"))


def _number(text: str, operator: str, value: Any) -> int | float:
    if type(value) is bool or not isinstance(value, (int, float)):
        raise _failure(text, Message("phrase.expr_not_number", operator=operator, value=echo(value)))
    return value


def _truth(text: str, operator: str, value: Any) -> bool:
    if type(value) is not bool:
        raise _failure(text, Message("phrase.expr_not_truth", operator=operator, value=echo(value)))
    return value


def _bounded(text: str, value: int | float) -> int | float:
    if not (-MAX_NUMBER <= value <= MAX_NUMBER):  # also refuses nan
        raise _failure(text, Message("phrase.expr_too_large", value=echo(value), limit="2**62"))
    return value


def _logic(text: str, word: str, left: Compiled, right: Compiled) -> Compiled:
    if word == "and":
        return lambda env: _truth(text, "and", left(env)) and _truth(text, "and", right(env))
    return lambda env: _truth(text, "or", left(env)) or _truth(text, "or", right(env))


_ARITHMETIC = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "/": lambda a, b: a / b, "//": lambda a, b: a // b, "%": lambda a, b: a % b,
}


def _arithmetic(text: str, word: str, left: Compiled, right: Compiled) -> Compiled:
    operation, divides = _ARITHMETIC[word], word in ("/", "//", "%")

    def apply(env: Env) -> int | float:
        a, b = _number(text, word, left(env)), _number(text, word, right(env))
        if divides and b == 0:
            raise _failure(text, Message("phrase.expr_zero_division", operator=word))
        return _bounded(text, operation(a, b))

    return apply


def _apply(text: str, word: str, function: Callable[..., Any], arguments: list[Compiled]) -> Compiled:
    def call(env: Env) -> Any:
        values = [_number(text, f"{word}()", a(env)) for a in arguments]
        if word == "make_divisible" and any(type(v) is not int or v < 1 for v in values[1:]):
            raise _failure(text, Message("phrase.expr_divisor", values=echo(values[1:])))
        return _bounded(text, function(*values))

    return call
