"""Real FDX nodes for the multi-node tests: each one ``fdx serve`` on a loopback port with its own database.

A ``Node`` is one FDX server as an operator runs it: its own environment (database, data folder, node name,
country and role, key file, secret key), set up with ``fdx setup`` and served by ``fdx serve`` (gunicorn, and
in local mode the background worker beside it). The test talks to it the ways an operator and a peer do —
HTTP on ``node.url``, the ``fdx`` command line on its database (``node.run_cli``) — and reads its database
directly (``node.sql``), to check what really landed there and not only what the API says.

``running_nodes(root, NodeSpec("kz", "KZ"), NodeSpec("hub", "KZ", role="hub"), …)`` sets the nodes up (at
the same time), starts them, and stops them and drops their PostgreSQL databases at the end, also when the
test fails. Each server runs under ``supervise.py`` as the leader of a process group of its own, which ends
the group when the test process is gone (even killed) or after a hard lifetime: no server outlives its
test. ``connect(a, b)`` registers the two nodes as each other's peers with ``fdx exchange peers add``.

Standard library only (plus psycopg for PostgreSQL nodes): the test process never loads a node's settings.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from tests.multinode import snapshots

SUPERVISOR = Path(__file__).with_name("supervise.py")
#: The environment a node does not inherit from the test process: it gets its own.
_OWN_VARIABLES = (
    "FDX_",
    "DJANGO_",
    "DATABASE_URL",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "PORT",
)
#: A server never lives longer than this, whatever happens to the test (seconds).
DEFAULT_LIFETIME_S = 900
SETUP_TIMEOUT_S = 300
START_TIMEOUT_S = 90
STOP_GRACE_S = 15


class NodeError(RuntimeError):
    """A node did not set up, start or answer; the message ends with the tail of its log."""


@dataclass(frozen=True)
class NodeSpec:
    """What a node is: ``name`` (a slug, also its peer name on the other nodes), country, role and database
    (``"sqlite"``, or ``"postgres"`` on the server of ``FDX_TEST_DATABASE_URL``)."""

    name: str
    country: str
    role: str = "national"
    database: str = "sqlite"
    region_countries: str = "KZ,KG,TJ,TM,UZ"
    background_worker: bool = True
    extra_env: dict[str, str] = field(default_factory=dict)


def kz_uz_hub(on_postgres: str = "hub") -> tuple[NodeSpec, ...]:
    """The network of the exchange tests: Kazakhstan's and Uzbekistan's national nodes and the regional hub;
    the node named ``on_postgres`` on PostgreSQL when ``FDX_TEST_DATABASE_URL`` names a server."""
    postgres = bool(os.environ.get("FDX_TEST_DATABASE_URL"))
    specs = (NodeSpec("kz", "KZ"), NodeSpec("uz", "UZ"), NodeSpec("hub", "KZ", role="hub"))
    return tuple(
        replace(spec, database="postgres") if postgres and spec.name == on_postgres else spec
        for spec in specs
    )


class Node:
    """One real FDX node: its folder under ``root``, its database, its server process."""

    def __init__(self, spec: NodeSpec, root: Path, *, postgres_url: str | None = None):
        self.spec = spec
        self.name = spec.name
        self.folder = root / spec.name
        self.folder.mkdir(parents=True, exist_ok=True)
        self.log_path = self.folder / "serve.log"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database = _Database.for_node(spec, self.folder, postgres_url)
        self.env = self._environment()
        #: The token this node presents when it calls each peer (peer name → token), handed over by
        #: ``connect`` (``hand_over_token``: ``fdx exchange peers set-token`` on this node).
        self.peer_tokens: dict[str, str] = {}
        self._process: subprocess.Popen | None = None
        self._info: dict | None = None
        self.restored = False  # set up by copying a node an earlier run had set up (``set_up``)
        #: What ``fdx setup`` printed (with ``demo``, the demo people's passwords and authenticator secrets).
        self.setup_output = ""

    def __repr__(self):
        return f"<Node {self.name} {self.url} {self.database.url}>"

    def _environment(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith(_OWN_VARIABLES)}
        env |= {
            "FDX_ENV_FILE": os.devnull,
            "FDX_MODE": "local",
            "FDX_VAR_DIR": str(self.folder / "var"),
            "DATABASE_URL": self.database.url,
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PORT": str(self.port),
            "FDX_WEB_WORKERS": "1",
            "FDX_NODE_NAME": f"FDX {self.name} (multi-node test)",
            "FDX_NODE_COUNTRY": self.spec.country,
            "FDX_NODE_ROLE": self.spec.role,
            "FDX_NODE_KEY_FILE": str(self.folder / "keys" / "ed25519.key"),
            "FDX_REGION_COUNTRIES": self.spec.region_countries,
            "FDX_LANGUAGE_CODE": "en",
            "COLUMNS": "200",  # rich wraps the command line's output at the terminal's width
        }
        return env | self.spec.extra_env

    # Set-up and the server's life

    def set_up(self, *, demo: bool = False, demo_cases: int = 0, use_cache: bool = True) -> None:
        """Create the database and run ``fdx setup`` (migrations, roles, the node's identity and key,
        reference data; the demo organisations and people, and ``demo_cases`` cases, only when asked).
        A SQLite node set up the same way by an earlier run of the same FDX is copied back instead
        (``snapshots.py``); ``self.restored`` says which happened."""
        snapshot = self._snapshot(demo=demo, demo_cases=demo_cases) if use_cache else None
        if snapshot is not None:
            restored = snapshots.restore(snapshot, self.folder)
            if restored:
                self.env["SECRET_KEY"], self.setup_output = restored
                self.restored = True
                return
        self.database.create()
        args = ["setup", "--quiet"]
        if demo:
            args += ["--demo", "--demo-cases", str(demo_cases)]
        self.setup_output = self.run_cli(*args, timeout=SETUP_TIMEOUT_S).stdout
        if snapshot is not None:
            snapshots.keep(snapshot, self.folder, self.env["SECRET_KEY"], self.setup_output)

    def _snapshot(self, *, demo: bool, demo_cases: int) -> Path | None:
        folder = snapshots.cache_folder()
        if folder is None or self.spec.database != "sqlite":
            return None
        identity = {
            "spec": {key: value for key, value in vars(self.spec).items() if key != "background_worker"},
            "demo": demo,
            "demo_cases": demo_cases if demo else 0,
        }
        return snapshots.snapshot_path(folder, self.name, identity)

    def start(self, *, timeout: float = START_TIMEOUT_S, lifetime_s: float = DEFAULT_LIFETIME_S) -> None:
        """Serve the node (again, on the same database and port) and wait until its health route answers."""
        if self.is_running():
            raise NodeError(f"{self.name} is already running")
        serve = [sys.executable, "-m", "fdx.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        if not self.spec.background_worker:
            serve.append("--no-background-worker")
        command = [sys.executable, str(SUPERVISOR), str(os.getpid()), str(lifetime_s), "--", *serve]
        with open(self.log_path, "a", encoding="utf-8") as log:
            log.write(f"==== starting {self.name} at {time.strftime('%H:%M:%S')} ====\n")
            log.flush()
            self._process = subprocess.Popen(
                command,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped as one, never by a broad name
            )
        self._wait_until_healthy(timeout)

    def _wait_until_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise NodeError(
                    f"{self.name}: fdx serve exited with {self._process.returncode}{self.log_tail()}"
                )
            try:
                if self.health()["status"] == "ok":
                    return
            except (OSError, ValueError):
                time.sleep(0.2)
        self.kill()
        raise NodeError(f"{self.name}: no answer from {self.url} within {timeout} s{self.log_tail()}")

    def is_running(self) -> bool:
        return self._process is not None and group_alive(self._process.pid)

    def stop(self, grace: float = STOP_GRACE_S) -> None:
        """Stop the server gracefully (SIGTERM to its process group), then SIGKILL whatever is left."""
        if self._process is None:
            return
        _signal_group(self._process.pid, signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=grace)
        self.kill()

    def kill(self) -> None:
        """SIGKILL the server and everything it started (a node that crashed); ``start()`` serves it again."""
        if self._process is None:
            return
        _signal_group(self._process.pid, signal.SIGKILL)
        self._process.wait(timeout=STOP_GRACE_S)
        group, self._process = self._process.pid, None
        deadline = time.monotonic() + STOP_GRACE_S
        while group_alive(group):
            if time.monotonic() > deadline:
                raise NodeError(
                    f"{self.name}: processes of group {group} outlived SIGKILL: {group_members(group)}"
                )
            time.sleep(0.05)

    @property
    def process_group(self) -> int | None:
        """The server's process group (the supervisor's pid), while it is running."""
        return self._process.pid if self._process is not None else None

    def destroy(self) -> None:
        """Stop the server and drop the node's PostgreSQL database (a SQLite file goes with the folder)."""
        try:
            self.stop()
        finally:
            self.database.drop()

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""
        return "\n---- " + str(self.log_path) + " ----\n" + "\n".join(text.splitlines()[-lines:])

    # What the test reads and runs

    def run_cli(self, *args: str, input: str | None = None, check: bool = True, timeout: float = 120):
        """Run ``fdx ARGS…`` on this node's database and settings; returns the ``CompletedProcess``."""
        result = subprocess.run(
            [sys.executable, "-m", "fdx.cli", *args],
            env=self.env,
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise NodeError(
                f"{self.name}: fdx {' '.join(args)} exited with {result.returncode}\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result

    def node_info(self) -> dict:
        """``fdx node show --json``: node_id, name, country, role, fingerprint, public_key, key_file …"""
        return json.loads(self.run_cli("node", "show", "--json").stdout)

    @property
    def info(self) -> dict:
        """``node_info()``, read once (the identity never changes; a rotated key does — ask again then)."""
        if self._info is None:
            self._info = self.node_info()
        return self._info

    def health(self) -> dict:
        """``GET /api/v1/health`` as JSON."""
        return self.get_json("/api/v1/health")

    def get_json(self, path: str, token: str | None = None, timeout: float = 10) -> dict:
        """``GET path`` on the node; the answer's JSON (an HTTP error raises ``urllib.error.HTTPError``)."""
        request = urllib.request.Request(self.url + path, headers={"Accept": "application/json"})  # noqa: S310
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (loopback)
            return json.loads(response.read())

    def sql(self, query: str, params: tuple | list | dict = ()) -> list[tuple]:
        """Rows of ``query`` on the node's own database. Values go in ``params`` only, with ``%s``
        placeholders (``%(name)s`` for a dict), as Django's cursors take them, on SQLite too."""
        return self.database.query(query, params)

    def scalar(self, query: str, params: tuple | list | dict = ()):
        """The one value of a one-row, one-column ``query``."""
        rows = self.sql(query, params)
        if len(rows) != 1 or len(rows[0]) != 1:
            raise NodeError(f"{self.name}: expected one value, got {rows!r}")
        return rows[0][0]


# The databases


class _Database:
    """A node's database: a SQLite file in its folder, or a PostgreSQL database created for it."""

    url: str

    @staticmethod
    def for_node(spec: NodeSpec, folder: Path, postgres_url: str | None) -> _Database:
        if spec.database == "sqlite":
            return _SqliteDatabase(folder / "var" / "fdx.sqlite3")
        if spec.database == "postgres":
            if not postgres_url:
                raise NodeError(f"{spec.name}: a PostgreSQL node needs FDX_TEST_DATABASE_URL (its server)")
            return _PostgresDatabase(postgres_url, spec.name)
        raise NodeError(f"{spec.name}: database must be sqlite or postgres, not {spec.database!r}")

    def create(self) -> None: ...

    def drop(self) -> None: ...

    def query(self, query: str, params) -> list[tuple]:
        raise NotImplementedError


class _SqliteDatabase(_Database):
    def __init__(self, path: Path):
        self.path = path
        self.url = f"sqlite:///{path}"

    def query(self, query: str, params) -> list[tuple]:
        if isinstance(params, dict):  # %(name)s → :name
            query = re.sub(r"(?<!%)%\((\w+)\)s", r":\1", query)
        else:  # %s → ? (what Django's SQLite backend does)
            query = re.sub(r"(?<!%)%s", "?", query)
        connection = sqlite3.connect(self.path, timeout=20)
        try:
            return connection.execute(query.replace("%%", "%"), params).fetchall()
        finally:
            connection.close()


class _PostgresDatabase(_Database):
    def __init__(self, server_url: str, node_name: str):
        parts = urllib.parse.urlsplit(server_url)
        base = parts.path.lstrip("/") or "fdx"
        # Fresh for each run, so that two runs (or a run that was killed) never share one.
        self.name = f"{base}_node_{node_name}_{secrets.token_hex(3)}"[:63]
        self.url = urllib.parse.urlunsplit(parts._replace(path="/" + self.name))
        self._server_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
        self._created = False

    def create(self) -> None:
        from psycopg import sql

        with self._connect(self._server_url) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
        self._created = True

    def drop(self) -> None:
        if not self._created:
            return
        from psycopg import sql

        with self._connect(self._server_url) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name))
            )
        self._created = False

    def query(self, query: str, params) -> list[tuple]:
        with self._connect(self.url) as connection:
            cursor = connection.execute(query, params or None)
            return cursor.fetchall() if cursor.description else []

    @staticmethod
    def _connect(url: str):
        import psycopg

        return psycopg.connect(url, autocommit=True, connect_timeout=10)


# Many nodes


@contextmanager
def running_nodes(
    root: Path,
    *specs: NodeSpec,
    postgres_url: str | None = None,
    demo: bool = False,
    demo_cases: int = 0,
    use_cache: bool = True,
) -> Iterator[dict[str, Node]]:
    """Set up and start a node for each spec (set-ups and starts run side by side); yield them by name.
    At the end — also after a failure — every server is stopped and every PostgreSQL database dropped.
    ``use_cache=False`` sets every node up with ``fdx setup``, even where a kept copy could serve."""
    postgres_url = postgres_url or os.environ.get("FDX_TEST_DATABASE_URL") or None
    nodes = {spec.name: Node(spec, Path(root), postgres_url=postgres_url) for spec in specs}
    if len(nodes) != len(specs):
        raise NodeError("two nodes have the same name")
    with ExitStack() as stack:
        stack.callback(in_parallel, [node.destroy for node in nodes.values()])
        options = {"demo": demo, "demo_cases": demo_cases, "use_cache": use_cache}
        in_parallel([partial(_bring_up, node, **options) for node in nodes.values()])
        yield nodes


def _bring_up(node: Node, **options) -> None:
    node.set_up(**options)
    node.start()
    _ = node.info  # what its administrator reads out to the others' administrators (``connect`` needs it)


def in_parallel(calls: list[Callable[[], object]]) -> list:
    """Run the calls side by side (each node is processes of its own: threads only wait for them); their
    results in order, or the first failure once every call has ended."""
    if not calls:
        return []
    with ThreadPoolExecutor(max_workers=min(len(calls), 8)) as pool:
        futures = [pool.submit(call) for call in calls]
    return [future.result() for future in futures]


# Peers


@dataclass(frozen=True)
class Link:
    """Two nodes registered as each other's peers, and the peer token each one printed for the other."""

    a: Node
    b: Node
    token_from_a: str  # printed by ``a`` when it registered ``b``: ``b`` presents it when it calls ``a``
    token_from_b: str  # printed by ``b`` when it registered ``a``: ``a`` presents it when it calls ``b``


def connect(a: Node, b: Node) -> Link:
    """Register ``b`` as a peer of ``a`` and ``a`` as a peer of ``b`` (``fdx exchange peers add`` on each,
    with the other's identifier, key fingerprint and public key, role and country; a hub as relaying, with
    the regional centre it hosts where that organisation exists on the registering node). Each token is
    then handed to the node that presents it (``hand_over_token``)."""
    return connect_all((a, b))[0]


def connect_all(*pairs: tuple[Node, Node]) -> list[Link]:
    """``connect`` for every pair, all registrations side by side; the links in the order of the pairs."""
    calls = [partial(add_peer, on=on, peer=peer) for a, b in pairs for on, peer in ((a, b), (b, a))]
    tokens = iter(in_parallel(calls))
    links = [Link(a=a, b=b, token_from_a=next(tokens), token_from_b=next(tokens)) for a, b in pairs]
    in_parallel(
        [partial(hand_over_token, holder=link.b, peer=link.a, token=link.token_from_a) for link in links]
        + [partial(hand_over_token, holder=link.a, peer=link.b, token=link.token_from_b) for link in links]
    )
    return links


def add_peer(*, on: Node, peer: Node) -> str:
    """``fdx exchange peers add`` on node ``on`` for ``peer``; returns the peer token it printed."""
    info = peer.info
    args = ["exchange", "peers", "add", peer.name, "--url", peer.url, "--role", info["role"]]
    args += ["--node-id", str(info["node_id"]), "--fingerprint", info["fingerprint"]]
    args += ["--public-key", info["public_key"]]
    if info["role"] == "national":
        args += ["--country", info["country"]]
    if info["role"] == "hub":
        args.append("--relaying")
        for code in hosted_organisations(on=on, hub=peer):
            args += ["--hosts", code]
    output = on.run_cli(*args).stdout
    token = output.strip().splitlines()[-1].strip()
    if not token.startswith("fdx_"):
        raise NodeError(f"{on.name}: no peer token in the output of peers add:\n{output}")
    return token


def hosted_organisations(*, on: Node, hub: Node) -> list[str]:
    """Codes of the hub's regional centre organisations that also exist on node ``on``."""
    query = "SELECT code FROM accounts_organisation WHERE org_type = %s ORDER BY code"
    on_hub = {code for (code,) in hub.sql(query, ("regional_centre",))}
    return [code for (code,) in on.sql(query, ("regional_centre",)) if code in on_hub]


def hand_over_token(*, holder: Node, peer: Node, token: str) -> None:
    """Give ``holder`` the token it presents when it calls ``peer`` — what the two administrators do by
    another channel — with ``fdx exchange peers set-token`` on ``holder`` (the token on standard input, as
    an administrator pastes it); also kept in ``holder.peer_tokens``."""
    holder.run_cli("exchange", "peers", "set-token", peer.name, input=token + "\n")
    holder.peer_tokens[peer.name] = token


# Processes and ports


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _signal_group(pgid: int, signum: int) -> None:
    with suppress(ProcessLookupError):
        os.killpg(pgid, signum)


def group_alive(pgid: int) -> bool:
    """Whether any live process of the group is left (zombies waiting for a reaper do not count)."""
    if not Path("/proc").is_dir():  # not Linux: ask the kernel, zombies included
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    return bool(group_members(pgid))


def group_members(pgid: int) -> list[str]:
    """``pid state command`` of each live process of the group (Linux)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # it ended while we looked
        fields = text.rsplit(")", 1)[1].split()
        state, group = fields[0], int(fields[2])
        if group == pgid and state not in ("Z", "X"):
            members.append(f"{stat.parent.name} {state} {cmdline.strip()}")
    return members
