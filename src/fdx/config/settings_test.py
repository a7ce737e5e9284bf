"""Settings for the test suite: the production settings, with a throw-away data folder and database.

``FDX_TEST_DATABASE_URL`` (for example ``postgres://postgres@127.0.0.1:5432/test``) runs the same suite on
PostgreSQL; without it the tests use SQLite.
"""

import os
import tempfile

os.environ["FDX_VAR_DIR"] = tempfile.mkdtemp(prefix="fdx-test-var-")
os.environ["DATABASE_URL"] = os.environ.get("FDX_TEST_DATABASE_URL") or (
    "sqlite:///" + os.path.join(os.environ["FDX_VAR_DIR"], "test.sqlite3")
)
os.environ["SECRET_KEY"] = "test-only-secret-key-not-used-anywhere-else-0123456789"  # noqa: S105
os.environ["FDX_MODE"] = "local"
os.environ["DEBUG"] = "false"
os.environ["FDX_NODE_COUNTRY"] = "KZ"
os.environ["FDX_NODE_NAME"] = "FDX test node"
os.environ["FDX_LANGUAGE_CODE"] = "en"
os.environ["FDX_ENV_FILE"] = os.devnull
# Most tests sign personas in by password; the tests of the requirement itself turn it back on
# (``settings.FDX_REQUIRE_TWO_FACTOR = True``).
os.environ["FDX_REQUIRE_TWO_FACTOR"] = "false"

from fdx.config.settings import *  # noqa: F403
from fdx.config.settings import DATABASES, STORAGES

# Argon2 is what production uses (tested in test_settings); MD5 keeps persona creation fast in tests.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_USE_FINDERS = True
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# No audit checkpoint on its own: a test that wants one writes it, into a file of its own.
FDX_AUDIT_CHECKPOINT_EVENTS = 10**12
FDX_AUDIT_CHECKPOINT_SECONDS = 10**12
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # An in-memory test database; the WAL pragma means nothing there.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE"}
