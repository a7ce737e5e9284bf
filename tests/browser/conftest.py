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
        # The browser persona signs in by password: this node relaxes two-factor sign-in (and logs that it
        # does); the requirement itself is tested in fdx.accounts.tests.test_two_factor.
        "FDX_REQUIRE_TWO_FACTOR": "false",
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
