"""Django's ``gettext`` takes no keyword arguments: ``_("… %(x)s", x=…)`` is a TypeError at run time (a 500
on the page that says it). Every call in the source is checked here; the Django-free ``translated`` helper of
the spectrum readers (``fdx.spectra.science.wording``), which does take keywords, is told apart by its import.
"""

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "src" / "fdx"
DJANGO_FUNCTIONS = {
    "gettext", "gettext_lazy", "pgettext", "pgettext_lazy", "ngettext", "ngettext_lazy", "npgettext",
    "npgettext_lazy", "gettext_noop",
}  # fmt: skip


def django_gettext_calls_with_keywords(tree: ast.AST) -> list[int]:
    """Lines of calls, in one module, of a Django translation function (by any local name) with keywords."""
    local = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation"
        for alias in node.names
        if alias.name in DJANGO_FUNCTIONS
    }
    lines = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.keywords):
            continue
        function = node.func
        by_name = isinstance(function, ast.Name) and function.id in local
        by_module = isinstance(function, ast.Attribute) and function.attr in DJANGO_FUNCTIONS
        if by_name or by_module:
            lines.append(node.lineno)
    return lines


def test_no_django_gettext_call_has_keyword_arguments():
    found = [
        f"{path.relative_to(SOURCE)}:{line}"
        for path in sorted(SOURCE.rglob("*.py"))
        for line in django_gettext_calls_with_keywords(ast.parse(path.read_text(encoding="utf-8")))
    ]

    assert found == []


def test_the_check_finds_a_keyword_call_and_spares_the_spectra_helper():
    django = ast.parse('from django.utils.translation import gettext as _\n_("%(n)s files", n=2)\n')
    helper = ast.parse('from fdx.spectra.science.wording import translated as _\n_("%(n)s files", n=2)\n')

    assert django_gettext_calls_with_keywords(django) == [2]
    assert django_gettext_calls_with_keywords(helper) == []
