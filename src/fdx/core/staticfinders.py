"""Static files that come from Python packages rather than from an app's ``static/`` folder.

Plotly's bundled ``plotly.min.js`` is served as ``plotly/plotly.min.js``, so that charts work with no CDN
(FDX runs offline); only that file is exposed, not the rest of the package's data.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PACKAGED = {"plotly/plotly.min.js": ("plotly", "package_data/plotly.min.js")}


def _source(package: str, relative: str) -> Path:
    import importlib

    module = importlib.import_module(package)
    return Path(module.__file__).parent / relative


class PackageFileFinder(BaseFinder):
    """Finds the files of ``PACKAGED`` in their installed packages."""

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        if path not in PACKAGED:
            return [] if find_all else None
        source = str(_source(*PACKAGED[path]))
        return [source] if find_all else source

    def list(self, ignore_patterns):
        for path, (package, relative) in PACKAGED.items():
            source = _source(package, relative)
            folder = source.parent
            storage = FileSystemStorage(location=str(folder))
            storage.prefix = str(Path(path).parent)
            yield source.name, storage
