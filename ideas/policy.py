"""Who may do what, in which phase.

``ALLOWED`` is SPEC §3 written as data: for each action and phase, the roles
that may do it. A person's roles are worked out for a given challenge (and
idea); an action is allowed when the two sets meet. Views ask here before they
call a service; nothing else decides permissions.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from ideas.accounts.models import User
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.errors import Forbidden, NotFound
from ideas.submissions.models import Idea


class Role(StrEnum):
    VISITOR = "visitor"
    PARTICIPANT = "participant"
    AUTHOR = "author"  # author or co-author of the idea at hand
    TEAM_MEMBER = "team member"  # on the team of the (shortlisted) idea at hand
    HOST = "host"  # host of the challenge at hand
    ADMIN = "admin"


class Action(StrEnum):
    SEE_CHALLENGE = "see the challenge"
    POST_IDEA = "post an idea / build on one"
    EDIT_OWN_IDEA = "edit own idea"
    COMMENT = "comment"
    VOTE = "vote, withdraw a vote"
    COMPARE = "compare two ideas"
    SHORTLIST = "shortlist / un-shortlist"
    JOIN_TEAM = "ask to join, invite, accept, leave a team"
    ANNOUNCE_WINNERS = "announce winners"
    EDIT_CHALLENGE = "edit brief and schedule"
    SWITCH_PHASE = "switch the phase by hand"


EVERYONE = frozenset(Role)
NOBODY: frozenset[Role] = frozenset()
PARTICIPANTS = frozenset({Role.PARTICIPANT})
AUTHORS = frozenset({Role.AUTHOR})
TEAM = frozenset({Role.TEAM_MEMBER})
HOSTS = frozenset({Role.HOST})


def _row(**cells: frozenset[Role]) -> dict[Phase, frozenset[Role]]:
    row = dict.fromkeys(Phase, NOBODY)
    row.update({Phase(name): roles for name, roles in cells.items()})
    return row


ALLOWED: dict[Action, dict[Phase, frozenset[Role]]] = {
    Action.SEE_CHALLENGE: _row(
        draft=HOSTS | {Role.ADMIN}, ideas=EVERYONE, review=EVERYONE, teams=EVERYONE, closed=EVERYONE
    ),
    Action.POST_IDEA: _row(ideas=PARTICIPANTS),
    Action.EDIT_OWN_IDEA: _row(ideas=AUTHORS, review=AUTHORS, teams=TEAM),
    Action.COMMENT: _row(ideas=PARTICIPANTS, review=PARTICIPANTS, teams=PARTICIPANTS),
    Action.VOTE: _row(ideas=PARTICIPANTS, review=PARTICIPANTS),
    Action.COMPARE: _row(ideas=PARTICIPANTS, review=PARTICIPANTS),
    Action.SHORTLIST: _row(ideas=HOSTS, review=HOSTS),
    Action.JOIN_TEAM: _row(teams=PARTICIPANTS),
    Action.ANNOUNCE_WINNERS: _row(teams=HOSTS, closed=HOSTS),
    Action.EDIT_CHALLENGE: _row(draft=HOSTS, ideas=HOSTS, review=HOSTS, teams=HOSTS),
    # Hosts open, move on, close and reopen by hand at any time (SPEC §3, below the table).
    Action.SWITCH_PHASE: _row(draft=HOSTS, ideas=HOSTS, review=HOSTS, teams=HOSTS, closed=HOSTS),
}


def allows(action: Action, phase: Phase, roles: Iterable[Role]) -> bool:
    return not ALLOWED[action][phase].isdisjoint(roles)


# Roles ----------------------------------------------------------------------


def site_roles(user: User | None) -> frozenset[Role]:
    """Roles that do not depend on a challenge."""
    if user is None or not user.is_active:
        return frozenset({Role.VISITOR})
    roles = {Role.PARTICIPANT}
    if user.is_admin:
        roles.add(Role.ADMIN)
    return frozenset(roles)


def hosts_challenge(user: User | None, challenge: Challenge) -> bool:
    """Needs ``challenge.hosts`` loaded."""
    if user is None or not user.is_active:
        return False
    return any(host.user_id == user.id for host in challenge.hosts)


def challenge_roles(user: User | None, challenge: Challenge) -> frozenset[Role]:
    roles = set(site_roles(user))
    if hosts_challenge(user, challenge):
        roles.add(Role.HOST)
    return frozenset(roles)


def idea_roles(user: User | None, challenge: Challenge, idea: Idea) -> frozenset[Role]:
    roles = set(challenge_roles(user, challenge))
    if Role.PARTICIPANT in roles and user is not None and idea.author_id == user.id:
        roles.add(Role.AUTHOR)
    return frozenset(roles)


# Questions the views ask ----------------------------------------------------


def may(action: Action, challenge: Challenge, roles: Iterable[Role], now: datetime) -> bool:
    return allows(action, challenge.phase_at(now), roles)


def check(action: Action, challenge: Challenge, roles: frozenset[Role], now: datetime) -> None:
    """Raise unless ``roles`` may do ``action`` in the challenge's current phase.

    Someone who may not even see the challenge gets NotFound, so drafts stay
    invisible; otherwise Forbidden.
    """
    if not may(Action.SEE_CHALLENGE, challenge, roles, now):
        raise NotFound()
    if not may(action, challenge, roles, now):
        raise Forbidden(refusal_message(action, challenge.phase_at(now), roles))


def refusal_message(action: Action, phase: Phase, roles: Iterable[Role]) -> str:
    if not ALLOWED[action][phase]:
        return f"That is not possible while the challenge is in the {phase.label} phase."
    if Role.VISITOR in set(roles):
        return "Sign in to do that."
    return "You are not allowed to do that."


def can_see_idea(idea: Idea, roles: frozenset[Role]) -> bool:
    """Withdrawn and hidden ideas stay visible to their authors, hosts and admins."""
    if idea.is_visible:
        return True
    return not roles.isdisjoint({Role.AUTHOR, Role.HOST, Role.ADMIN})


def may_create_challenge(user: User | None) -> bool:
    return user is not None and user.is_active and user.is_host


def require_create_challenge(user: User | None) -> None:
    if user is None:
        raise Forbidden("Sign in to do that.")
    if not may_create_challenge(user):
        raise Forbidden("Only hosts can create challenges.")


def may_administer(user: User | None) -> bool:
    return user is not None and user.is_active and user.is_admin


def require_admin(user: User | None) -> None:
    if user is None:
        raise Forbidden("Sign in to do that.")
    if not may_administer(user):
        raise Forbidden("Only admins can do that.")


def may_see_profile(person: User, viewer: User | None) -> bool:
    """Deleted people have no profile; suspended ones are visible only to admins."""
    if person.is_active:
        return True
    return person.status.value == "suspended" and may_administer(viewer)
