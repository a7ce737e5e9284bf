"""Compiling the translation catalogues (.po → .mo) with Babel: running FDX needs no GNU gettext."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"


class CatalogueError(ValueError):
    """A .po file that cannot be compiled; names the file and line."""


def catalogues(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    return sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))


def compile_catalogues(locale_dir: Path = LOCALE_DIR, force: bool = False) -> list[Path]:
    """Compile every .po under ``locale_dir`` whose .mo is missing or older; return the .mo files written."""
    written = []
    for po_path in catalogues(locale_dir):
        mo_path = po_path.with_suffix(".mo")
        if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with open(po_path, "rb") as handle:
            try:
                catalogue = read_po(handle, abort_invalid=True)
            except Exception as exc:  # babel raises PoFileError with the line number in its message
                raise CatalogueError(f"{po_path}: {exc}") from exc
        with open(mo_path, "wb") as handle:
            write_mo(handle, catalogue, use_fuzzy=False)
        written.append(mo_path)
    return written
