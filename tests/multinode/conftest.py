"""Fixtures of the multi-node tests: real FDX servers, each with its own database (see ``harness.py``)."""

from __future__ import annotations

import itertools
from contextlib import ExitStack

import pytest

from tests.multinode.harness import running_nodes


@pytest.fixture
def start_nodes(tmp_path):
    """``start_nodes(NodeSpec("kz", "KZ"), NodeSpec("uz", "UZ"), demo=False)``: the nodes, set up, served
    and yielded by name; stopped (and their PostgreSQL databases dropped) at the end of the test."""
    counter = itertools.count()
    with ExitStack() as stack:

        def start(*specs, **options):
            root = tmp_path / f"nodes-{next(counter)}"
            return stack.enter_context(running_nodes(root, *specs, **options))

        yield start
