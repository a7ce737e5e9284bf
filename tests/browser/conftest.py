"""A real FDX served by `fdx serve` on a free port, with its own SQLite database, and a real Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("FDX_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
BROWSER_USER = "kz_browser_chemist"
BROWSER_PASSWORD = "browser test passphrase 2026"
# The personas whose jobs tests/browser/test_personas.py walks: username, organisation, role, first name.
# Their passwords are set by an administrator (`fdx users create`), so each changes it at first sign-in (to
# PERSONA_PASSWORD) after enrolling an authenticator: the node requires two-factor sign-in.
PERSONA_USERS = {
    "chemist": ("kz_persona_chemist", "demo-kz-forensic-centre", "data_entry", "Dana"),
    "head": ("kz_persona_head", "demo-kz-forensic-centre", "reviewer", "Serik"),
    "judge": ("kg_persona_judge", "demo-kg-court", "viewer", "Aibek"),
    "node_admin": ("persona_node_admin", "demo-regional-centre", "node_admin", "Timur"),
}
FIRST_PASSWORD = "first passphrase set by the administrator"
PERSONA_PASSWORD = "persona passphrase chosen at first sign-in"
# A small reference library the laboratory of the browser user owns: three EI spectra (nominal m/z and
# relative intensities as the literature gives their main peaks), linked to registry substances by name.
REFERENCE_SPECTRA = """Name: Methamphetamine
ID: B-1
Num Peaks: 8
39 40; 42 30; 56 40; 58 999; 65 90; 91 180; 119 20; 134 30;

Name: Cocaine
ID: B-2
Num Peaks: 9
42 150; 77 180; 82 999; 94 350; 105 300; 122 120; 182 800; 272 40; 303 250;

Name: Caffeine
ID: B-3
Num Peaks: 7
42 150; 55 220; 67 180; 82 200; 109 500; 165 30; 194 999;
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fdx(*args, env, stdin=None):
    fdx = Path(sys.executable).with_name("fdx")
    return subprocess.run(
        [str(fdx), *args], env=env, input=stdin, capture_output=True, text=True, check=True, timeout=300
    )


@pytest.fixture(scope="session")
def served_fdx(tmp_path_factory):
    """Set up a fresh node (migrations, reference data, demo organisations) and serve it; yield its URL."""
    var_dir = tmp_path_factory.mktemp("fdx-browser-var")
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("FDX_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env.pop("SECRET_KEY", None)
    env |= {
        "FDX_VAR_DIR": str(var_dir),
        "FDX_ENV_FILE": os.devnull,
        "PORT": str(port),
        "FDX_NODE_NAME": "Browser test node",
        "FDX_WEB_WORKERS": "1",
    }
    _fdx("setup", "--demo", "--demo-cases", "40", "--quiet", env=env)
    _fdx(
        "users",
        "create",
        BROWSER_USER,
        "--org",
        "demo-kz-forensic-centre",
        "--role",
        "data_entry",
        "--first-name",
        "Aigerim",
        "--password-stdin",
        "--keep-password",
        env=env,
        stdin=BROWSER_PASSWORD + "\n",
    )
    for username, organisation, role, first_name in PERSONA_USERS.values():
        _fdx(
            "users",
            "create",
            username,
            "--org",
            organisation,
            "--role",
            role,
            "--first-name",
            first_name,
            "--password-stdin",
            env=env,
            stdin=FIRST_PASSWORD + "\n",
        )
    reference = var_dir / "browser-reference.msp"
    reference.write_text(REFERENCE_SPECTRA, encoding="utf-8")
    _fdx(
        "spectra",
        "import",
        str(reference),
        "--library",
        "Browser reference",
        "--org",
        "demo-kz-forensic-centre",
        env=env,
    )
    log = open(var_dir / "serve.log", "w")  # noqa: SIM115 (closed at the end of the session)
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("fdx")), "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base_url, server, var_dir / "serve.log")
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _wait_until_healthy(base_url, server, log_path, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"fdx serve exited early:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(base_url + "/api/v1/health", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"fdx serve did not answer within {seconds} s:\n{log_path.read_text()}")


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM} (apt-get install chromium); .ci/run installs it"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, served_fdx):
    """A fresh browser context (no cookies) whose every request is recorded in ``page.fdx_requests``."""
    context = browser.new_context(base_url=served_fdx, locale="en-GB")
    page = context.new_page()
    page.fdx_requests = []
    page.on("request", lambda request: page.fdx_requests.append(request.url))
    yield page
    context.close()


# Signing in, as a person does: password, then the authenticator (enrolled on first sign-in, its secret read
# from the enrolment page), then the password change an administrator's password asks for.

_SECRETS: dict[str, str] = {}  # username → the authenticator secret enrolled in this session
_LAST_STEP: dict[str, int] = {}  # username → the last TOTP time step used (a code is accepted once)
_SESSIONS: dict[str, dict] = {}  # username → the signed-in browser state (cookies), reused by later tests


def _code(username: str) -> str:
    """The current authenticator code of ``username``, waiting for the next one where this one was used."""
    import base64

    from django_otp.oath import totp

    secret = _SECRETS[username]
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    step = int(time.time()) // 30
    if _LAST_STEP.get(username, -1) >= step:
        time.sleep(30 - time.time() % 30 + 0.5)
        step = int(time.time()) // 30
    _LAST_STEP[username] = step
    return f"{totp(key, step=30, digits=6):06d}"


def complete_sign_in(page, username: str, password: str | None = None) -> None:
    """After the password was accepted: enrol or give the code, keep the recovery codes, change a password
    an administrator chose; ends on a page of FDX proper."""
    for _ in range(6):
        page.wait_for_load_state()
        if page.locator("#two-factor-secret").count():
            _SECRETS[username] = page.locator("#two-factor-secret").inner_text().strip()
            page.fill("input[name=token]", _code(username))
            page.click("#two-factor-confirm")
        elif page.locator("#recovery-codes").count():
            assert page.locator("#recovery-codes li").count() == 10
            page.click("#recovery-codes-done")
        elif "/accounts/signin/code/" in page.url:
            page.fill("input[name=token]", _code(username))
            page.click("form.form button[type=submit]")
        elif page.locator("#password-change-submit").count():
            page.fill("input[name=old_password]", password or FIRST_PASSWORD)
            page.fill("input[name=new_password]", PERSONA_PASSWORD)
            page.fill("input[name=new_password_again]", PERSONA_PASSWORD)
            page.click("#password-change-submit")
        else:
            return
    raise AssertionError(f"signing in as {username} did not end on a page of FDX: {page.url}")


def sign_in(page, served_fdx, username: str = BROWSER_USER, password: str = BROWSER_PASSWORD) -> None:
    """Sign ``page`` in as ``username``: the first time through every step, then with the kept session."""
    if username in _SESSIONS:
        page.context.add_cookies(_SESSIONS[username]["cookies"])
        page.goto("/")
        return
    page.goto("/accounts/signin/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#signin-submit")
    complete_sign_in(page, username, password)
    _SESSIONS[username] = page.context.storage_state()


def outside_requests(page, served_fdx) -> list[str]:
    """The requests a page made anywhere but the node (FDX fetches nothing from outside)."""
    return [url for url in page.fdx_requests if not url.startswith((served_fdx, "data:", "blob:"))]


@pytest.fixture
def signed_in(browser, served_fdx):
    """``signed_in("head", "ru")``: a page of a fresh browser in that language, signed in as that persona."""
    contexts = []

    def open_page(persona: str, language: str):
        username = PERSONA_USERS[persona][0]
        context = browser.new_context(base_url=served_fdx, locale="ru-RU" if language == "ru" else "en-GB")
        contexts.append(context)
        page = context.new_page()
        page.fdx_requests = []
        page.on("request", lambda request: page.fdx_requests.append(request.url))
        if username in _SESSIONS:
            sign_in(page, served_fdx, username)
        else:
            sign_in(page, served_fdx, username, FIRST_PASSWORD)
            _SESSIONS[username] = context.storage_state()
        return page

    yield open_page
    for context in contexts:
        context.close()
