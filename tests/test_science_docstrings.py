"""The Django-free science modules document every public function, class and method in NumPy style (STYLE.md).

The rule, checked on ``fdx.substances.chem``, the exchange's Django-free rules (``fdx.exchange.rules``,
``pseudonymise`` and ``messages``) and every module of ``fdx.spectra.science`` and ``fdx.legal.engine``: a
public function, class or method (its name does not start with ``_``) defined in the module has a docstring
that opens with a one-line summary; a ``Parameters`` section naming exactly its parameters other than ``self``
and ``cls`` (a class's are those of its hand-written ``__init__``); a ``Returns`` section where its return
annotation is not ``None``, or, without an annotation, where its body returns a value; and a ``Yields``
section where its body yields. Properties, and the methods a dataclass or a named tuple generates, are exempt.
The modules are imported by name inside the tests, so that this file imports nothing of FDX when it is
collected.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import importlib
import inspect
import pkgutil
import re
import textwrap

SCIENCE_MODULES = (
    "fdx.substances.chem",
    "fdx.exchange.rules",
    "fdx.exchange.pseudonymise",
    "fdx.exchange.messages",
)
SCIENCE_PACKAGES = ("fdx.spectra.science", "fdx.legal.engine")


def test_every_public_function_class_and_method_of_the_science_modules_is_documented():
    problems = [problem for module in _science_modules() for problem in _module_problems(module)]

    assert problems == []


def test_the_rule_reaches_functions_classes_methods_and_cached_functions():
    checked = {name for module in _science_modules() for name, _obj in _public_members(module)}

    assert {
        "fdx.substances.chem.parse",
        "fdx.substances.chem.depict_svg",  # behind functools.lru_cache
        "fdx.spectra.science.index.SpectralIndex",
        "fdx.spectra.science.index.SpectralIndex.search",
        "fdx.spectra.science.scores.QueryBlock.lookup",  # a static method
        "fdx.legal.engine.engine.Engine.assess",
        "fdx.legal.engine.structure.Query.from_text",  # a class method
        "fdx.legal.engine.amounts.describe_category",
    } <= checked
    assert "fdx.legal.engine.structure.Query.pattern" not in checked  # a property
    assert "fdx.legal.engine.answers.Answer.__init__" not in checked  # made by dataclass


# The rule, on small examples


def documented(query, jurisdictions, day=None):
    """Answer for a query in several jurisdictions.

    Parameters
    ----------
    query : str
        The structure.
    jurisdictions, day
        Where and when.

    Returns
    -------
    list
        One answer per jurisdiction.
    """
    return [query, jurisdictions, day]


def undocumented(query):
    return query


def two_line_summary() -> None:
    """The summary of this function runs
    on to a second line."""


def parameters_unnamed(query, day) -> None:
    """Check a query.

    Parameters
    ----------
    query : str
        The structure.
    """


def parameters_stale(query) -> None:
    """Check a query.

    Parameters
    ----------
    query, day : str
        The structure, and a parameter it no longer takes.
    """


def returns_a_value_unsaid(query):
    """Return the query.

    Parameters
    ----------
    query : str
        The structure.
    """
    if query:
        return query
    return None


def annotated_unsaid() -> int:
    """Return a number."""
    return 1


def returns_only_inside(values) -> None:
    """Sort the values in place.

    Parameters
    ----------
    values : list
        The values.
    """

    def key(value):
        return -value

    values.sort(key=key)


def yields_unsaid():
    """Count to three."""
    yield from range(3)


class Documented:
    """A class whose constructor takes one parameter.

    Parameters
    ----------
    size : int
        How many.
    """

    def __init__(self, size: int):
        self.size = size

    @property
    def double(self) -> int:
        return 2 * self.size

    def grow(self, by: int) -> None:
        """Grow by ``by``."""
        self.size += by


@dataclasses.dataclass
class Record:
    """A dataclass: its fields are its parameters, and need no Parameters section."""

    name: str


@dataclasses.dataclass
class Bare:
    name: str


def test_the_rule_on_examples():
    def said(obj):
        return [problem.split(": ", 1)[1] for problem in _problems(obj.__qualname__, obj)]

    assert said(documented) == []
    assert said(undocumented) == ["no docstring"]
    assert said(two_line_summary) == ["the summary is not one line followed by a blank line"]
    assert said(parameters_unnamed) == ["the Parameters section does not name ['day']"]
    assert said(parameters_stale) == ["the Parameters section names ['day'], which it does not take"]
    assert said(returns_a_value_unsaid) == ["no Returns section"]
    assert said(annotated_unsaid) == ["no Returns section"]
    assert said(returns_only_inside) == []
    assert said(yields_unsaid) == ["no Yields section"]
    assert said(Documented) == []
    assert said(Documented.grow) == ["no Parameters section"]
    assert said(Record) == []
    assert said(Bare) == ["no docstring"]  # not the signature dataclass writes in its place


# The walk


def _science_modules() -> list:
    names = list(SCIENCE_MODULES)
    for package in SCIENCE_PACKAGES:
        found = pkgutil.iter_modules(importlib.import_module(package).__path__)
        names += [f"{package}.{info.name}" for info in found]
    return [importlib.import_module(name) for name in sorted(names)]


def _module_problems(module) -> list[str]:
    return [problem for name, obj in _public_members(module) for problem in _problems(name, obj)]


def _public_members(module):
    """(qualified name, object) of the public functions, classes and methods defined in ``module``."""
    for name, value in vars(module).items():
        if name.startswith("_"):
            continue
        if inspect.isclass(value) and value.__module__ == module.__name__:
            yield f"{module.__name__}.{name}", value
            for method_name, method in vars(value).items():
                function = _function(method)
                if not method_name.startswith("_") and function is not None:
                    yield f"{module.__name__}.{name}.{method_name}", function
        elif (function := _function(value)) is not None and function.__module__ == module.__name__:
            yield f"{module.__name__}.{name}", function


def _function(value):
    """The plain function behind ``value`` (a function, a static or class method, a cached function), or
    None for anything else (a property among them)."""
    if isinstance(value, staticmethod | classmethod):
        value = value.__func__
    if isinstance(value, property | functools.cached_property):
        return None
    value = inspect.unwrap(value) if callable(value) else value
    return value if inspect.isfunction(value) else None


# The rule


def _problems(name: str, obj) -> list[str]:
    """What the docstring of ``obj`` (a class or a function) lacks, each as ``name: what``."""
    doc = _own_docstring(obj)
    if doc is None:
        return [f"{name}: no docstring"]
    problems = []
    lines = doc.splitlines()
    if len(lines) > 1 and lines[1].strip():
        problems.append("the summary is not one line followed by a blank line")
    if inspect.isclass(obj):
        initialiser = vars(obj).get("__init__")
        function = initialiser if inspect.isfunction(initialiser) and not _generated(obj) else None
    else:
        function = obj
    if function is not None:
        problems += _function_problems(function, doc)
    return [f"{name}: {problem}" for problem in problems]


def _own_docstring(obj) -> str | None:
    """The docstring written for ``obj``: not inherited, and not the signature a dataclass or a named tuple
    writes for a class that has none."""
    doc = vars(obj).get("__doc__") if inspect.isclass(obj) else obj.__doc__
    if not doc or not doc.strip() or (inspect.isclass(obj) and doc.startswith(f"{obj.__name__}(")):
        return None
    return inspect.cleandoc(doc)


def _generated(cls) -> bool:
    """Whether the class's ``__init__`` is the one a dataclass writes."""
    initialiser = vars(cls).get("__init__")
    return initialiser is not None and initialiser.__code__.co_filename != inspect.getsourcefile(cls)


def _function_problems(function, doc: str) -> list[str]:
    problems = []
    signature = inspect.signature(function)
    wanted = [p for p in signature.parameters if p not in ("self", "cls")]
    if wanted:
        section = _section(doc, "Parameters")
        if section is None:
            problems.append("no Parameters section")
        else:
            named = _named(section)
            if missing := [p for p in wanted if p not in named]:
                problems.append(f"the Parameters section does not name {missing}")
            if extra := sorted(named - set(wanted)):
                problems.append(f"the Parameters section names {extra}, which it does not take")
    if function.__name__ == "__init__":
        return problems
    returns, yields = _returns_and_yields(function)
    annotation = signature.return_annotation
    if annotation is not inspect.Signature.empty:
        returns = annotation not in (None, "None") and not yields
    if returns and _section(doc, "Returns") is None:
        problems.append("no Returns section")
    if yields and _section(doc, "Yields") is None:
        problems.append("no Yields section")
    return problems


def _section(doc: str, title: str) -> str | None:
    """The text of a NumPy section (its title underlined by as many dashes), up to the next section."""
    found = re.search(rf"^{title}\n-{{{len(title)}}}\n(.*?)(?=^\w[\w ]*\n-+$|\Z)", doc, re.M | re.S)
    return found[1] if found else None


def _named(section: str) -> set[str]:
    """The parameter names of a Parameters section: its unindented lines, before `` :`` (``a, b : int``)."""
    names = set()
    for line in section.splitlines():
        if line and not line[0].isspace():
            names.update(name.strip().lstrip("*") for name in line.split(" :")[0].split(","))
    return names


def _returns_and_yields(function) -> tuple[bool, bool]:
    """Whether the function's own body (not a function nested in it) returns a value, and whether it
    yields."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    returns = yields = False
    pending = list(ast.iter_child_nodes(tree.body[0]))
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        if isinstance(node, ast.Return) and node.value is not None:
            returns = returns or not (isinstance(node.value, ast.Constant) and node.value.value is None)
        yields = yields or isinstance(node, ast.Yield | ast.YieldFrom)
        pending.extend(ast.iter_child_nodes(node))
    return returns, yields
