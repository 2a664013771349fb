"""Bundle the widget's ES modules into plain scripts, without Node.

The widget is written as small ES modules in ``widget/src`` that follow one convention:

* imports are single-line and relative: ``import { a, b } from './x.js';``
* exports are declarations: ``export function``, ``export const``, ``export let``, ``export class``
* top-level names are unique across the modules of a bundle (they end up in one scope).

``build_bundle(entry)`` orders the modules an entry reaches by their imports (depth first, each
module after the ones it imports), strips the import lines and ``export`` keywords, wraps the
result in one strict-mode IIFE and minifies it with rjsmin. Breaking the convention (an import
of another form, a missing module or name, a cycle, a name declared twice) raises
``BundleError`` naming the file and line, instead of producing a bundle that fails in a browser.

``python widget/build.py [--out DIR]`` prints each bundle's raw and gzip size, checks them
against the budgets and optionally writes the bundles to DIR.
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path

import rjsmin

SRC_DIR = Path(__file__).resolve().parent / "src"

# Served file name -> entry module in SRC_DIR.
BUNDLES = {"widget.js": "loader.js", "panel.js": "panel.js"}

# Budgets in bytes of gzip -9 output: the loader is on every page view; the panel loads on first open.
LOADER_BUDGET = 3072
TOTAL_BUDGET = 15360

_IMPORT = re.compile(r"^import\s*\{(?P<names>[^}]*)\}\s*from\s*'\./(?P<module>[\w.-]+\.js)';?\s*$")
_EXPORT = re.compile(r"^export\s+(?=(?:async\s+)?function\b|const\b|let\b|class\b)")
_DECLARATION = re.compile(
    r"^(?:export\s+)?(?:async\s+)?(?:function\*?|const|let|var|class)\s+(?P<name>[A-Za-z_$][\w$]*)"
)
_IDENTIFIER = re.compile(r"^[A-Za-z_$][\w$]*$")


class BundleError(Exception):
    """The sources break the bundling convention; the message says where."""


@dataclass(frozen=True)
class Module:
    """One parsed source module."""

    name: str
    imports: dict[str, tuple[str, ...]]  # imported module -> names taken from it
    declared: dict[str, int]  # top-level name -> line number
    exported: frozenset[str]
    body: str  # the source without import lines and export keywords


def parse_module(name: str, source: str) -> Module:
    """Parse one module's source, checking it follows the convention."""
    imports: dict[str, tuple[str, ...]] = {}
    declared: dict[str, int] = {}
    exported: set[str] = set()
    body: list[str] = []
    for number, line in enumerate(source.splitlines(), start=1):
        where = f"{name}:{number}"
        if line.startswith("import"):
            match = _IMPORT.match(line)
            if not match:
                raise BundleError(
                    f"{where}: use `import {{ a, b }} from './x.js';` on one line, got {line!r}"
                )
            names = tuple(part.strip() for part in match["names"].split(",") if part.strip())
            if not names or not all(_IDENTIFIER.match(part) for part in names):
                raise BundleError(f"{where}: import plain names only (no `as`, no default), got {line!r}")
            imports.setdefault(match["module"], ())
            imports[match["module"]] += names
            continue
        if line.startswith("export"):
            if not _EXPORT.match(line):
                raise BundleError(
                    f"{where}: only `export function/const/let/class` is supported, got {line!r}"
                )
            line = _EXPORT.sub("", line, count=1)
            declaration = _DECLARATION.match(line)
            if declaration:
                exported.add(declaration["name"])
        declaration = _DECLARATION.match(line)
        if declaration:
            if declaration["name"] in declared:
                raise BundleError(
                    f"{where}: {declaration['name']} is already declared on line "
                    f"{declared[declaration['name']]}"
                )
            declared[declaration["name"]] = number
        body.append(line)
    return Module(name, imports, declared, frozenset(exported), "\n".join(body))


def read_module(name: str, src_dir: Path = SRC_DIR) -> Module:
    """Read and parse ``src_dir/name``."""
    path = src_dir / name
    if not path.is_file():
        raise BundleError(f"no module {name} in {src_dir}")
    return parse_module(name, path.read_text(encoding="utf-8"))


def ordered_modules(entry: str, src_dir: Path = SRC_DIR) -> list[Module]:
    """The modules ``entry`` reaches, each after the modules it imports."""
    ordered: list[Module] = []
    done: set[str] = set()
    in_progress: list[str] = []

    def visit(name: str, importer: str | None) -> None:
        if name in done:
            return
        if name in in_progress:
            cycle = " -> ".join([*in_progress[in_progress.index(name) :], name])
            raise BundleError(f"import cycle: {cycle}")
        if importer is not None and not (src_dir / name).is_file():
            raise BundleError(f"{importer} imports './{name}', which is not in {src_dir}")
        module = read_module(name, src_dir)
        in_progress.append(name)
        for dependency, names in module.imports.items():
            visit(dependency, name)
            missing = sorted(set(names) - next(m for m in ordered if m.name == dependency).exported)
            if missing:
                raise BundleError(
                    f"{name} imports {', '.join(missing)} from {dependency}, which does not export it"
                )
        in_progress.pop()
        done.add(name)
        ordered.append(module)

    visit(entry, None)
    owners: dict[str, str] = {}
    for module in ordered:
        for declared in module.declared:
            if declared in owners:
                raise BundleError(
                    f"{declared} is declared at top level in both {owners[declared]} and {module.name}"
                )
            owners[declared] = module.name
    return ordered


# --- Name mangling --------------------------------------------------------------------------
# rjsmin only removes whitespace and comments; with the names left long the loader cannot meet
# its budget. This mangler is deliberately narrow. It renames only names *declared* in the bundle
# (const/let/var/function/class, parameters, catch bindings, destructuring), resolving each use
# to its function scope, so short names can repeat from scope to scope as in terser. It never
# touches property names (after `.`, object keys, method names) and expands shorthand properties
# (`{ on }` -> `{on:x}`). Every identifier it leaves alone must be a keyword or a listed browser
# global: anything else (a typo, a missed declaration) stops the build instead of shipping.
# What it relies on beyond the module convention: statements end with `;`, no labels, no
# default values in parameters or destructuring, one name per const/let/var.


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


KEYWORDS = _words(
    """
    await async break case catch class const continue debugger default delete do else export extends
    false finally for function get if import in instanceof let new null of return set static super
    switch this throw true try typeof var void while with yield
"""
)
KNOWN_GLOBALS = _words(
    """
    Array Boolean CSSStyleSheet Date Error Infinity Intl JSON Map Math NaN Number Object Promise Set
    String Symbol TypeError URL Uint8Array WeakMap WebSocket addEventListener arguments clearInterval
    clearTimeout console crypto document encodeURIComponent fetch getComputedStyle globalThis isNaN
    localStorage location matchMedia navigator parseFloat parseInt queueMicrotask removeEventListener
    requestAnimationFrame setInterval setTimeout undefined window
"""
)

_TOKEN_PATTERNS = [
    ("space", re.compile(r"\s+")),
    ("comment", re.compile(r"//[^\n]*|/\*.*?\*/", re.S)),
    ("name", re.compile(r"[A-Za-z_$][\w$]*")),
    ("num", re.compile(r"(?:0[xXbBoO][\da-fA-F_]+|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?)n?")),
    ("str", re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"", re.S)),
]
_REGEX_LITERAL = re.compile(r"/(?:[^/\\\[\n]|\\.|\[(?:[^\]\\\n]|\\.)*\])+/[a-z]*")
_TEMPLATE_PART = re.compile(r"(?:[^`\\$]|\\.|\$(?!\{))*(?:`|\$\{)", re.S)
_PUNCTUATOR = re.compile(
    r">>>=|\.\.\.|===|!==|\*\*=|<<=|>>=|>>>|&&=|\|\|=|\?\?=|=>|==|!=|<=|>=|&&|\|\||\?\?|\?\.(?!\d)"
    r"|\+\+|--|[-+*/%&|^]=|\*\*|<<|>>|[{}()\[\];,<>+\-*/%&|^!~?:=.]"
)
# After these a `/` starts a regular expression, not a division.
_REGEX_AFTER_WORDS = _words("return typeof instanceof in of new delete void throw case do else yield await")
# After these a `{` opens an object literal (or a destructuring pattern), not a block.
_OBJECT_AFTER = _words("( [ , = : ? || && ?? ... return const let var")
_OPENERS = {"(": ")", "[": "]", "{": "}"}


@dataclass
class Token:
    """One lexical token; ``role`` is filled in for names by the analysis."""

    kind: str  # space, comment, name, num, str, regex, template, punct
    text: str
    line: int
    role: str = ""  # for names: identifier, property, key, method, shorthand


def tokenize(source: str, locate: Callable[[int], str]) -> list[Token]:
    """Split JavaScript source into tokens (enough of the grammar for this code base)."""
    tokens: list[Token] = []
    template_depths: list[int] = []  # bracket depth at each open `${`
    depth = 0
    position = 0
    line = 1
    previous: Token | None = None
    while position < len(source):
        char = source[position]
        kind, match = "", None
        if char == "`" or (char == "}" and template_depths and template_depths[-1] == depth):
            if char == "}":
                template_depths.pop()
            match = _TEMPLATE_PART.match(source, position + 1)
            if not match:
                raise BundleError(f"{locate(line)}: unterminated template literal")
            kind = "template"
            if match.group().endswith("${"):
                template_depths.append(depth)
        elif (
            char == "/" and source[position + 1 : position + 2] not in ("/", "*") and _regex_allowed(previous)
        ):
            match, kind = _REGEX_LITERAL.match(source, position), "regex"
        else:
            for candidate, pattern in _TOKEN_PATTERNS:
                match = pattern.match(source, position)
                if match:
                    kind = candidate
                    break
            else:
                match, kind = _PUNCTUATOR.match(source, position), "punct"
        if not match:
            raise BundleError(f"{locate(line)}: cannot read {source[position : position + 20]!r}")
        end = match.end()
        text = source[position:end]
        if kind == "punct":
            depth += 1 if text in _OPENERS else -1 if text in ")]}" else 0
        token = Token(kind, text, line)
        tokens.append(token)
        if kind not in ("space", "comment"):
            previous = token
        line += text.count("\n")
        position = end
    return tokens


def _regex_allowed(previous: Token | None) -> bool:
    if previous is None:
        return True
    if previous.kind == "name":
        return previous.text in _REGEX_AFTER_WORDS
    if previous.kind == "punct":
        return previous.text not in (")", "]", "}")
    return previous.kind == "template" and previous.text.endswith("${")


@dataclass(eq=False)
class Scope:
    """A function or catch clause: the code tokens where its bindings are visible."""

    start: int
    end: int  # exclusive
    parent: Scope | None = None
    children: list[Scope] = field(default_factory=list)
    references: dict[str, int] = field(default_factory=dict)  # binding -> times referenced
    renames: dict[str, str] = field(default_factory=dict)
    # Bindings of enclosing scopes referenced in here: their short names must not be reused here.
    outer: set[tuple[Scope, str]] = field(default_factory=set)


def mangle(source: str, locate: Callable[[int], str] = lambda line: f"line {line}") -> str:
    """Rename the names declared in ``source`` to short ones (see the section comment)."""
    tokens = tokenize(source, locate)
    code = [token for token in tokens if token.kind not in ("space", "comment")]
    partner = _classify(code, locate)
    root, scope_at = _build_scopes(code, partner, locate)
    for index in _binding_positions(code, partner, locate):
        name = code[index].text
        if name in KNOWN_GLOBALS or name in KEYWORDS:
            raise BundleError(f"{locate(code[index].line)}: do not declare {name}, a global or keyword")
        scope_at[index].references.setdefault(name, 0)
    resolved = _resolve(code, scope_at, locate)
    kept = {token.text for index, token in enumerate(code) if token.kind == "name" and index not in resolved}
    inlined = _inline_numeric_constants(code, resolved, root)
    _assign_short_names(root, kept)
    for index, scope in resolved.items():
        token = code[index]
        if token.kind == "space":  # the name in an inlined constant's (removed) declaration
            continue
        short = inlined.get((scope, token.text)) or scope.renames[token.text]
        token.text = short if token.role == "identifier" else f"{token.text}:{short}"
    _compact(code, partner)
    return "".join(token.text for token in tokens)


def _resolve(code: list[Token], scope_at: list[Scope], locate: Callable[[int], str]) -> dict[int, Scope]:
    """The declaring scope of each identifier; counts references and records outer ones."""
    resolved: dict[int, Scope] = {}
    for index, token in enumerate(code):
        if token.kind != "name" or token.role not in ("identifier", "shorthand") or token.text in KEYWORDS:
            continue
        scope: Scope | None = scope_at[index]
        while scope is not None and token.text not in scope.references:
            scope = scope.parent
        if scope is None:
            if token.text not in KNOWN_GLOBALS:
                raise BundleError(
                    f"{locate(token.line)}: {token.text} is not declared in the bundle "
                    "(a typo, or a browser global missing from KNOWN_GLOBALS)"
                )
            continue
        scope.references[token.text] += 1
        resolved[index] = scope
        inner: Scope | None = scope_at[index]
        while inner is not None and inner is not scope:
            inner.outer.add((scope, token.text))
            inner = inner.parent
    return resolved


def _compact(code: list[Token], partner: dict[int, int]) -> None:
    """Shorter spellings with the same meaning in strict, valid code: `let` for `const`,
    `!0`/`!1` for `true`/`false`, no `;` right before a `}`, no trailing commas."""
    for index, token in enumerate(code):
        following = code[index + 1].text if index + 1 < len(code) else ""
        if token.kind == "name" and token.role == "identifier":
            token.text = {"const": "let", "true": "!0", "false": "!1"}.get(token.text, token.text)
        elif token.text == ";" and following == "}" and not _is_empty_statement(code, partner, index):
            token.text = ""
        elif token.text == "," and following in (")", "]", "}") and code[index - 1].text not in (",", "["):
            token.text = ""  # a trailing comma (`[a,,]` keeps its hole)


def _is_empty_statement(code: list[Token], partner: dict[int, int], index: int) -> bool:
    """Whether the `;` at ``index`` is an empty statement (`if (x);`, `{;`), which must stay."""
    previous = code[index - 1]
    if previous.text in ("{", ";", "", "else", "do"):
        return True
    if previous.text == ")":
        opener = partner[index - 1]
        return opener > 0 and code[opener - 1].text in ("if", "for", "while", "with")
    return False


def _inline_numeric_constants(
    code: list[Token], resolved: dict[int, Scope], root: Scope
) -> dict[tuple[Scope, str], str]:
    """Top-level `const NAME = <number>;` declarations: removed, their uses replaced by the number."""
    inlined: dict[tuple[Scope, str], str] = {}
    iife = root.children[0] if root.children else root
    for index in range(len(code) - 4):
        keyword, name, equals, value, end = code[index : index + 5]
        if (
            keyword.text == "const"
            and keyword.role == "identifier"
            and resolved.get(index + 1) is iife
            and equals.text == "="
            and value.kind == "num"
            and end.text == ";"
        ):
            inlined[(iife, name.text)] = value.text
            del iife.references[name.text]
            for token in (keyword, name, equals, value, end):
                token.text = ""
                token.kind = "space"
    return inlined


def _assign_short_names(scope: Scope, kept: set[str]) -> None:
    """Most referenced first, each scope from the shortest names, so short names repeat (gzip likes it)."""
    avoid = kept | {outer.renames[name] for outer, name in scope.outer if name in outer.renames}
    candidates = (name for name in _short_names() if name not in avoid)
    for name in sorted(scope.references, key=lambda name: (-scope.references[name], name)):
        scope.renames[name] = next(candidates)
    for child in scope.children:
        _assign_short_names(child, kept)


def _classify(code: list[Token], locate: Callable[[int], str]) -> dict[int, int]:
    """Give each name token its role; return the index of each bracket's partner."""
    partner: dict[int, int] = {}
    stack: list[tuple[str, int]] = []  # (kind of bracket, index of its opener)
    class_body_next = False
    for index, token in enumerate(code):
        before = code[index - 1].text if index else ""
        after = code[index + 1].text if index + 1 < len(code) else ""
        context = stack[-1][0] if stack else "block"
        if token.kind == "name":
            token.role = "identifier"
            if before in (".", "?."):
                token.role = "property"
            elif context in ("object", "class") and (
                before in ("{", ",") or (context == "class" and before in "};")
            ):
                if after == ":":
                    token.role = "key"
                elif after == "(":
                    token.role = "method"
                elif after in (",", "}", "="):
                    token.role = "shorthand"
            if token.text == "class" and token.role == "identifier":
                class_body_next = True
            continue
        opens = token.text in _OPENERS or (token.kind == "template" and token.text.endswith("${"))
        closes = token.text in (")", "]", "}") or (token.kind == "template" and token.text.startswith("}"))
        if closes:
            if not stack or (token.kind == "punct") == (stack[-1][0] == "template"):
                raise BundleError(f"{locate(token.line)}: unbalanced {token.text!r}")
            _, opener = stack.pop()
            partner[opener], partner[index] = index, opener
        if opens:
            if token.kind == "template":
                kind = "template"
            elif token.text == "{":
                kind = "class" if class_body_next else "object" if before in _OBJECT_AFTER else "block"
                class_body_next = False
            else:
                kind = token.text
            stack.append((kind, index))
    if stack:
        opener_token = code[stack[-1][1]]
        raise BundleError(f"{locate(opener_token.line)}: unclosed {opener_token.text!r}")
    return partner


def _build_scopes(
    code: list[Token], partner: dict[int, int], locate: Callable[[int], str]
) -> tuple[Scope, list[Scope]]:
    """The tree of function scopes, and the innermost scope of each code token."""

    def block_after(params: int) -> int:
        body = partner[params] + 1
        if code[params].text != "(" or code[body].text != "{":
            raise BundleError(f"{locate(code[params].line)}: expected `(…) {{…}}` here")
        return partner[body] + 1

    spans: list[tuple[int, int]] = []
    for index, token in enumerate(code):
        if token.kind == "name" and token.role == "identifier" and token.text == "function":
            params = index + 1 + (code[index + 1].text == "*")
            params += code[params].kind == "name"
            spans.append((params, block_after(params)))
        elif token.role == "method" or (
            token.role == "identifier" and token.text == "catch" and code[index + 1].text == "("
        ):
            spans.append((index + 1, block_after(index + 1)))
        elif token.kind == "punct" and token.text == "=>":
            start = partner[index - 1] if code[index - 1].text == ")" else index - 1
            body = index + 1
            end = partner[body] + 1 if code[body].text == "{" else _expression_end(code, partner, body)
            spans.append((start, end))
    root = Scope(0, len(code))
    scope_at = [root] * len(code)
    open_scopes = [root]
    for start, end in sorted(spans, key=lambda span: (span[0], -span[1])):
        while not (open_scopes[-1].start <= start and end <= open_scopes[-1].end):
            open_scopes.pop()
        scope = Scope(start, end, open_scopes[-1])
        open_scopes[-1].children.append(scope)
        open_scopes.append(scope)
        scope_at[start:end] = [scope] * (end - start)
    return root, scope_at


def _expression_end(code: list[Token], partner: dict[int, int], index: int) -> int:
    """Where an arrow function's expression body ends: at a `,` `;` or an enclosing closer."""
    while index < len(code):
        token = code[index]
        if token.text in (",", ";", ")", "]", "}") or (
            token.kind == "template" and token.text.startswith("}")
        ):
            return index
        if token.text in _OPENERS or (token.kind == "template" and token.text.endswith("${")):
            index = partner[index]
            while code[index].kind == "template" and code[index].text.endswith("${"):
                index = partner[index]
        index += 1
    return index


def _binding_positions(code: list[Token], partner: dict[int, int], locate: Callable[[int], str]) -> list[int]:
    """Indices of the names that declarations, parameters, catch clauses and patterns bind."""
    positions: list[int] = []

    def bind_range(start: int, end: int) -> None:
        for index in range(start, end):
            token = code[index]
            if token.text == "=":
                raise BundleError(
                    f"{locate(token.line)}: default values in parameters or patterns are not supported"
                )
            if (
                token.kind == "name"
                and token.role in ("identifier", "shorthand")
                and token.text not in KEYWORDS
            ):
                positions.append(index)

    for index, token in enumerate(code):
        following = index + 1
        if token.kind == "punct" and token.text == "=>":
            if code[index - 1].text == ")":
                bind_range(partner[index - 1], index - 1)
            else:
                positions.append(index - 1)
        elif token.role == "method":
            bind_range(following, partner[following])
        elif token.kind != "name" or token.role != "identifier":
            continue
        elif token.text in ("const", "let", "var"):
            if code[following].text in ("{", "["):
                bind_range(following, partner[following])
                following = partner[following]
            else:
                positions.append(following)
            _check_single_declarator(code, partner, following + 1, locate)
        elif token.text in ("function", "class"):
            following += code[following].text == "*"
            if code[following].kind == "name" and code[following].text != "extends":
                positions.append(following)
                following += 1
            if token.text == "function":
                bind_range(following, partner[following])
        elif token.text == "catch" and code[following].text == "(":
            bind_range(following, partner[following])
    return positions


def _check_single_declarator(
    code: list[Token], partner: dict[int, int], index: int, locate: Callable[[int], str]
) -> None:
    """`let a = 1, b = 2;` would hide `b` from the mangler: one declaration per statement."""
    while index < len(code):
        token = code[index]
        if token.text in (";", ")", "]", "}", "of", "in"):
            return
        if token.text == ",":
            raise BundleError(f"{locate(token.line)}: declare one name per const/let/var statement")
        index = partner.get(index, index) + 1


# Never generated as short names: keywords and words reserved in strict mode or in some contexts.
_NOT_GENERATED = KEYWORDS | {"as", "enum", "eval", "from", "implements", "interface", "package", "private"}


def _short_names() -> Iterator[str]:
    """a, b, … Z, $, then two and three characters."""
    first = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$"
    rest = first + "0123456789"
    for length in range(1, 4):
        for chars in product(first, *([rest] * (length - 1))):
            name = "".join(chars)
            if name not in _NOT_GENERATED:
                yield name


def build_bundle(entry: str, src_dir: Path = SRC_DIR, *, mangle_names: bool = True) -> str:
    """Bundle the modules reached from ``entry`` into one minified IIFE."""
    modules = ordered_modules(entry, src_dir)
    joined = '(function(){"use strict";\n' + "\n".join(module.body for module in modules) + "\n})();\n"
    starts: list[tuple[int, str]] = []  # (first bundle line, module) to report errors in module terms
    line = 2
    for module in modules:
        starts.append((line, module.name))
        line += module.body.count("\n") + 1

    def locate(bundle_line: int) -> str:
        first, name = next((start for start in reversed(starts) if start[0] <= bundle_line), (1, entry))
        return f"{name}:{bundle_line - first + 1}"

    if mangle_names:
        joined = mangle(joined, locate)
    return str(rjsmin.jsmin(joined))


def gzip_size(text: str) -> int:
    """Bytes of ``text`` after gzip -9, the figure budgets are measured in."""
    return len(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))


def main(argv: list[str] | None = None) -> int:
    """Build every bundle, print sizes, check budgets; write bundles to --out if given."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, help="directory to write the bundles to")
    args = parser.parse_args(argv)
    sizes: dict[str, int] = {}
    for filename, entry in BUNDLES.items():
        bundle = build_bundle(entry)
        sizes[filename] = gzip_size(bundle)
        print(f"{filename:<10} {len(bundle.encode('utf-8')):>7} bytes raw {sizes[filename]:>6} bytes gzip")
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / filename).write_text(bundle, encoding="utf-8")
    total = sum(sizes.values())
    print(f"{'total':<10} {'':>17} {total:>6} bytes gzip")
    failures = []
    if sizes["widget.js"] > LOADER_BUDGET:
        failures.append(f"widget.js is {sizes['widget.js']} bytes gzip, over its {LOADER_BUDGET} budget")
    if total > TOTAL_BUDGET:
        failures.append(f"loader + panel are {total} bytes gzip, over the {TOTAL_BUDGET} budget")
    for failure in failures:
        print(f"OVER BUDGET: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
