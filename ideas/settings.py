"""Every setting the application reads, typed and validated at start-up.

This is the only module that reads the process environment. In development a
``.env`` file beside the working directory is read as well; values already in
the environment win over it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from enum import StrEnum
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from ideas.i18n import LANGUAGES, known

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PROJECT_ROOT / "templates"
STATIC_DIR = PROJECT_ROOT / "static"
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"

# Used only outside production, where SECRET_KEY may be left unset.
DEVELOPMENT_SECRET = "development-only-secret-never-use-in-production"  # noqa: S105


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class SMTPSecurity(StrEnum):
    STARTTLS = "starttls"  # plain connection upgraded with STARTTLS (port 587)
    TLS = "tls"  # TLS from the start (port 465)
    NONE = "none"  # no encryption: only for a relay on the same machine


class SettingsError(Exception):
    """The configuration cannot be used; the message says what to change."""


DISCOVERY_SUFFIX = "/.well-known/openid-configuration"
PROVIDER_KEY = re.compile(r"^[a-z][a-z0-9]{0,30}$")
BUILT_IN_PROVIDERS = ("github", "google", "gitlab")


class OIDCProvider(BaseModel):
    """An OpenID Connect issuer configured by its discovery URL (a city's, a university's)."""

    model_config = ConfigDict(frozen=True)

    key: str
    name: str
    discovery_url: str
    client_id: str
    client_secret: SecretStr

    @property
    def issuer(self) -> str:
        """What the discovery document must announce as its issuer (OpenID Discovery §4.3)."""
        return self.discovery_url.removesuffix(DISCOVERY_SUFFIX)

    @field_validator("discovery_url")
    @classmethod
    def _is_discovery_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not value.endswith(DISCOVERY_SUFFIX):
            raise ValueError(f"must be an issuer URL followed by {DISCOVERY_SUFFIX}")
        return value


def _oidc_from_environ(environ: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """IDEAS_OIDC_PROVIDERS=city,uni and IDEAS_OIDC_CITY_DISCOVERY_URL, …_CLIENT_ID,
    …_CLIENT_SECRET, …_NAME for each key."""
    listed = environ.get("IDEAS_OIDC_PROVIDERS")
    if not isinstance(listed, str):
        return None
    providers = []
    for key in (part.strip().lower() for part in listed.split(",")):
        if not key:
            continue
        if not PROVIDER_KEY.fullmatch(key) or key in BUILT_IN_PROVIDERS:
            raise ValueError(
                f"IDEAS_OIDC_PROVIDERS: {key!r} must be a short lowercase word "
                f"other than {', '.join(BUILT_IN_PROVIDERS)}"
            )
        prefix = f"IDEAS_OIDC_{key.upper()}_"
        missing = [
            prefix + part
            for part in ("DISCOVERY_URL", "CLIENT_ID", "CLIENT_SECRET")
            if not environ.get(prefix + part)
        ]
        if missing:
            raise ValueError(f"{', '.join(missing)} must be set for the {key!r} provider")
        providers.append(
            {
                "key": key,
                "name": environ.get(prefix + "NAME") or key.capitalize(),
                "discovery_url": environ[prefix + "DISCOVERY_URL"],
                "client_id": environ[prefix + "CLIENT_ID"],
                "client_secret": environ[prefix + "CLIENT_SECRET"],
            }
        )
    return providers


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        case_sensitive=True,
        extra="ignore",
        env_file_encoding="utf-8",
        frozen=True,
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Only what load_settings() hands over: it gathers the process environment
        # (and .env) itself, and values given by tests must not mix with the shell's.
        return (init_settings,)

    env: Environment = Field(
        Environment.DEVELOPMENT,
        validation_alias="IDEAS_ENV",
        description="development | test | production.",
    )
    secret_key: SecretStr | None = Field(
        None,
        validation_alias="SECRET_KEY",
        description="Signs tokens sent outside the site. Required in production.",
    )
    data_dir: Path = Field(
        Path("data"),
        validation_alias="IDEAS_DATA_DIR",
        description="Folder for the embedded SQLite database and other local files.",
    )
    database_url: str = Field(
        "",
        validation_alias="DATABASE_URL",
        description="sqlite:///path or postgresql://user@host/db.",
    )
    db_pgbouncer: bool = Field(
        False,
        validation_alias="IDEAS_DB_PGBOUNCER",
        description="true when DATABASE_URL names PgBouncer in transaction pooling mode "
        "rather than PostgreSQL itself: statements are then not kept prepared.",
    )
    base_url: str = Field(
        "",
        validation_alias="IDEAS_BASE_URL",
        description="Public origin of the site, e.g. https://ideas.example.org. Every "
        "absolute link is made from it; required in production.",
    )
    host: str = Field("127.0.0.1", validation_alias="IDEAS_HOST")
    port: int = Field(8000, ge=1, le=65535, validation_alias="IDEAS_PORT")
    workers: int = Field(1, ge=1, le=64, validation_alias="IDEAS_WORKERS")
    redis_url: str | None = Field(None, validation_alias="REDIS_URL")
    # The connection budget (PostgreSQL): each process keeps up to db_pool_size
    # connections once opened, and may open db_max_overflow more, closed when handed
    # back. A request holds one until its answer is made, so a busy process needs one
    # per request in flight, kept rather than opened for each (a new PostgreSQL
    # connection is a new server process). Six processes of 15 fit a default
    # PostgreSQL (max_connections 100, 3 reserved).
    db_pool_size: int = Field(
        15,
        ge=1,
        le=200,
        validation_alias="IDEAS_DB_POOL_SIZE",
        description="PostgreSQL connections each process keeps open for reuse.",
    )
    db_max_overflow: int = Field(
        0,
        ge=0,
        le=200,
        validation_alias="IDEAS_DB_MAX_OVERFLOW",
        description="More PostgreSQL connections a process may open under load; each is "
        "closed as soon as it is handed back.",
    )
    db_pool_timeout: float = Field(
        10.0,
        gt=0,
        le=300,
        validation_alias="IDEAS_DB_POOL_TIMEOUT",
        description="Seconds a request waits for a free connection before it gives up "
        "(the page then says the site is busy: 503).",
    )
    db_pool_recycle: int = Field(
        1800,
        ge=-1,
        validation_alias="IDEAS_DB_POOL_RECYCLE",
        description="Seconds after which a kept connection is closed and opened anew at its "
        "next use; -1: never.",
    )
    processes: int | None = Field(
        None,
        ge=1,
        le=1000,
        validation_alias="IDEAS_PROCESSES",
        description="How many processes share the database across every machine (each "
        "`ideas serve` worker and each `ideas worker`), for `ideas check`'s connection "
        "budget; default IDEAS_WORKERS + 1.",
    )
    page_cache_seconds: float | None = Field(
        None,
        ge=0,
        le=300,
        validation_alias="IDEAS_PAGE_CACHE_SECONDS",
        description="How long a page shown to visitors (not signed in) is reused; "
        "default 2 in production, 0 (off) otherwise.",
    )
    rate_limits: bool = Field(
        True,
        validation_alias="IDEAS_RATE_LIMITS",
        description="Limit what people do per account, and what visitors do per address; "
        "false turns it off.",
    )
    trusted_proxies: Annotated[list[IPv4Network | IPv6Network], NoDecode] = Field(
        default_factory=list,
        validation_alias="IDEAS_TRUSTED_PROXIES",
        description="Addresses or networks (CIDR) of the proxies in front of the site, whose "
        "X-Forwarded-For is believed; empty: none.",
    )
    admin_emails: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias="IDEAS_ADMIN_EMAILS"
    )
    log_level: str = Field("INFO", validation_alias="IDEAS_LOG_LEVEL")
    timezone: str = Field(
        "UTC",
        validation_alias="IDEAS_TIMEZONE",
        description="Time zone in which dates are shown and typed, e.g. Europe/Lisbon.",
    )
    default_locale: str = Field(
        "en",
        validation_alias="IDEAS_DEFAULT_LOCALE",
        description=(
            "The language of the site for people who chose none and whose browser asks "
            "for none the site speaks: en, es, fr or ar."
        ),
    )
    session_idle_minutes: int = Field(
        60 * 24 * 14, ge=5, validation_alias="IDEAS_SESSION_IDLE_MINUTES"
    )
    session_max_age_days: int = Field(
        30,
        ge=1,
        le=3650,
        validation_alias="IDEAS_SESSION_MAX_AGE_DAYS",
        description="A session ends this many days after it started, however much it is used.",
    )
    max_picture_bytes: int = Field(
        25_000_000,
        ge=100_000,
        validation_alias="IDEAS_MAX_PICTURE_BYTES",
        description="Largest picture accepted, in bytes: a phone's photo must fit.",
    )
    max_body_bytes: int | None = Field(
        None,
        ge=10_000,
        validation_alias="IDEAS_MAX_BODY_BYTES",
        description="Largest request body read at all, in bytes; by default twice the "
        "picture limit and a megabyte, so a picture somewhat too large still comes back "
        "as the form with a message, and only a body far larger gets a bare 413.",
    )

    # Outgoing e-mail: notifications are e-mailed only when SMTP_HOST is set.
    smtp_host: str = Field("", validation_alias="SMTP_HOST")
    smtp_port: int = Field(587, ge=1, le=65535, validation_alias="SMTP_PORT")
    smtp_username: str = Field("", validation_alias="SMTP_USERNAME")
    smtp_password: SecretStr | None = Field(None, validation_alias="SMTP_PASSWORD")
    smtp_security: SMTPSecurity = Field(SMTPSecurity.STARTTLS, validation_alias="SMTP_SECURITY")
    smtp_from: str = Field("", validation_alias="SMTP_FROM")
    send_from_app: bool = Field(
        True,
        validation_alias="IDEAS_SEND_FROM_APP",
        description="The site sends queued e-mail itself; false when `ideas worker` runs.",
    )

    # Sign-in providers: each is enabled by its client id and secret.
    github_client_id: str = Field("", validation_alias="GITHUB_CLIENT_ID")
    github_client_secret: SecretStr | None = Field(None, validation_alias="GITHUB_CLIENT_SECRET")
    google_client_id: str = Field("", validation_alias="GOOGLE_CLIENT_ID")
    google_client_secret: SecretStr | None = Field(None, validation_alias="GOOGLE_CLIENT_SECRET")
    gitlab_client_id: str = Field("", validation_alias="GITLAB_CLIENT_ID")
    gitlab_client_secret: SecretStr | None = Field(None, validation_alias="GITLAB_CLIENT_SECRET")
    gitlab_url: str = Field("https://gitlab.com", validation_alias="GITLAB_URL")
    oidc_providers: list[OIDCProvider] = Field(
        default_factory=list, validation_alias="IDEAS_OIDC_PROVIDERS"
    )

    @model_validator(mode="before")
    @classmethod
    def _collect_oidc_providers(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            providers = _oidc_from_environ(data)
            if providers is not None:
                data = {**data, "IDEAS_OIDC_PROVIDERS": providers}
        return data

    @field_validator("page_cache_seconds", "max_body_bytes", "processes", mode="before")
    @classmethod
    def _empty_means_default(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        code = known(value)
        if code is None:
            raise ValueError(f"{value!r} is not a language the site speaks: {', '.join(LANGUAGES)}")
        return code

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a known time zone, such as Europe/Lisbon") from None
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _parse_networks(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        networks = []
        for part in (part.strip() for part in value.split(",")):
            if not part:
                continue
            try:
                networks.append(ip_network(part, strict=False))
            except ValueError:
                raise ValueError(
                    f"{part!r} is not an address or network, such as 10.0.0.5 or 10.0.0.0/8"
                ) from None
        return networks

    @field_validator("admin_emails", mode="before")
    @classmethod
    def _split_emails(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip().lower() for part in value.split(",") if part.strip()]
        return value

    @field_validator("admin_emails")
    @classmethod
    def _emails_look_like_emails(cls, value: list[str]) -> list[str]:
        for email in value:
            if "@" not in email:
                raise ValueError(f"{email!r} is not an e-mail address")
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if not value:
            return value
        scheme, sep, rest = value.partition("://")
        if not sep:
            raise ValueError("must be a URL such as postgresql://user@host/db")
        drivers = {
            # SQLite is always reached in place (ideas.sqlite), whatever driver is named.
            "sqlite": "sqlite",
            "sqlite+aiosqlite": "sqlite",
            "postgres": "postgresql+asyncpg",
            "postgresql": "postgresql+asyncpg",
            "postgresql+asyncpg": "postgresql+asyncpg",
        }
        if scheme not in drivers:
            raise ValueError("must start with sqlite:// or postgresql://")
        return f"{drivers[scheme]}://{rest}"

    @field_validator("base_url")
    @classmethod
    def _origin_only(cls, value: str) -> str:
        if not value:
            return value
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError("must be an origin such as https://ideas.example.org")
        return f"{parts.scheme}://{parts.netloc}"

    @model_validator(mode="after")
    def _providers_are_complete(self) -> Settings:
        for name in BUILT_IN_PROVIDERS:
            client_id = getattr(self, f"{name}_client_id")
            secret = getattr(self, f"{name}_client_secret")
            if bool(client_id) != bool(secret and secret.get_secret_value()):
                upper = name.upper()
                raise ValueError(
                    f"{upper}_CLIENT_ID and {upper}_CLIENT_SECRET must be set together"
                )
        return self

    @field_validator("smtp_from")
    @classmethod
    def _from_is_an_address(cls, value: str) -> str:
        if value and "@" not in value:
            raise ValueError("must be an e-mail address, e.g. Ideas <ideas@example.org>")
        return value

    @model_validator(mode="after")
    def _smtp_is_complete(self) -> Settings:
        if not self.smtp_host:
            return self
        if not self.smtp_from:
            raise ValueError("SMTP_FROM must be set when SMTP_HOST is")
        password = self.smtp_password.get_secret_value() if self.smtp_password else ""
        if bool(self.smtp_username) != bool(password):
            raise ValueError("SMTP_USERNAME and SMTP_PASSWORD must be set together")
        return self

    @model_validator(mode="after")
    def _production_needs_secrets(self) -> Settings:
        if self.env is Environment.PRODUCTION:
            if self.secret_key is None or not self.secret_key.get_secret_value():
                raise ValueError("SECRET_KEY must be set when IDEAS_ENV=production")
            if len(self.secret_key.get_secret_value()) < 32:
                raise ValueError("SECRET_KEY must be at least 32 characters long")
            if not self.base_url:
                # Links read away from the site (feeds, the API, shared pages, e-mail,
                # the sign-in callback) would otherwise come from the Host header.
                raise ValueError(
                    "IDEAS_BASE_URL must be set when IDEAS_ENV=production, to the site's "
                    "public origin, e.g. https://ideas.example.org"
                )
            if not self.enabled_providers:
                raise ValueError(
                    "at least one sign-in provider must be configured when "
                    "IDEAS_ENV=production (GITHUB_CLIENT_ID, GOOGLE_CLIENT_ID, "
                    "GITLAB_CLIENT_ID or IDEAS_OIDC_PROVIDERS)"
                )
        return self

    # Derived values ---------------------------------------------------------

    @property
    def is_development(self) -> bool:
        return self.env is Environment.DEVELOPMENT

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @property
    def page_cache_ttl(self) -> float:
        if self.page_cache_seconds is not None:
            return self.page_cache_seconds
        return 2.0 if self.is_production else 0.0

    @property
    def body_limit(self) -> int:
        """The largest request body read at all (``IDEAS_MAX_BODY_BYTES``)."""
        if self.max_body_bytes is not None:
            return self.max_body_bytes
        return 2 * self.max_picture_bytes + 1_000_000

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'ideas.db').resolve()}"

    @property
    def pool_options(self) -> dict[str, Any]:
        """The engine's pool for this database: the budget on PostgreSQL; SQLite's
        connections are files opened in the process and keep their own defaults."""
        if self.is_sqlite:
            return {}
        return {
            "pool_size": self.db_pool_size,
            "max_overflow": self.db_max_overflow,
            "pool_timeout": self.db_pool_timeout,
            "pool_recycle": self.db_pool_recycle,
        }

    @property
    def live_listens_on_postgresql(self) -> bool:
        """Live pages reach other processes through PostgreSQL's LISTEN/NOTIFY, on one more
        connection per process (``ideas.live.hub``): with no Redis, not behind PgBouncer."""
        return (
            self.effective_database_url.startswith("postgresql")
            and not self.redis_url
            and not self.db_pgbouncer
        )

    @property
    def connection_budget(self) -> int:
        """Most PostgreSQL connections every process together may hold."""
        processes = self.processes if self.processes is not None else self.workers + 1
        listening = 1 if self.live_listens_on_postgresql else 0
        return processes * (self.db_pool_size + self.db_max_overflow + listening)

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    @property
    def effective_secret_key(self) -> str:
        if self.secret_key is not None and self.secret_key.get_secret_value():
            return self.secret_key.get_secret_value()
        return DEVELOPMENT_SECRET

    @property
    def enabled_providers(self) -> list[str]:
        """Keys of the sign-in providers that are configured, in button order."""
        built_in = [name for name in BUILT_IN_PROVIDERS if getattr(self, f"{name}_client_id")]
        return built_in + [provider.key for provider in self.oidc_providers]

    @property
    def smtp_configured(self) -> bool:
        return bool(self.smtp_host)

    @property
    def public_origin(self) -> str:
        """Where links read away from the site point: IDEAS_BASE_URL, or where it listens."""
        return self.base_url or f"http://{self.host}:{self.port}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def secure_cookies(self) -> bool:
        return not self.is_development and self.env is not Environment.TEST


def _describe(error: ValidationError) -> str:
    lines = []
    for problem in error.errors():
        name = ".".join(str(part) for part in problem["loc"]) or "configuration"
        message = problem["msg"].removeprefix("Value error, ")
        lines.append(f"  {name}: {message}")
    return "Invalid configuration:\n" + "\n".join(lines)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read settings from ``environ`` (for tests) or from the process environment.

    Raises SettingsError with a message that names each bad variable.
    """
    if environ is None:
        environ = dict(os.environ)
        development = environ.get("IDEAS_ENV", Environment.DEVELOPMENT) == Environment.DEVELOPMENT
        if development and Path(".env").is_file():
            from_file = {k: v for k, v in dotenv_values(".env").items() if v is not None}
            if from_file.get("IDEAS_ENV", Environment.DEVELOPMENT) != Environment.DEVELOPMENT:
                # Deciding on development and then reading production from the
                # file would configure production from a file it must not read.
                raise SettingsError(
                    "Invalid configuration:\n  IDEAS_ENV: .env sets it to "
                    f"{from_file['IDEAS_ENV']!r}, but .env is read only in development; "
                    "set IDEAS_ENV and the other settings in the environment instead"
                )
            environ = {**from_file, **environ}
    try:
        return Settings.model_validate(dict(environ))
    except ValidationError as error:
        raise SettingsError(_describe(error)) from None
