"""Settings come from the environment, typed and checked at start-up."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ideas.settings import Environment, Settings, SettingsError, load_settings
from tests.support.environ import PRODUCTION_ENVIRON

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_make_a_development_site_on_embedded_sqlite() -> None:
    settings = load_settings({})
    assert settings.env is Environment.DEVELOPMENT
    assert settings.effective_database_url.startswith("sqlite:///")
    assert settings.effective_database_url.endswith("/data/ideas.db")
    assert (settings.host, settings.port, settings.workers) == ("127.0.0.1", 8000, 1)
    assert not settings.secure_cookies


def test_production_refuses_to_start_without_a_secret_key() -> None:
    with pytest.raises(SettingsError, match="SECRET_KEY must be set when IDEAS_ENV=production"):
        load_settings({"IDEAS_ENV": "production"})


def test_production_refuses_to_start_without_a_sign_in_provider() -> None:
    with pytest.raises(SettingsError, match="at least one sign-in provider must be configured"):
        load_settings(
            {
                "IDEAS_ENV": "production",
                "SECRET_KEY": "k" * 40,
                "IDEAS_BASE_URL": "https://ideas.example.org",
            }
        )


def test_production_refuses_a_short_secret_key() -> None:
    with pytest.raises(SettingsError, match="SECRET_KEY must be at least 32 characters"):
        load_settings({"IDEAS_ENV": "production", "SECRET_KEY": "short"})


def test_production_with_a_secret_key_starts_with_secure_cookies() -> None:
    settings = load_settings(PRODUCTION_ENVIRON)
    assert settings.is_production
    assert settings.secure_cookies


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgres://u:p@h:5433/db", "postgresql+asyncpg://u:p@h:5433/db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
        ("sqlite+aiosqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_urls_get_the_async_driver(given: str, expected: str) -> None:
    assert load_settings({"DATABASE_URL": given}).effective_database_url == expected


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DATABASE_URL", "mysql://u@h/db", "must start with sqlite:// or postgresql://"),
        ("IDEAS_ENV", "staging", "IDEAS_ENV"),
        ("IDEAS_PORT", "eighty", "IDEAS_PORT"),
        ("IDEAS_PORT", "70000", "IDEAS_PORT"),
        ("IDEAS_TIMEZONE", "Mars/Olympus", "'Mars/Olympus' is not a known time zone"),
        ("IDEAS_ADMIN_EMAILS", "ada@example.org, nobody", "'nobody' is not an e-mail address"),
        ("IDEAS_BASE_URL", "ideas.example.org", "must be an origin"),
        ("IDEAS_LOG_LEVEL", "LOUD", "must be one of DEBUG"),
        ("DATABASE_URL", "ideas.db", "must be a URL"),
        ("IDEAS_WORKERS", "0", "IDEAS_WORKERS"),
        ("IDEAS_SESSION_IDLE_MINUTES", "a fortnight", "IDEAS_SESSION_IDLE_MINUTES"),
        ("IDEAS_SESSION_IDLE_MINUTES", "1", "IDEAS_SESSION_IDLE_MINUTES"),
        ("IDEAS_MAX_BODY_BYTES", "100", "IDEAS_MAX_BODY_BYTES"),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable(
    variable: str, value: str, message: str
) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({variable: value})
    text = str(caught.value)
    assert f"  {variable}: " in text
    assert message in text


def test_admin_emails_are_a_comma_separated_list() -> None:
    settings = load_settings({"IDEAS_ADMIN_EMAILS": " Ada@Example.org ,hamid@example.org,"})
    assert settings.admin_emails == ["ada@example.org", "hamid@example.org"]


def test_dotenv_is_read_in_development_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("IDEAS_ENV", "IDEAS_PORT", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / ".env").write_text("IDEAS_PORT=8123\n")

    assert load_settings().port == 8123

    monkeypatch.setenv("IDEAS_PORT", "8124")
    assert load_settings().port == 8124  # the environment wins over .env

    monkeypatch.delenv("IDEAS_PORT")
    monkeypatch.setenv("IDEAS_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("GITHUB_CLIENT_ID", "id")
    monkeypatch.setenv("GITHUB_CLIENT_SECRET", "secret")
    monkeypatch.setenv("IDEAS_BASE_URL", "https://ideas.example.org")
    assert load_settings().port == 8000


def test_env_example_documents_every_setting() -> None:
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    names = {str(field.validation_alias) for field in Settings.model_fields.values()}
    assert names <= documented, names - documented


def test_production_refuses_an_empty_secret_key() -> None:
    with pytest.raises(SettingsError, match="SECRET_KEY must be set"):
        load_settings({**PRODUCTION_ENVIRON, "SECRET_KEY": ""})


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"IDEAS_PORT": "eighty", "IDEAS_TIMEZONE": "Mars/Olympus"})
    text = str(caught.value)
    assert "  IDEAS_PORT: " in text
    assert "  IDEAS_TIMEZONE: " in text


def test_given_values_do_not_mix_with_the_process_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IDEAS_PORT", "9999")
    monkeypatch.setenv("IDEAS_ENV", "production")
    assert load_settings({}).port == 8000
    assert load_settings({}).env is Environment.DEVELOPMENT


def test_the_process_environment_is_read_when_nothing_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("IDEAS_ENV", "test")
    monkeypatch.setenv("IDEAS_PORT", "8125")
    monkeypatch.setenv("IDEAS_TIMEZONE", "Europe/Lisbon")
    settings = load_settings()
    assert (settings.env, settings.port, settings.timezone) == (
        Environment.TEST,
        8125,
        "Europe/Lisbon",
    )


@pytest.mark.parametrize("environment", ["production", "test"])
def test_a_dotenv_file_cannot_switch_the_site_out_of_development(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, environment: str
) -> None:
    """.env is read only in development, so it must not be what makes the site production."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("IDEAS_ENV", raising=False)
    (tmp_path / ".env").write_text(
        f"IDEAS_ENV={environment}\nSECRET_KEY={'k' * 40}\n"
        "GITHUB_CLIENT_ID=id\nGITHUB_CLIENT_SECRET=secret\n"
    )
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert "  IDEAS_ENV: " in str(caught.value)
    assert ".env is read only in development" in str(caught.value)


def test_the_example_env_file_works_as_a_development_env_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in Settings.model_fields:
        monkeypatch.delenv(str(Settings.model_fields[name].validation_alias), raising=False)
    (tmp_path / ".env").write_text((ROOT / ".env.example").read_text())
    settings = load_settings()
    assert settings.is_development
    assert settings.effective_database_url.startswith("sqlite:///")


def test_trusted_proxies_are_addresses_and_networks_and_none_by_default() -> None:
    assert load_settings({}).trusted_proxies == []
    settings = load_settings({"IDEAS_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.1,2001:db8::/32"})
    assert [str(network) for network in settings.trusted_proxies] == [
        "10.0.0.0/8",
        "192.0.2.1/32",
        "2001:db8::/32",
    ]


def test_a_trusted_proxy_that_is_no_address_is_refused_by_name() -> None:
    with pytest.raises(SettingsError, match=r"IDEAS_TRUSTED_PROXIES: 'proxy\.local' is not an"):
        load_settings({"IDEAS_TRUSTED_PROXIES": "10.0.0.1, proxy.local"})
