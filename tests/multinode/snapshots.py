"""Set-up SQLite nodes kept between test runs, so that a second run starts in seconds.

``fdx setup`` costs about 30 s of CPU per node (migrations, the 611 reference substances …). After a SQLite
node's first set-up, the harness keeps a copy of its folder (database, key file, collected static files)
and its secret key under ``var/multinode-cache/``, and the next run copies that back instead of setting the
node up again: the node comes back as from its backup, with its own identity and key, its reference data
its own (their origin is that node). A copy is used only for the same node (name, country, role, region,
extra settings, demo data) and the same FDX: its key is a digest of every file of the ``fdx`` package and of
the installed packages' versions, so any change of code, migration or reference data sets the nodes up
afresh. PostgreSQL nodes are always set up afresh, in a database created for the run and dropped after it.

``FDX_MULTINODE_CACHE=off`` turns the cache off (every node set up); another value names the cache folder.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
import secrets
import shutil
import sys
import time
from functools import cache
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
#: What a kept copy holds and how; a change to it (or to how the harness sets a node up) raises it.
FORMAT = 2
#: A kept copy no run has used for this long is removed when another is kept.
UNUSED_DAYS = 7
#: What a node's folder holds that the copy leaves out (it is the run's, not the node's).
_NOT_KEPT = ("serve.log",)


def cache_folder() -> Path | None:
    """Where set-up nodes are kept, or None when ``FDX_MULTINODE_CACHE`` turns the cache off."""
    value = os.environ.get("FDX_MULTINODE_CACHE", "").strip()
    if value.lower() in ("off", "0", "no", "false"):
        return None
    return Path(value) if value else REPOSITORY / "var" / "multinode-cache"


def snapshot_path(folder: Path, node_name: str, identity: dict) -> Path:
    """The copy of the node described by ``identity`` (its spec and set-up options) for this FDX:
    ``NAME-IDENTITY-FDX`` (two digests)."""
    described = json.dumps({"format": FORMAT, **identity}, sort_keys=True).encode()
    return folder / f"{node_name}-{hashlib.sha256(described).hexdigest()[:12]}-{_fdx_digest()[:16]}"


def restore(snapshot: Path, node_folder: Path) -> tuple[str, str] | None:
    """Copy a kept node into ``node_folder``; its secret key and what its set-up printed, or None when there
    is no copy to use."""
    secret, output = snapshot / "secret_key", snapshot / "setup.out"
    if not (secret.is_file() and output.is_file()):
        return None
    shutil.copytree(snapshot / "node", node_folder, dirs_exist_ok=True, symlinks=True)
    os.utime(snapshot)  # used now: not pruned as unused
    return secret.read_text(encoding="ascii").strip(), output.read_text(encoding="utf-8")


def keep(snapshot: Path, node_folder: Path, secret_key: str, setup_output: str) -> None:
    """Keep a copy of a node just set up (with its secret key and what its set-up printed), replacing older
    copies of the same node. Two runs keeping the same node at once is harmless: the first to land stays."""
    snapshot.parent.mkdir(parents=True, exist_ok=True)
    partial = snapshot.with_name(f".{snapshot.name}-{secrets.token_hex(4)}")
    shutil.copytree(node_folder, partial / "node", symlinks=True, ignore=shutil.ignore_patterns(*_NOT_KEPT))
    os.chmod(partial, 0o700)
    (partial / "setup.out").write_text(setup_output, encoding="utf-8")
    # the secret key last: a copy with it is whole
    (partial / "secret_key").write_text(secret_key + "\n", encoding="ascii")
    try:
        partial.rename(snapshot)
    except OSError:  # another run kept it first
        shutil.rmtree(partial, ignore_errors=True)
        return
    same_node = snapshot.name.rsplit("-", 1)[0]
    unused_since = time.time() - UNUSED_DAYS * 86400
    for older in snapshot.parent.iterdir():
        if older == snapshot or older.name.startswith("."):
            continue
        # the copies of this node for another FDX, and any copy no run has used for a while
        if older.name.rsplit("-", 1)[0] == same_node or older.stat().st_mtime < unused_since:
            shutil.rmtree(older, ignore_errors=True)


@cache
def _fdx_digest() -> str:
    """A digest of the ``fdx`` package the nodes run (every file but compiled ones) and of the versions of
    the installed packages (RDKit, Django … shape what set-up writes)."""
    spec = importlib.util.find_spec("fdx")
    package = Path(next(iter(spec.submodule_search_locations)))
    digest = hashlib.sha256(sys.version.encode())
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".mo"):
            digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes() + b"\0")
    versions = sorted(f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions())
    digest.update("\n".join(versions).encode())
    return digest.hexdigest()
