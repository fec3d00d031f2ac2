"""Who may do what, in which phase.

``ALLOWED`` is SPEC §3 written as data: for each action and phase, the roles
that may do it. A person's roles are worked out for a given challenge (and
idea); an action is allowed when the two sets meet. Nothing else decides
permissions. Services ask here (``require_*``) inside their transaction, so
that they refuse on their own; views ask the same questions (``may_*``) to
offer only what a person can do, and hand the answers to the templates. Each
refusal's message is written here, once, beside its rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import partial

from ideas.accounts.models import User
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.comments.models import EDIT_WINDOW, Comment, CommentStatus
from ideas.comments.queries import ShownComment
from ideas.errors import Conflict, DomainError, Forbidden, NotFound
from ideas.i18n import _, lazy_gettext, ngettext, status_word
from ideas.submissions.listing import ListedIdea, ListedPerson
from ideas.submissions.models import VISIBLE_STATUSES, Idea, IdeaStatus
from ideas.teams.models import Team


class Role(StrEnum):
    VISITOR = "visitor"
    PARTICIPANT = "participant"
    AUTHOR = "author"  # author or co-author of the idea at hand
    TEAM_MEMBER = "team member"  # on the team of the (shortlisted) idea at hand
    HOST = "host"  # host of the challenge at hand
    JUROR = "juror"  # invited to the jury of the challenge at hand
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
    MANAGE_HOSTS = "add or remove co-hosts"
    RUN_CHALLENGE = "see the host dashboard, export data"
    SUGGEST_TEAMS = "suggest and apply teams"
    SCORE_IDEAS = "score ideas (jurors)"
    SET_UP_JURY = "set the rubric, the jurors and the jury's weighting"
    PUBLISH_JURY = "publish the jury's scores"
    POST_IMPACT = "post an impact update"
    SET_CHECK_INS = "set the impact check-in dates"
    PLEDGE = "pledge to a team, withdraw a pledge"
    HONOUR_PLEDGE = "mark a pledge honoured (the team's lead)"
    OPEN_FOLLOW_UP = "open a follow-up round"
    GROUP_DUPLICATES = "group duplicate ideas into a cluster, ungroup them"
    ASK_TO_GROUP = "ask to group one's idea with a duplicate, answer such a request"
    NAME_THEMES = "give a theme of the challenge's ideas a name of one's own"


SIGN_IN = lazy_gettext("Sign in to do that.")

EVERYONE = frozenset(Role)
NOBODY: frozenset[Role] = frozenset()
PARTICIPANTS = frozenset({Role.PARTICIPANT})
AUTHORS = frozenset({Role.AUTHOR})
TEAM = frozenset({Role.TEAM_MEMBER})
HOSTS = frozenset({Role.HOST})
JURORS = frozenset({Role.JUROR})


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
    # Host tools beyond the spec's table: a round's hosts keep them in every phase,
    # so a closed round can still be exported and handed on.
    Action.MANAGE_HOSTS: _row(draft=HOSTS, ideas=HOSTS, review=HOSTS, teams=HOSTS, closed=HOSTS),
    Action.RUN_CHALLENGE: _row(draft=HOSTS, ideas=HOSTS, review=HOSTS, teams=HOSTS, closed=HOSTS),
    # Themes are shown on the host dashboard, and named from it, in every phase.
    Action.NAME_THEMES: _row(draft=HOSTS, ideas=HOSTS, review=HOSTS, teams=HOSTS, closed=HOSTS),
    # Teams are suggested while they form.
    Action.SUGGEST_TEAMS: _row(teams=HOSTS),
    Action.SCORE_IDEAS: _row(review=JURORS),
    # The jury is set up before review begins, so that its rubric and weighting are
    # published before anyone scores; its scores are published once it has scored.
    Action.SET_UP_JURY: _row(draft=HOSTS, ideas=HOSTS),
    Action.PUBLISH_JURY: _row(review=HOSTS, teams=HOSTS, closed=HOSTS),
    # After the round: the teams of shortlisted and winning ideas report their progress
    # from the teams phase on, hosts ask for it by dates, and anyone pledges to a team.
    Action.POST_IMPACT: _row(teams=TEAM, closed=TEAM),
    Action.SET_CHECK_INS: _row(teams=HOSTS, closed=HOSTS),
    Action.PLEDGE: _row(teams=PARTICIPANTS, closed=PARTICIPANTS),
    Action.HONOUR_PLEDGE: _row(teams=TEAM, closed=TEAM),
    # A round's next round is opened from it once it has closed.
    Action.OPEN_FOLLOW_UP: _row(closed=HOSTS),
    # Duplicates are grouped while ideas come in and are reviewed. From the teams phase
    # on, the shortlist has been drawn from the rankings and teams form around single
    # ideas, and once a round has closed its results are the record: regrouping then
    # would change, after the fact, rankings people already acted on.
    Action.GROUP_DUPLICATES: _row(ideas=HOSTS, review=HOSTS),
    Action.ASK_TO_GROUP: _row(ideas=AUTHORS, review=AUTHORS),
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
    """Needs ``idea.coauthors`` and ``idea.team`` (with its members) loaded: co-authors
    edit as authors do, and so does the team of a shortlisted idea in the teams phase."""
    if user is None:
        return site_roles(user)
    return roles_from(
        user,
        host=hosts_challenge(user, challenge),
        author=is_author(user, idea),
        team_member=idea.is_shortlisted and idea.team is not None and is_member(user, idea.team),
    )


def roles_from(
    user: User | None, *, host: bool, author: bool, team_member: bool = False
) -> frozenset[Role]:
    """A person's roles for an idea from what is known of them: whether they host its
    challenge, (co-)author it, or are in the team of it as a shortlisted idea."""
    roles = set(site_roles(user))
    if Role.PARTICIPANT not in roles:
        return frozenset(roles)
    if host:
        roles.add(Role.HOST)
    if author:
        roles.add(Role.AUTHOR)
    if team_member:
        roles.add(Role.TEAM_MEMBER)
    return frozenset(roles)


def is_member(user: User, team: Team) -> bool:
    return any(member.user_id == user.id for member in team.members)


def is_author(user: User, idea: Idea | ListedIdea) -> bool:
    return idea.author_id == user.id or any(c.user_id == user.id for c in idea.coauthors)


def may_withdraw(user: User | None, challenge: Challenge, idea: Idea, now: datetime) -> bool:
    """The idea's first author takes it back while authors may still edit it."""
    if user is None or not user.is_active or idea.author_id != user.id:
        return False
    return may(Action.EDIT_OWN_IDEA, challenge, idea_roles(user, challenge, idea), now)


def require_withdraw(user: User | None, challenge: Challenge, idea: Idea, now: datetime) -> None:
    if not may_withdraw(user, challenge, idea, now):
        raise Forbidden(_("Only the idea's author can withdraw it, while it can still be edited."))


def may_manage_coauthors(user: User | None, idea: Idea) -> bool:
    """The idea's first author chooses its co-authors."""
    return user is not None and user.is_active and idea.author_id == user.id


def require_manage_coauthors(user: User | None, idea: Idea) -> None:
    if not may_manage_coauthors(user, idea):
        raise Forbidden(_("Only the idea's author chooses its co-authors."))


# Questions the views ask ----------------------------------------------------


def may(action: Action, challenge: Challenge, roles: Iterable[Role], now: datetime) -> bool:
    return allows(action, challenge.phase_at(now), roles)


def check(action: Action, challenge: Challenge, roles: frozenset[Role], now: datetime) -> None:
    """Raise unless ``roles`` may do ``action`` in the challenge's current phase.

    Someone who may not even see the challenge gets NotFound, so drafts stay
    invisible; otherwise Forbidden.
    """
    check_in(action, challenge.phase_at(now), roles)


def check_in(action: Action, phase: Phase, roles: frozenset[Role]) -> None:
    """As ``check``, for a challenge known to be in ``phase``: for a service that reads
    only the challenge's schedule, not the whole challenge."""
    if not allows(Action.SEE_CHALLENGE, phase, roles):
        raise NotFound()
    if not allows(action, phase, roles):
        raise Forbidden(refusal_message(action, phase, roles))


def refusal_message(action: Action, phase: Phase, roles: Iterable[Role]) -> str:
    """Why ``roles`` may not do ``action`` in ``phase``. Someone signed in who may not
    do it in any phase is told so, not that the phase is wrong."""
    roles = frozenset(roles)
    signed_in = Role.VISITOR not in roles
    if signed_in and not any(allows(action, other, roles) for other in Phase):
        return _who_refusal(roles)
    if not ALLOWED[action][phase]:
        return _(
            "That is not possible while the challenge is in the %(phase)s phase.", phase=phase.label
        )
    return _who_refusal(roles)


def _who_refusal(roles: Iterable[Role]) -> str:
    if Role.VISITOR in set(roles):
        return SIGN_IN
    return _("You are not allowed to do that.")


def may_change_address(challenge: Challenge, now: datetime) -> bool:
    """A challenge's address (its slug) changes only while it is a draft: once open,
    links to it are out in the world."""
    return challenge.phase_at(now) is Phase.DRAFT


def sees_challenge(user: User | None, challenge: Challenge, now: datetime, *, host: bool) -> bool:
    """Whether ``user`` may see ``challenge`` at ``now``; ``host``: whether they host it.

    The rule of everything that reaches from one challenge into another: an idea's
    lineage and the credit along it (a round's ideas carried into a follow-up round),
    the rounds around a challenge. What lies in a challenge the viewer may not see
    (a follow-up round still in its draft, to all but its hosts and the admins) is left
    out, as if it were not there."""
    return may(Action.SEE_CHALLENGE, challenge, roles_from(user, host=host, author=False), now)


def can_see_idea(idea: Idea, roles: frozenset[Role]) -> bool:
    """Withdrawn and hidden ideas stay visible to their authors, hosts and admins."""
    if idea.is_visible:
        return True
    return not roles.isdisjoint({Role.AUTHOR, Role.HOST, Role.ADMIN})


def may_announce(phase: Phase, *, idea_visible: bool = True) -> bool:
    """Whether a change is told to open pages (``ideas.live``): only when everyone who
    may see the challenge may see what changed — the challenge is past its draft and the
    idea is listed. A stream is opened only by who may see its page; what only some of
    them may see (a hidden idea, a draft) is never sent, so no stream has to ask again."""
    return allows(Action.SEE_CHALLENGE, phase, {Role.VISITOR}) and idea_visible


def may_see_picture_of(
    user: User | None, challenge: Challenge, idea: Idea | None, now: datetime
) -> bool:
    """A file (a challenge's cover, ``idea`` None; an idea's picture) is shown to whoever
    may see what it belongs to, by the same rule as the page that shows it: a draft's
    cover to its hosts and admins, a withdrawn or hidden idea's picture to its authors,
    the challenge's hosts and admins. For a signed-in ``user``, needs
    ``challenge.hosts`` loaded, and for an idea its ``coauthors`` and ``team``."""
    roles = challenge_roles(user, challenge) if idea is None else idea_roles(user, challenge, idea)
    if not may(Action.SEE_CHALLENGE, challenge, roles, now):
        return False
    return idea is None or can_see_idea(idea, roles)


LISTED_STATUSES: tuple[IdeaStatus, ...] = VISIBLE_STATUSES
"""The statuses of the ideas that lists show (a challenge's ideas on its page, in the
API and the feed; searches; an idea's lineage), to whoever may see the challenge.

Withdrawn and hidden ideas are never listed, not even to the people who may still
open them (``can_see_idea``).
"""


def may_read_shortlist_note(roles: frozenset[Role]) -> bool:
    """The hosts' note on a shortlisted idea is for its authors (and the hosts)."""
    return not roles.isdisjoint({Role.AUTHOR, Role.HOST})


def may_create_challenge(user: User | None) -> bool:
    return user is not None and user.is_active and user.is_host


def require_create_challenge(user: User | None) -> None:
    if user is None:
        raise Forbidden(SIGN_IN)
    if not may_create_challenge(user):
        raise Forbidden(_("Only hosts can create challenges."))


COHOST_REFUSAL = lazy_gettext("Co-hosting needs the host role, which an admin gives.")


def may_cohost(user: User | None) -> bool:
    """Who accepts an invitation to co-host a challenge: someone with the host role."""
    return user is not None and user.is_active and user.is_host


def may_administer(user: User | None) -> bool:
    return user is not None and user.is_active and user.is_admin


def require_admin(user: User | None) -> None:
    if user is None:
        raise Forbidden(SIGN_IN)
    if not may_administer(user):
        raise Forbidden(_("Only admins can do that."))


def may_change_role(user: User | None, person_id: int, *, admin_role: bool, granted: bool) -> bool:
    """Admins grant and revoke the host and admin roles; none takes their own admin
    role away, so that the site always keeps one."""
    if user is None or not may_administer(user):
        return False
    return not (admin_role and not granted and person_id == user.id)


def require_change_role(
    user: User | None, person_id: int, *, admin_role: bool, granted: bool
) -> None:
    require_admin(user)
    if not may_change_role(user, person_id, admin_role=admin_role, granted=granted):
        raise Conflict(_("You cannot remove your own admin role."))


def may_see_profile(person: User | ListedPerson, viewer: User | None) -> bool:
    """Deleted people have no profile; suspended ones are visible only to admins."""
    if person.is_active:
        return True
    return person.status.value == "suspended" and may_administer(viewer)


def may_see_avatar_of(person: User | ListedPerson) -> bool:
    """A person's own picture is shown to everyone while their account is active; a
    suspended or deleted person shows as initials, and their picture's address is 404."""
    return person.is_active


# Comments -------------------------------------------------------------------


def can_see_comment(user: User | None, comment: Comment, roles: frozenset[Role]) -> bool:
    """Whoever sees the idea sees its published comments. A hidden one is seen by its
    author and by those who moderate it (the challenge's hosts, admins); a deleted one
    by its author alone. To anyone else it is not there: addressing it is "not found".

    ``roles`` are the viewer's roles for the comment's idea.
    """
    if comment.status is CommentStatus.PUBLISHED:
        return True
    if user is not None and user.is_active and comment.author_id == user.id:
        return True
    return comment.status is CommentStatus.HIDDEN and not roles.isdisjoint({Role.HOST, Role.ADMIN})


def edit_window_passed() -> str:
    minutes = int(EDIT_WINDOW.total_seconds() // 60)
    return ngettext(
        "A comment can be edited for %(num)d minute after it is posted.",
        "A comment can be edited for %(num)d minutes after it is posted.",
        minutes,
    )


# How a comment's edit or deletion is refused: made when raised, not when asked. A thread
# asks, for each of its comments, what its viewer may do; the answer for most is no.
Refusal = Callable[[], DomainError]
_SIGN_IN_FIRST: Refusal = partial(Forbidden, SIGN_IN)
_ONLY_AUTHOR_EDITS: Refusal = partial(
    Forbidden, lazy_gettext("Only its author can edit a comment.")
)
_ONLY_AUTHOR_DELETES: Refusal = partial(
    Forbidden, lazy_gettext("Only its author can delete a comment.")
)
_ALREADY_DELETED: Refusal = partial(Conflict, lazy_gettext("That comment was already deleted."))


def _comment_edit_refusal(
    user: User | None, comment: Comment | ShownComment, now: datetime
) -> Refusal | None:
    """Authors fix their own published comment for a short while after posting it."""
    if user is None or not user.is_active:
        return _SIGN_IN_FIRST
    if comment.author_id != user.id:
        return _ONLY_AUTHOR_EDITS
    if comment.status is not CommentStatus.PUBLISHED:
        status = comment.status
        return lambda: Conflict(
            _("A %(status)s comment cannot be edited.", status=status_word(status))
        )
    if now - comment.created_at > EDIT_WINDOW:
        return lambda: Forbidden(edit_window_passed())
    return None


def may_edit_comment(user: User | None, comment: Comment | ShownComment, now: datetime) -> bool:
    return _comment_edit_refusal(user, comment, now) is None


def require_edit_comment(user: User | None, comment: Comment, now: datetime) -> None:
    refusal = _comment_edit_refusal(user, comment, now)
    if refusal is not None:
        raise refusal()


def _comment_delete_refusal(user: User | None, comment: Comment | ShownComment) -> Refusal | None:
    """Authors take their own comment down at any time; the thread keeps a placeholder."""
    if user is None or not user.is_active:
        return _SIGN_IN_FIRST
    if comment.status is CommentStatus.DELETED:
        return _ALREADY_DELETED
    if comment.author_id != user.id:
        return _ONLY_AUTHOR_DELETES
    return None


def may_read_hidden_comment(user: User | None, comment: Comment | ShownComment) -> bool:
    """A hidden comment stays readable to its author, who is told why; everyone else
    sees a placeholder in its place."""
    return user is not None and comment.author_id == user.id


def may_delete_comment(user: User | None, comment: Comment | ShownComment) -> bool:
    return _comment_delete_refusal(user, comment) is None


def require_delete_comment(user: User | None, comment: Comment) -> None:
    refusal = _comment_delete_refusal(user, comment)
    if refusal is not None:
        raise refusal()


# Votes and comparisons -------------------------------------------------------

VOTE_FOR_OWN_IDEA = lazy_gettext("You cannot vote for your own idea.")


def may_vote_for(
    user: User | None,
    challenge: Challenge,
    idea: Idea | ListedIdea,
    *,
    coauthor: bool | None = None,
) -> bool:
    """Nobody votes for their own idea, as its author or a co-author, unless the
    challenge allows self-votes.

    Needs ``idea.coauthors`` loaded, unless ``coauthor`` already says whether
    ``user`` is one of the idea's co-authors. Casting a vote checks the same rule
    inside its INSERT (``ideas.voting.services``), so that it holds under
    concurrency; a change here must be made there too, or
    tests/voting/test_vote_rules_agree.py fails.
    """
    if user is None or not user.is_active:
        return False
    if challenge.allow_self_votes:
        return True
    if coauthor is None:
        return not is_author(user, idea)
    return idea.author_id != user.id and not coauthor


def may_compare_idea(user: User | None, idea: Idea) -> bool:
    """Nobody compares their own idea, as its author or a co-author (whatever the
    challenge says of self-votes). Needs ``idea.coauthors`` loaded."""
    return user is not None and user.is_active and not is_author(user, idea)


def require_compare_idea(user: User | None, idea: Idea) -> None:
    if user is None or not user.is_active:
        raise Forbidden(SIGN_IN)
    if not may_compare_idea(user, idea):
        raise Forbidden(_("You cannot compare your own idea."))


# Teams ----------------------------------------------------------------------
# Who may join, invite, accept and leave, and when, is Action.JOIN_TEAM above;
# these say which part a person plays in a team.


LEAD_ONLY = lazy_gettext("Only the team's lead can do that.")


def is_lead(user: User | None, team: Team) -> bool:
    return user is not None and user.is_active and team.lead_id == user.id


def may_manage_team(user: User | None, team: Team) -> bool:
    """The lead answers requests, invites, removes members, hands the team over,
    and edits its open roles and its "about" text."""
    return is_lead(user, team)


def require_manage_team(user: User | None, team: Team) -> None:
    if not may_manage_team(user, team):
        raise Forbidden(LEAD_ONLY)


def may_post_team_update(user: User | None, team: Team) -> bool:
    """Members post updates on the team's progress. Needs ``team.members`` loaded."""
    return user is not None and user.is_active and is_member(user, team)


def require_post_team_update(user: User | None, team: Team) -> None:
    if not may_post_team_update(user, team):
        raise Forbidden(_("Only the team's members post updates."))


def may_fill_role(user: User | None, team: Team, *, filled_by: int | None, to: int | None) -> bool:
    """May ``user`` change who fills a role from ``filled_by`` to ``to`` (None: open)?

    The lead says which member fills any role, or opens it again; a member takes
    an open role or gives up their own. Needs ``team.members`` loaded.
    """
    if may_manage_team(user, team):
        return True
    if user is None or not may_post_team_update(user, team):
        return False
    if filled_by is None:
        return to == user.id
    return filled_by == user.id and to is None


def require_fill_role(
    user: User | None, team: Team, *, filled_by: int | None, to: int | None
) -> None:
    if not may_fill_role(user, team, filled_by=filled_by, to=to):
        raise Forbidden(_("A member takes an open role or gives up their own; the lead decides."))


# Moderation -----------------------------------------------------------------


def may_report(user: User | None, author_ids: Iterable[int]) -> bool:
    """Signed-in people report what others wrote; nobody reports their own words.

    ``author_ids``: the item's author, and for an idea its co-authors too.
    """
    return user is not None and user.is_active and user.id not in set(author_ids)


def require_report(user: User | None, author_ids: Iterable[int], kind: str) -> None:
    """``kind``: what is reported, "idea" or "comment", as the refusal names it."""
    if user is None or not user.is_active:
        raise Forbidden(SIGN_IN)
    if not may_report(user, author_ids):
        raise Forbidden(
            _("You cannot report your own idea.")
            if kind == "idea"
            else _("You cannot report your own comment.")
        )


def may_moderate(user: User | None, challenge: Challenge) -> bool:
    """Hosts moderate inside their own challenges, admins everywhere.

    Needs ``challenge.hosts`` loaded.
    """
    return may_administer(user) or hosts_challenge(user, challenge)


def require_moderate(user: User | None, challenge: Challenge) -> None:
    if user is None:
        raise Forbidden(SIGN_IN)
    if not may_moderate(user, challenge):
        raise Forbidden(_("Only this challenge's hosts and the admins moderate it."))


def may_suspend(user: User | None, person_id: int | None = None) -> bool:
    """Suspending an account reaches beyond any one challenge: admins only, and none
    suspends (or reinstates) themselves. ``person_id``: whom, when it is known."""
    if user is None or not may_administer(user):
        return False
    return person_id != user.id


def require_suspend(user: User | None, person_id: int | None = None) -> None:
    if user is None:
        raise Forbidden(SIGN_IN)
    if not may_suspend(user):
        raise Forbidden(_("Only admins can suspend an account."))
    if not may_suspend(user, person_id):
        raise Conflict(_("You cannot suspend yourself."))


# Jury -----------------------------------------------------------------------

WEIGHTING_FROZEN = lazy_gettext("The weighting cannot change once a juror has scored an idea.")
RUBRIC_FROZEN = lazy_gettext("The rubric cannot change once a juror has scored an idea.")
CONFLICTED = (
    "You cannot score an idea you wrote, co-wrote, are on the team of, or declared a conflict with."
)


def jury_roles(user: User | None, challenge: Challenge, *, juror: bool) -> frozenset[Role]:
    """A person's roles in a challenge, with ``juror``: whether they are on its jury."""
    roles = set(challenge_roles(user, challenge))
    if juror and Role.PARTICIPANT in roles:
        roles.add(Role.JUROR)
    return frozenset(roles)


def has_conflict(user: User, idea: Idea, *, declared: bool) -> bool:
    """A juror never scores an idea they wrote, co-wrote, or are on the team of, nor
    one they ``declared`` a conflict with. Needs ``idea.coauthors`` and ``idea.team``
    (with its members) loaded."""
    on_team = idea.team is not None and is_member(user, idea.team)
    return declared or is_author(user, idea) or on_team


def require_no_conflict(user: User, idea: Idea, *, declared: bool) -> None:
    if has_conflict(user, idea, declared=declared):
        raise Forbidden(CONFLICTED)


def may_change_weighting(*, scored: bool) -> bool:
    """The weighting of jury against crowd is frozen once the first score is in."""
    return not scored


def require_change_weighting(*, scored: bool) -> None:
    if not may_change_weighting(scored=scored):
        raise Conflict(WEIGHTING_FROZEN)


def may_see_jury_scores(*, host: bool, published: bool) -> bool:
    """Until the hosts publish it, the jury's scores are for the hosts alone."""
    return host or published


def juror_is_blind(*, juror: bool, unsubmitted: int, phase: Phase) -> bool:
    """A juror who still has ideas to submit in review sees no vote counts or rankings."""
    return juror and phase is Phase.REVIEW and unsubmitted > 0


# Impact and pledges -----------------------------------------------------------

PLEDGE_CONDITION_MAX = 100
"""The most others a conditional pledge may wait for: more would never be met."""
SUSPENDED_PLEDGE = "A suspended account cannot pledge."
PLEDGED_ALREADY = "You have already pledged to this team; withdraw that pledge to make another."
PLEDGE_MET = "That pledge's condition is met: others count on it, so it cannot be withdrawn."
PLEDGE_NOT_YOURS = "Only the person who made a pledge can withdraw it."


def pledge_roles(user: User | None, challenge: Challenge) -> frozenset[Role]:
    """Roles for pledging: a suspended person is told so, not asked to sign in."""
    if user is not None and user.status.value == "suspended":
        raise Forbidden(SUSPENDED_PLEDGE)
    return challenge_roles(user, challenge)


def _withdraw_refusal(
    user: User | None, *, pledger_id: int, met: bool, honoured: bool
) -> Forbidden | Conflict | None:
    """Its author takes a pledge back until its condition is met (others count on it
    then) or, for a pledge with no condition, until the lead marks it honoured."""
    if user is None or not user.is_active or user.id != pledger_id:
        return Forbidden(PLEDGE_NOT_YOURS)
    if met:
        return Conflict(PLEDGE_MET)
    if honoured:
        return Conflict("That pledge was honoured already.")
    return None


def may_withdraw_pledge(user: User | None, *, pledger_id: int, met: bool, honoured: bool) -> bool:
    return _withdraw_refusal(user, pledger_id=pledger_id, met=met, honoured=honoured) is None


def require_withdraw_pledge(
    user: User | None, *, pledger_id: int, met: bool, honoured: bool
) -> None:
    refusal = _withdraw_refusal(user, pledger_id=pledger_id, met=met, honoured=honoured)
    if refusal is not None:
        raise refusal


def require_honour_pledge(user: User | None, team: Team) -> None:
    """The lead says a pledge was kept."""
    if not is_lead(user, team):
        raise Forbidden(LEAD_ONLY)


# Duplicate clusters -------------------------------------------------------------
# Who groups, and when, is Action.GROUP_DUPLICATES (hosts) and Action.ASK_TO_GROUP
# (authors, with the other idea's author's consent) above; these say which ideas.

CLUSTER_TOO_SMALL = lazy_gettext("Choose at least two ideas to group.")
CLUSTER_OTHER_CHALLENGE = lazy_gettext("Only ideas of the same challenge can be grouped.")
CLUSTER_ALREADY_ASKED = lazy_gettext("A request to group these two ideas was already made.")
CLUSTER_ANSWERED = lazy_gettext("That request was already answered.")
CLUSTER_NOT_YOURS = lazy_gettext("Only an author of the other idea can answer this request.")
CLUSTER_ASKER_NOT_AUTHOR = lazy_gettext("You can only ask to group an idea of your own.")


def groupable_refusal(idea: Idea) -> str | None:
    """Only listed ideas are grouped: a withdrawn or hidden one is not offered, and a
    cluster must never be the way back onto the list for it."""
    if idea.is_visible:
        return None
    return _("A %(status)s idea cannot be grouped.", status=status_word(idea.status))


def require_groupable(idea: Idea) -> None:
    refusal = groupable_refusal(idea)
    if refusal is not None:
        raise Conflict(refusal)


def require_may_ask_to_group(
    user: User | None, challenge: Challenge, idea: Idea, now: datetime
) -> None:
    """The asker (co-)authors ``idea`` (needs its ``coauthors``), in a phase where
    authors may ask."""
    roles = idea_roles(user, challenge, idea)
    if Role.VISITOR not in roles and Role.AUTHOR not in roles:
        if not allows(Action.SEE_CHALLENGE, challenge.phase_at(now), roles):
            raise NotFound()
        raise Forbidden(CLUSTER_ASKER_NOT_AUTHOR)
    check(Action.ASK_TO_GROUP, challenge, roles, now)


def may_answer_cluster_request(user: User | None, other_idea: Idea) -> bool:
    """The author or a co-author of the idea asked for. Needs its ``coauthors``."""
    return user is not None and user.is_active and is_author(user, other_idea)


def require_answer_cluster_request(
    user: User | None, challenge: Challenge, other_idea: Idea, now: datetime
) -> None:
    if user is None or not user.is_active:
        raise Forbidden(SIGN_IN)
    if not may_answer_cluster_request(user, other_idea):
        raise Forbidden(CLUSTER_NOT_YOURS)
    check(Action.ASK_TO_GROUP, challenge, idea_roles(user, challenge, other_idea), now)


# For templates ----------------------------------------------------------------


@dataclass(frozen=True)
class May:
    """The policy's answers about one viewer, for templates: ``may.suspend(person)``.

    ``render`` gives every template one for the signed-in person. Questions that need
    more than the viewer and the object at hand (roles in a challenge, the phase) are
    answered by the view and handed to the template as flags.
    """

    viewer: User | None

    def administer(self) -> bool:
        return may_administer(self.viewer)

    def change_role(self, person: User, role: str, *, granted: bool) -> bool:
        return may_change_role(self.viewer, person.id, admin_role=role == "admin", granted=granted)

    def suspend(self, person: User) -> bool:
        return may_suspend(self.viewer, person.id)

    def read_hidden_comment(self, comment: Comment | ShownComment) -> bool:
        return may_read_hidden_comment(self.viewer, comment)
