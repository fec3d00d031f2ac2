"""SMTP settings: e-mail is sent only when they are complete."""

from __future__ import annotations

import pytest

from ideas.settings import SettingsError, SMTPSecurity, load_settings
from tests.support.environ import PRODUCTION_ENVIRON

SMTP = {"SMTP_HOST": "smtp.example.org", "SMTP_FROM": "Ideas <ideas@example.org>"}


def test_without_smtp_host_no_email_is_sent() -> None:
    settings = load_settings({})
    assert not settings.smtp_configured
    assert settings.send_from_app
    assert (settings.smtp_port, settings.smtp_security) == (587, SMTPSecurity.STARTTLS)


def test_smtp_host_and_sender_are_enough() -> None:
    settings = load_settings(SMTP)
    assert settings.smtp_configured
    assert settings.public_origin == "http://127.0.0.1:8000"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"SMTP_HOST": "smtp.example.org"}, "SMTP_FROM must be set when SMTP_HOST is"),
        ({**SMTP, "SMTP_FROM": "ideas"}, "SMTP_FROM: must be an e-mail address"),
        (
            {**SMTP, "SMTP_USERNAME": "ideas"},
            "SMTP_USERNAME and SMTP_PASSWORD must be set together",
        ),
        (
            {**SMTP, "SMTP_PASSWORD": "secret"},
            "SMTP_USERNAME and SMTP_PASSWORD must be set together",
        ),
        ({**SMTP, "SMTP_SECURITY": "ssl"}, "SMTP_SECURITY"),
        ({**SMTP, "SMTP_PORT": "0"}, "SMTP_PORT"),
        ({**SMTP, "IDEAS_SEND_FROM_APP": "perhaps"}, "IDEAS_SEND_FROM_APP"),
        (
            {**PRODUCTION_ENVIRON, **SMTP, "IDEAS_BASE_URL": ""},
            "IDEAS_BASE_URL must be set when IDEAS_ENV=production",
        ),
    ],
)
def test_incomplete_smtp_settings_are_refused(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(environ)


def test_production_mails_links_to_the_public_address() -> None:
    settings = load_settings(
        {**PRODUCTION_ENVIRON, **SMTP, "IDEAS_BASE_URL": "https://ideas.example.org/"}
    )
    assert settings.public_origin == "https://ideas.example.org"
