"""Settings come from the environment; a missing or malformed variable stops start-up and is named."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fdx.config.env import VARIABLES, ConfigError, ensure_secret_key, read_config

REPO = Path(__file__).resolve().parents[1]

PRODUCTION = {
    "FDX_MODE": "production",
    "DATABASE_URL": "postgres://fdx@db.internal:5432/fdx",
    "SECRET_KEY": "k" * 50,
    "ALLOWED_HOSTS": "fdx.example.org",
    "FDX_NODE_COUNTRY": "uz",
    "FDX_NODE_NAME": "Uzbekistan national node",
}


def test_defaults_make_a_working_local_node(tmp_path):
    config = read_config({"FDX_VAR_DIR": str(tmp_path)})

    assert config.mode == "local"
    assert config.database["ENGINE"] == "django.db.backends.sqlite3"
    assert config.database["NAME"] == str(tmp_path / "fdx.sqlite3")
    assert config.debug is False
    assert config.port == 8000
    assert config.node_country == "KZ"
    assert config.secret_key is None


def test_production_reads_every_value():
    config = read_config(PRODUCTION)

    assert config.database_vendor == "postgresql"
    assert config.database["HOST"] == "db.internal"
    assert config.node_country == "UZ"
    assert config.secure_cookies is True
    assert config.allowed_hosts == ["fdx.example.org"]


@pytest.mark.parametrize("name", [name for name, kind in VARIABLES.items() if kind == "production"])
def test_production_refuses_to_start_without_each_required_variable(name):
    env = dict(PRODUCTION)
    del env[name]

    with pytest.raises(ConfigError) as error:
        read_config(env)

    assert error.value.variable == name
    assert str(error.value).startswith(f"{name}: ")


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("DEBUG", "maybe", "true or false"),
        ("PORT", "eighty", "whole number"),
        ("PORT", "70000", "between 1 and 65535"),
        ("DATABASE_URL", "mysql://x@y/z", "sqlite:////"),
        ("DATABASE_URL", "not a url", "sqlite:////"),
        ("DATABASE_URL", "postgres://fdx@db:5432/", "name the PostgreSQL database"),
        ("FDX_NODE_COUNTRY", "Kazakhstan", "ISO 3166-1 alpha-2"),
        ("FDX_NODE_COUNTRY", "XX", "ISO 3166-1 alpha-2"),
        ("SECRET_KEY", "short", "at least 32"),
        ("FDX_MODE", "staging", "local, production"),
        ("FDX_LANGUAGE_CODE", "de", "en, ru"),
        ("FDX_TOKEN_LIFETIME_DAYS", "0", "between 1 and 730"),
        ("CSRF_TRUSTED_ORIGINS", "fdx.example.org", "http:// or https://"),
        ("FDX_LOG_LEVEL", "LOUD", "DEBUG, INFO"),
    ],
)
def test_malformed_values_are_named(name, value, fragment):
    with pytest.raises(ConfigError) as error:
        read_config({name: value})

    assert error.value.variable == name
    assert fragment in str(error.value)


def test_debug_cannot_be_on_in_production():
    with pytest.raises(ConfigError, match="^DEBUG"):
        read_config(PRODUCTION | {"DEBUG": "true"})


@given(st.sampled_from(["1", "true", "TRUE", "yes", "on", " On "]))
def test_true_spellings(value):
    assert read_config({"DEBUG": value}).debug is True


@given(st.integers(min_value=1, max_value=65535))
def test_every_valid_port_is_read(port):
    assert read_config({"PORT": str(port)}).port == port


@given(st.text(max_size=12).filter(lambda s: not s.strip().lstrip("+-").isdigit() and s.strip() != ""))
def test_no_text_that_is_not_a_number_passes_as_a_port(text):
    with pytest.raises(ConfigError, match="^PORT"):
        read_config({"PORT": text})


def test_secret_key_is_generated_once_and_kept_private(tmp_path):
    config = read_config({"FDX_VAR_DIR": str(tmp_path)})

    first = ensure_secret_key(config)
    second = ensure_secret_key(config)

    assert first == second and len(first) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_a_given_secret_key_is_used_as_is(tmp_path):
    config = read_config({"FDX_VAR_DIR": str(tmp_path), "SECRET_KEY": "s" * 40})

    assert ensure_secret_key(config) == "s" * 40
    assert not (tmp_path / "secret_key").exists()


def test_env_example_documents_every_variable():
    text = (REPO / ".env.example").read_text(encoding="utf-8")

    for name in VARIABLES:
        assert f"#{name}=" in text, f".env.example does not document {name}"


def test_production_settings_hash_passwords_with_argon2():
    from fdx.config import settings_test

    assert "Argon2PasswordHasher" in settings_test.PASSWORD_HASHERS[1]
    source = (REPO / "src/fdx/config/settings.py").read_text(encoding="utf-8")
    assert 'PASSWORD_HASHERS = [\n    "django.contrib.auth.hashers.Argon2PasswordHasher"' in source


def test_the_fdx_command_stops_with_the_variable_name(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("FDX_", "DJANGO_"))}
    env |= {"FDX_VAR_DIR": str(tmp_path), "PORT": "not-a-port", "FDX_ENV_FILE": os.devnull}

    result = subprocess.run(
        [sys.executable, "-m", "fdx.cli", "users", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 2
    assert "PORT: must be a whole number" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_demo_node_has_a_russian_name_and_a_named_node_keeps_its_own():
    from fdx.config.env import DEMO_NAME_RU

    assert read_config({}).node_name_ru == DEMO_NAME_RU
    assert read_config({"FDX_NODE_NAME": "Bishkek"}).node_name_ru == ""
