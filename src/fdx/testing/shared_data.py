"""Where the workspace's shared public data lives (``../shared/data`` beside the checkout)."""

import os
from pathlib import Path

import pytest

_REPO = Path(__file__).resolve().parents[3]


def shared_data_dir() -> Path:
    """``$FDX_SHARED_DATA`` if set, else ``../shared/data`` relative to the checkout."""
    return Path(os.environ.get("FDX_SHARED_DATA") or _REPO.parent / "shared" / "data")


def shared_file(relative: str) -> Path:
    """A file of the shared data; the calling test is skipped when the shared data is not there."""
    path = shared_data_dir() / relative
    if not path.exists():
        pytest.skip(f"shared data not found: {path} (set FDX_SHARED_DATA)")
    return path
