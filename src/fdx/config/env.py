"""Reading and validating FDX's settings from the environment (12-factor).

Every variable FDX reads is declared in ``VARIABLES`` and documented in ``.env.example``; a test keeps the
two in step. ``read_config`` is pure (it takes a mapping), so that its errors can be tested without
re-importing Django settings; ``settings.py`` calls it once with the process environment.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import environ
import pycountry

#: The source checkout this module lives in (src/fdx/config/env.py -> repository root).
SOURCE_ROOT = Path(__file__).resolve().parents[3]

MODES = ("local", "production")
LANGUAGES = ("en", "ru")
DATABASE_SCHEMES = {
    "sqlite": "sqlite",
    "postgres": "postgresql",
    "postgresql": "postgresql",
    "pgsql": "postgresql",
}

#: A national node holds one country's records; a hub (a regional centre) relays between national nodes.
NODE_ROLES = ("national", "hub")

#: Variables FDX reads; ``production`` ones must be set explicitly when FDX_MODE=production.
VARIABLES: dict[str, str] = {
    "FDX_MODE": "",
    "FDX_VAR_DIR": "",
    "DATABASE_URL": "production",
    "SECRET_KEY": "production",
    "DEBUG": "",
    "ALLOWED_HOSTS": "production",
    "CSRF_TRUSTED_ORIGINS": "",
    "PORT": "",
    "FDX_WEB_WORKERS": "",
    "FDX_NODE_COUNTRY": "production",
    "FDX_NODE_NAME": "production",
    "FDX_NODE_NAME_RU": "",
    "FDX_NODE_ROLE": "",
    "FDX_NODE_KEY_FILE": "",
    "FDX_AUDIT_CHECKPOINT_FILE": "",
    "FDX_EXCHANGE_SECRET_FILE": "",
    "FDX_REGION_COUNTRIES": "",
    "FDX_ATTACHMENT_MAX_MB": "",
    "FDX_LANGUAGE_CODE": "",
    "FDX_TOKEN_LIFETIME_DAYS": "",
    "FDX_LOGIN_FAILURE_LIMIT": "",
    "FDX_LOGIN_COOLOFF_MINUTES": "",
    "FDX_LOGIN_ADDRESS_FAILURE_LIMIT": "",
    "FDX_TOKEN_FAILURE_LIMIT": "",
    "FDX_REQUIRE_TWO_FACTOR": "",
    "FDX_SECURE_COOKIES": "",
    "FDX_LOG_LEVEL": "",
}

DEMO_NAME_RU = "Демонстрационный узел FDX"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ConfigError(Exception):
    """A missing or malformed environment variable; the message starts with the variable's name."""

    def __init__(self, variable: str, problem: str):
        self.variable = variable
        self.problem = problem
        super().__init__(f"{variable}: {problem}")


@dataclass(frozen=True)
class NodeConfig:
    """The validated configuration of one FDX node."""

    mode: str
    var_dir: Path
    database: dict
    database_vendor: str
    secret_key: str | None
    debug: bool
    allowed_hosts: list[str]
    csrf_trusted_origins: list[str]
    port: int
    web_workers: int
    node_country: str
    node_name: str
    node_name_ru: str
    node_role: str
    node_key_file: Path
    audit_checkpoint_file: Path
    exchange_secret_file: Path
    region_countries: tuple[str, ...]
    attachment_max_mb: int
    language_code: str
    token_lifetime_days: int
    login_failure_limit: int
    login_cooloff_minutes: int
    login_address_failure_limit: int
    token_failure_limit: int
    require_two_factor: bool
    secure_cookies: bool
    log_level: str
    warnings: list[str] = field(default_factory=list)


def read_config(env: Mapping[str, str]) -> NodeConfig:
    """Validate the environment ``env`` and return the node's configuration, or raise ``ConfigError``."""
    mode = _choice(env, "FDX_MODE", MODES, "local")
    if mode == "production":
        for name, kind in VARIABLES.items():
            if kind == "production" and not env.get(name, "").strip():
                raise ConfigError(name, "is required when FDX_MODE=production (see .env.example)")
    var_dir = Path(env.get("FDX_VAR_DIR", "").strip() or SOURCE_ROOT / "var").expanduser()
    database = _database(env, var_dir)
    debug = _bool(env, "DEBUG", False)
    if debug and mode == "production":
        raise ConfigError("DEBUG", "must be off when FDX_MODE=production")
    return NodeConfig(
        mode=mode,
        var_dir=var_dir,
        database=database,
        database_vendor="sqlite" if database["ENGINE"].endswith("sqlite3") else "postgresql",
        secret_key=_secret_key(env),
        debug=debug,
        allowed_hosts=_list(env, "ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]"),
        csrf_trusted_origins=_origins(env),
        port=_int(env, "PORT", 8000, 1, 65535),
        web_workers=_int(env, "FDX_WEB_WORKERS", 2, 1, 64),
        node_country=_country(env),
        node_name=_text(env, "FDX_NODE_NAME", "FDX demo node", 200),
        # The demo's own name has its Russian form; a named node gives its Russian name, if any, itself.
        node_name_ru=_text(
            env, "FDX_NODE_NAME_RU", "" if env.get("FDX_NODE_NAME", "").strip() else DEMO_NAME_RU, 200
        ),
        node_role=_choice(env, "FDX_NODE_ROLE", NODE_ROLES, "national"),
        node_key_file=_path(env, "FDX_NODE_KEY_FILE", var_dir / "node" / "ed25519.key"),
        # Next to the key by default: outside the database, backed up with the key, apart from the database.
        audit_checkpoint_file=_path(
            env,
            "FDX_AUDIT_CHECKPOINT_FILE",
            _path(env, "FDX_NODE_KEY_FILE", var_dir / "node" / "ed25519.key").with_name(
                "audit-checkpoints.jsonl"
            ),
        ),
        # The pseudonymisation secret (HMAC of case numbers leaving the country), next to the key by default.
        exchange_secret_file=_path(
            env,
            "FDX_EXCHANGE_SECRET_FILE",
            _path(env, "FDX_NODE_KEY_FILE", var_dir / "node" / "ed25519.key").with_name("exchange-secret"),
        ),
        region_countries=_countries(env, "FDX_REGION_COUNTRIES", "KZ,KG,TJ,TM,UZ"),
        attachment_max_mb=_int(env, "FDX_ATTACHMENT_MAX_MB", 50, 1, 2048),
        language_code=_choice(env, "FDX_LANGUAGE_CODE", LANGUAGES, "en"),
        token_lifetime_days=_int(env, "FDX_TOKEN_LIFETIME_DAYS", 90, 1, 730),
        login_failure_limit=_int(env, "FDX_LOGIN_FAILURE_LIMIT", 5, 1, 100),
        login_cooloff_minutes=_int(env, "FDX_LOGIN_COOLOFF_MINUTES", 15, 1, 10080),
        login_address_failure_limit=_int(env, "FDX_LOGIN_ADDRESS_FAILURE_LIMIT", 20, 1, 1000),
        token_failure_limit=_int(env, "FDX_TOKEN_FAILURE_LIMIT", 20, 1, 1000),
        require_two_factor=_bool(env, "FDX_REQUIRE_TWO_FACTOR", True),
        secure_cookies=_bool(env, "FDX_SECURE_COOKIES", mode == "production"),
        log_level=_choice(env, "FDX_LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "INFO", upper=True),
    )


def ensure_secret_key(config: NodeConfig) -> str:
    """Return the configured SECRET_KEY, or the one kept in ``var/secret_key`` (created on first start)."""
    if config.secret_key:
        return config.secret_key
    path = config.var_dir / "secret_key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    config.var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    try:
        # O_EXCL: two processes starting at once must not each write a different key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


def _raw(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name)
    return None if value is None else value.strip()


def _choice(env, name, allowed, default, upper=False):
    value = _raw(env, name)
    if not value:
        return default
    value = value.upper() if upper else value.lower()
    if value not in allowed:
        raise ConfigError(name, f"must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _bool(env, name, default):
    value = _raw(env, name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ConfigError(name, f"must be true or false (1/0, yes/no, on/off), not {value!r}")


def _int(env, name, default, low, high):
    value = _raw(env, name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(name, f"must be a whole number, not {value!r}") from None
    if not low <= number <= high:
        raise ConfigError(name, f"must be between {low} and {high}, not {number}")
    return number


def _text(env, name, default, max_length):
    value = _raw(env, name)
    if not value:
        return default
    if len(value) > max_length:
        raise ConfigError(name, f"must be at most {max_length} characters long")
    return value


def _path(env, name, default: Path) -> Path:
    value = _raw(env, name)
    if not value:
        return default
    path = Path(value).expanduser()
    if not path.is_absolute():
        raise ConfigError(name, f"must be an absolute path, not {value!r}")
    return path


def _list(env, name, default):
    value = _raw(env, name)
    items = [item.strip() for item in (value if value else default).split(",") if item.strip()]
    if not items:
        raise ConfigError(name, "must name at least one value (comma-separated)")
    return items


def _origins(env):
    value = _raw(env, "CSRF_TRUSTED_ORIGINS")
    if not value:
        return []
    origins = [item.strip() for item in value.split(",") if item.strip()]
    for origin in origins:
        if not origin.startswith(("http://", "https://")):
            raise ConfigError("CSRF_TRUSTED_ORIGINS", f"{origin!r} must start with http:// or https://")
    return origins


def _secret_key(env):
    value = _raw(env, "SECRET_KEY")
    if not value:
        return None
    if len(value) < 32:
        raise ConfigError("SECRET_KEY", "must be at least 32 characters long")
    return value


def _country(env):
    value = _raw(env, "FDX_NODE_COUNTRY")
    if not value:
        return "KZ"
    value = value.upper()
    if len(value) != 2 or pycountry.countries.get(alpha_2=value) is None:
        raise ConfigError("FDX_NODE_COUNTRY", f"must be an ISO 3166-1 alpha-2 country code, not {value!r}")
    return value


def _countries(env, name, default):
    codes = [code.upper() for code in _list(env, name, default)]
    for code in codes:
        if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
            raise ConfigError(name, f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return tuple(codes)


def _database(env, var_dir: Path) -> dict:
    value = _raw(env, "DATABASE_URL")
    if not value:
        value = f"sqlite:///{var_dir / 'fdx.sqlite3'}"
    scheme = value.split(":", 1)[0].lower()
    if "://" not in value or scheme not in DATABASE_SCHEMES:
        raise ConfigError(
            "DATABASE_URL",
            "must look like sqlite:////absolute/path.sqlite3 or postgres://user@host:5432/name",
        )
    try:
        config = environ.Env.db_url_config(value)
    except Exception as exc:  # django-environ raises several kinds for a malformed URL
        raise ConfigError("DATABASE_URL", f"cannot be parsed: {exc}") from None
    if DATABASE_SCHEMES[scheme] == "postgresql" and not config.get("NAME"):
        raise ConfigError("DATABASE_URL", "must name the PostgreSQL database after the host (…/name)")
    if DATABASE_SCHEMES[scheme] == "sqlite":
        if not config.get("NAME") or config["NAME"] == ":memory:":
            raise ConfigError(
                "DATABASE_URL", "must give the SQLite file's path (sqlite:////path/fdx.sqlite3)"
            )
        config["OPTIONS"] = {
            # WAL lets the web server read while the task worker writes; IMMEDIATE takes the write lock
            # at BEGIN so that concurrent writers queue instead of failing with "database is locked".
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    else:
        config.setdefault("CONN_MAX_AGE", 60)
        config["CONN_HEALTH_CHECKS"] = True
    return config
