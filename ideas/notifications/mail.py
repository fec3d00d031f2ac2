"""What e-mails say and where their links lead.

Services that queue e-mail run without a request, so what they need (the
site's public origin, the secret that signs unsubscribe links, the site's URL
builder) is made once when the app or the worker starts, by ``setup_for``,
and carried by the database they open (``Database.mail``), which services
reach through their session. Without SMTP it is None and no e-mail is queued.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.utils import make_msgid, parseaddr
from typing import Any

import jinja2

from ideas.i18n import DEFAULT_LOCALE, format_list, gettext, install_gettext, known
from ideas.settings import TEMPLATES_DIR, Settings

SUBJECT_MAX = 200
SITE_NAME = "Ideas"


@dataclass(frozen=True)
class Rendered:
    """An e-mail from ``templates/email/``: its subject, what it says of its event (a
    section when several go in one e-mail), and the footer saying why it came."""

    subject: str
    section: str
    footer: str


def body(sections: Sequence[str], footer: str) -> str:
    """The text of an e-mail of one section, or the sections of a grouped one."""
    text = "\n\n".join(section.strip() for section in sections)
    return f"{text}\n\n--\n{footer.strip()}\n" if footer.strip() else f"{text}\n"


def _shorten(subject: str) -> str:
    subject = " ".join(subject.split())
    if len(subject) > SUBJECT_MAX:
        subject = subject[: SUBJECT_MAX - 1].rstrip() + "…"
    return subject


@dataclass(frozen=True)
class MailSetup:
    origin: str
    secret: str
    site_name: str
    templates: jinja2.Environment
    path_for: Callable[..., str]
    message_domain: str | None = None
    default_locale: str = DEFAULT_LOCALE

    def locale_of(self, person: Any) -> str:
        """The language to write to ``person`` in: theirs, else the site's."""
        return known(getattr(person, "locale", None)) or self.default_locale

    def url_for(self, name: str, /, **params: Any) -> str:
        return self.origin + self.path_for(name, **params)

    def unsubscribe_url(self, user_id: int) -> str:
        return self.url_for("unsubscribe", token=unsubscribe_token(self.secret, user_id))

    def message_id(self) -> str:
        """A new Message-ID, made when a mail is queued so that a resend keeps it."""
        return make_msgid(domain=self.message_domain)

    def render(self, template: str, **context: Any) -> Rendered:
        """An e-mail from ``templates/email/``: blocks ``subject``, ``section``, ``footer``."""
        loaded = self.templates.get_template(f"email/{template}")
        values = {"site_name": self.site_name, "origin": self.origin, **context}

        def block(name: str) -> str:
            return "".join(loaded.blocks[name](loaded.new_context(values)))

        return Rendered(
            _shorten(block("subject")), block("section").strip(), block("footer").strip()
        )


def email_templates() -> jinja2.Environment:
    """Plain text: nothing is escaped, and every variable must be given."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=False,  # noqa: S701 - plain-text e-mail, never shown as HTML
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    # Written in the recipient's language: the caller renders within use_locale.
    install_gettext(env)
    env.filters.update(list_of=format_list, quoted=lambda text: gettext("“%(text)s”", text=text))
    return env


def setup_for(settings: Settings, path_for: Callable[..., str]) -> MailSetup | None:
    """What e-mail needs, if ``settings`` configure SMTP; None if not (no e-mail is queued).

    ``path_for(name, **params)`` is the site's URL builder, made from its own
    routes by whoever starts (``ideas.routes.path_builder``).
    """
    if not settings.smtp_configured:
        return None
    return MailSetup(
        origin=settings.public_origin,
        secret=settings.effective_secret_key,
        site_name=SITE_NAME,
        templates=email_templates(),
        path_for=path_for,
        message_domain=parseaddr(settings.smtp_from)[1].rpartition("@")[2] or None,
        default_locale=settings.default_locale,
    )


@functools.cache
def _shared_templates() -> jinja2.Environment:
    return email_templates()


def render_grouped(sections: Sequence[str], footer: str) -> tuple[str, str]:
    """The subject and text of one e-mail that tells of several events, a section each."""
    loaded = _shared_templates().get_template("email/grouped.txt")
    values = {"site_name": SITE_NAME, "sections": list(sections), "count": len(sections)}
    subject = "".join(loaded.blocks["subject"](loaded.new_context(values)))
    intro = "".join(loaded.blocks["section"](loaded.new_context(values))).strip()
    return _shorten(subject), body([intro], footer)


# One-click unsubscribe --------------------------------------------------------


def _signature(secret: str, user_id: int) -> str:
    digest = hmac.new(secret.encode(), f"unsubscribe:{user_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def unsubscribe_token(secret: str, user_id: int) -> str:
    """``<user id>.<signature>``: it works without signing in, and never expires."""
    return f"{user_id}.{_signature(secret, user_id)}"


def user_of_token(secret: str, token: str) -> int | None:
    """The id of the person a genuine token was made for; None for anything else."""
    raw_id, _, signature = token.partition(".")
    if not raw_id.isascii() or not raw_id.isdigit() or len(raw_id) > 18:
        return None
    user_id = int(raw_id)
    if not hmac.compare_digest(signature.encode(), _signature(secret, user_id).encode()):
        return None
    return user_id
