"""Sign-in providers: GitHub (OAuth 2 and its API) and OpenID Connect issuers.

Authlib's Starlette client does the protocol. Every flow uses state, PKCE
(S256) and, for OpenID Connect, a nonce; the ID token's issuer and audience
are checked, the discovery document must announce the configured issuer, and
the authorization response's ``iss`` must name it too (RFC 9207).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx
from authlib.common.errors import AuthlibBaseError
from joserfc.errors import JoseError
from starlette.requests import Request

from ideas.i18n import _
from ideas.settings import Settings

with warnings.catch_warnings():
    # Authlib warns at import that it will move from httpx to httpx2; there is
    # nothing for us to change yet, and people running the site need not see it.
    # (authlib.deprecate installs an "always" filter when imported: import it first.)
    import authlib.deprecate  # noqa: F401

    warnings.filterwarnings("ignore", message="The httpx module is deprecated")
    from authlib.integrations.starlette_client import OAuth, OAuthError

GITHUB_URL = "https://github.com"
GITHUB_API = "https://api.github.com/"
GOOGLE_ISSUER = "https://accounts.google.com"
TIMEOUT = httpx.Timeout(10.0)


class ProviderError(Exception):
    """The provider could not be reached or answered something we cannot accept."""

    def __init__(self, message: str, *, unreachable: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.unreachable = unreachable


@dataclass(frozen=True)
class Provider:
    key: str
    name: str
    kind: Literal["github", "oidc"]
    client_id: str
    issuer: str | None  # for OpenID Connect: what discovery and ID tokens must say
    # Where the browser is sent to sign in; forms that start linking post there.
    origin: str


@dataclass(frozen=True)
class ProviderAccount:
    """Who the provider says signed in."""

    subject: str
    name: str
    email: str | None
    email_verified: bool
    picture: str | None


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def configured(settings: Settings) -> list[Provider]:
    providers = []
    if settings.github_client_id:
        providers.append(
            Provider("github", "GitHub", "github", settings.github_client_id, None, GITHUB_URL)
        )
    if settings.google_client_id:
        providers.append(
            Provider(
                "google", "Google", "oidc", settings.google_client_id, GOOGLE_ISSUER, GOOGLE_ISSUER
            )
        )
    if settings.gitlab_client_id:
        gitlab = settings.gitlab_url.rstrip("/")
        providers.append(
            Provider("gitlab", "GitLab", "oidc", settings.gitlab_client_id, gitlab, _origin(gitlab))
        )
    for oidc in settings.oidc_providers:
        providers.append(
            Provider(oidc.key, oidc.name, "oidc", oidc.client_id, oidc.issuer, _origin(oidc.issuer))
        )
    return providers


AVATAR_HOSTS = {
    "github": ["https://avatars.githubusercontent.com"],
    "google": ["https://lh3.googleusercontent.com"],
    "gitlab": ["https://secure.gravatar.com"],
}


def avatar_origins(settings: Settings) -> list[str]:
    """Where the configured providers keep profile pictures (allowed as images)."""
    origins: set[str] = set()
    for provider in configured(settings):
        origins.update(AVATAR_HOSTS.get(provider.key, []))
        if provider.kind == "oidc" and provider.origin.startswith("https://"):
            origins.add(provider.origin)
    return sorted(origins)


def usable_picture(url: str | None) -> str | None:
    """A provider's picture URL worth keeping: https only, of sensible length."""
    if url and url.startswith("https://") and len(url) <= 500:
        return url
    return None


class Providers:
    """The configured providers and their Authlib clients."""

    def __init__(self, settings: Settings) -> None:
        self.by_key = {provider.key: provider for provider in configured(settings)}
        self.oauth = OAuth()
        secrets = {
            "github": settings.github_client_secret,
            "google": settings.google_client_secret,
            "gitlab": settings.gitlab_client_secret,
        }
        discovery = {
            "google": f"{GOOGLE_ISSUER}/.well-known/openid-configuration",
            "gitlab": f"{settings.gitlab_url.rstrip('/')}/.well-known/openid-configuration",
        }
        for oidc in settings.oidc_providers:
            secrets[oidc.key] = oidc.client_secret
            discovery[oidc.key] = oidc.discovery_url
        for provider in self.by_key.values():
            secret = secrets[provider.key]
            options: dict[str, Any] = {
                "client_id": provider.client_id,
                "client_secret": secret.get_secret_value() if secret else "",
                "client_kwargs": {"code_challenge_method": "S256", "timeout": TIMEOUT},
            }
            if provider.kind == "github":
                options.update(
                    authorize_url=f"{GITHUB_URL}/login/oauth/authorize",
                    access_token_url=f"{GITHUB_URL}/login/oauth/access_token",
                    api_base_url=GITHUB_API,
                )
                options["client_kwargs"]["scope"] = "read:user user:email"
            else:
                options["server_metadata_url"] = discovery[provider.key]
                options["client_kwargs"]["scope"] = "openid email profile"
            self.oauth.register(provider.key, **options)

    def __iter__(self) -> Any:
        return iter(self.by_key.values())

    def __bool__(self) -> bool:
        return bool(self.by_key)

    def get(self, key: str) -> Provider | None:
        return self.by_key.get(key)

    @property
    def origins(self) -> list[str]:
        return sorted({provider.origin for provider in self.by_key.values()})

    def _client(self, provider: Provider) -> Any:
        return self.oauth.create_client(provider.key)

    async def _check_discovery(self, provider: Provider, client: Any) -> None:
        if provider.kind != "oidc":
            return
        try:
            metadata = await client.load_server_metadata()
        except (httpx.HTTPError, ValueError) as error:
            raise ProviderError(
                _("%(provider)s could not be reached.", provider=provider.name), unreachable=True
            ) from error
        if metadata.get("issuer") != provider.issuer:
            # A discovery document for another issuer: never trust its keys or endpoints.
            client.server_metadata = {}
            raise ProviderError(
                _("%(provider)s is not configured correctly.", provider=provider.name),
                unreachable=True,
            )

    async def start(
        self, request: Request, provider: Provider, redirect_uri: str, *, choose: bool = False
    ) -> Any:
        """The redirect that sends the browser to the provider.

        ``choose`` asks the provider to let the person sign in afresh (to link
        another account) instead of reusing the account it remembers.
        """
        client = self._client(provider)
        await self._check_discovery(provider, client)
        extra = {}
        if choose:
            extra["prompt"] = "select_account" if provider.kind == "github" else "login"
        try:
            return await client.authorize_redirect(request, redirect_uri, **extra)
        except httpx.HTTPError as error:
            raise ProviderError(
                _("%(provider)s could not be reached.", provider=provider.name), unreachable=True
            ) from error

    @staticmethod
    def _check_answering_issuer(request: Request, provider: Provider, metadata: Any) -> None:
        """The answer names the issuer that sent it (RFC 9207): refuse it when it names
        another, or names none though the provider says it always does. This stops an
        answer from one provider being passed off as another's (mix-up attacks)."""
        if provider.kind != "oidc":
            return
        named = request.query_params.get("iss")
        always = bool(metadata.get("authorization_response_iss_parameter_supported"))
        if named != provider.issuer and (named is not None or always):
            raise ProviderError(
                _(
                    "That answer did not come from %(provider)s. Please start again.",
                    provider=provider.name,
                )
            )

    async def finish(self, request: Request, provider: Provider) -> ProviderAccount:
        """Check the provider's answer at the callback and say who signed in."""
        client = self._client(provider)
        await self._check_discovery(provider, client)
        self._check_answering_issuer(request, provider, client.server_metadata)
        claims_options = None
        if provider.kind == "oidc":
            claims_options = {
                "iss": {"essential": True, "value": provider.issuer},
                "aud": {"essential": True, "value": provider.client_id},
            }
        try:
            token = await client.authorize_access_token(request, claims_options=claims_options)
            if provider.kind == "github":
                return await _github_account(client, token)
            claims = dict(token.get("userinfo") or {})
            if not claims.get("sub"):
                raise ProviderError(
                    _(
                        "%(provider)s did not say who you are. Please try again.",
                        provider=provider.name,
                    )
                )
            if client.server_metadata.get("userinfo_endpoint"):
                # Many issuers keep the name and e-mail address out of the ID token.
                extra = await client.userinfo(token=token)
                if extra.get("sub") == claims["sub"]:
                    claims = {**extra, **claims}
        except OAuthError as error:
            if error.error == "access_denied":
                raise ProviderError(
                    _("You did not allow %(provider)s to sign you in.", provider=provider.name)
                ) from error
            raise ProviderError(
                _(
                    "Signing in with %(provider)s did not work (%(error)s). Please try again.",
                    provider=provider.name,
                    error=error.error,
                )
            ) from error
        except (JoseError, AuthlibBaseError) as error:
            raise ProviderError(
                _(
                    "%(provider)s sent an identity we cannot accept. Please try again.",
                    provider=provider.name,
                )
            ) from error
        except httpx.HTTPError as error:
            raise ProviderError(
                _("%(provider)s could not be reached.", provider=provider.name), unreachable=True
            ) from error
        return ProviderAccount(
            subject=str(claims["sub"]),
            name=str(claims.get("name") or claims.get("preferred_username") or ""),
            email=claims.get("email"),
            email_verified=bool(claims.get("email_verified")),
            picture=claims.get("picture"),
        )


async def _github_account(client: Any, token: dict[str, Any]) -> ProviderAccount:
    user = (await client.get("user", token=token)).raise_for_status().json()
    emails = (await client.get("user/emails", token=token)).raise_for_status().json()
    primary = next((e for e in emails if e.get("primary") and e.get("verified")), None)
    return ProviderAccount(
        subject=str(user["id"]),
        name=str(user.get("name") or user.get("login") or ""),
        email=primary["email"] if primary else None,
        email_verified=primary is not None,
        picture=user.get("avatar_url"),
    )
