"""A person's public name: how they are named wherever others read about them.

One rule, for pages, e-mails, exports, feeds and the API alike: active and
suspended people are named by their display name (a suspension is not a
deletion); someone who deleted their account is named "a deleted
participant". Whether the name links to a profile is another question, asked
of ``policy.may_see_profile``.
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

from ideas.accounts.models import UserStatus
from ideas.i18n import gettext

# As data (an export, the API, a stored name) the words stay as they are, in English;
# inside a sentence a person reads, they are in the reader's language.
DELETED_PARTICIPANT = "deleted participant"


class Named(Protocol):
    """Someone with a name and an account status: a ``User``, or ``Someone`` from a row."""

    @property
    def display_name(self) -> str: ...

    @property
    def status(self) -> UserStatus: ...


class Someone(NamedTuple):
    """A person as a query row gives them, without their ``User``."""

    display_name: str
    status: UserStatus


def is_named(person: Named) -> bool:
    """Everyone who still has an account is named; a deleted account names nobody."""
    return person.status is not UserStatus.DELETED


NOBODY = "nobody"  # where a person may be missing: the lead of a team left empty


def public_name(person: Named | None) -> str:
    """Their name inside a sentence: "by Priya", "by a deleted participant", "led by
    nobody"."""
    if person is None:
        return gettext("nobody")
    return person.display_name if is_named(person) else gettext("a deleted participant")


def public_name_capitalised(person: Named | None) -> str:
    """Their name where a sentence starts: "A deleted participant commented on …"."""
    if person is None:
        return gettext("Nobody")
    return person.display_name if is_named(person) else gettext("A deleted participant")


def public_name_in_data(person: Named) -> str:
    """Their name as a value of its own (an API's name field, an export's column, a
    feed's author), where no sentence surrounds it: "deleted participant"."""
    return person.display_name if is_named(person) else DELETED_PARTICIPANT
