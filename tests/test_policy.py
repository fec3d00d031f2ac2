"""The phase table of SPEC §3, checked cell by cell against ideas.policy.

The table below is copied from the spec as written. Each cell names who may
act; the test expands every (action, phase, role) combination and compares it
with the policy, so a change to either shows up as a failing cell.
"""

from __future__ import annotations

import pytest

from ideas.accounts.models import User, UserStatus
from ideas.challenges.phases import Phase
from ideas.comments.models import Comment, CommentStatus
from ideas.policy import ALLOWED, Action, Role, allows, can_see_comment

SPEC_TABLE = """
| action | draft | ideas | review | teams | closed |
| --- | --- | --- | --- | --- | --- |
| see the challenge | hosts | all | all | all | all |
| post an idea / build on one | – | participants | – | – | – |
| edit own idea | – | author, co-authors | author, co-authors (refine) | team of a shortlisted idea | – |
| comment | – | participants | participants | participants | – |
| vote, withdraw a vote | – | participants | participants | – | – |
| compare two ideas | – | participants | participants | – | – |
| shortlist / un-shortlist | – | hosts | hosts | – | – |
| ask to join, invite, accept, leave a team | – | – | – | participants (shortlisted ideas only) | – |
| announce winners | – | – | – | hosts | hosts |
| edit brief and schedule | hosts | hosts | hosts | hosts | – |
| score ideas (jurors) | – | – | jurors | – | – |
"""

# What each cell's words mean as roles. Hosts, authors and team members are
# participants too; the policy lists only the narrowest role that grants a cell.
CELL_ROLES = {
    "–": set(),
    "all": set(Role),
    "participants": {Role.PARTICIPANT},
    "participants (shortlisted ideas only)": {Role.PARTICIPANT},
    "hosts": {Role.HOST},
    "author, co-authors": {Role.AUTHOR},
    "author, co-authors (refine)": {Role.AUTHOR},
    "team of a shortlisted idea": {Role.TEAM_MEMBER},
    "jurors": {Role.JUROR},
}
# Admins also see drafts (they must be able to moderate everywhere).
EXTRA = {(Action.SEE_CHALLENGE, Phase.DRAFT): {Role.ADMIN}}


def _spec_cells() -> dict[tuple[Action, Phase], set[Role]]:
    lines = [line for line in SPEC_TABLE.strip().splitlines() if line.strip()]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    phases = [Phase(name) for name in header[1:]]
    cells = {}
    for line in lines[2:]:
        action_text, *values = [cell.strip() for cell in line.strip("|").split("|")]
        action = Action(action_text)
        for phase, value in zip(phases, values, strict=True):
            cells[(action, phase)] = CELL_ROLES[value] | EXTRA.get((action, phase), set())
    return cells


SPEC_CELLS = _spec_cells()
CASES = [
    pytest.param(action, phase, role, id=f"{action.value}|{phase.value}|{role.value}")
    for (action, phase) in SPEC_CELLS
    for role in Role
]


def test_the_spec_table_covers_every_action_of_the_spec() -> None:
    assert {action for action, _ in SPEC_CELLS} == (
        set(Action)
        - HOST_TOOLS
        - {Action.SUGGEST_TEAMS}
        - JURY_HOST_TOOLS
        - set(AFTER_THE_ROUND)
        - set(DUPLICATES)
    )


@pytest.mark.parametrize(("action", "phase", "role"), CASES)
def test_policy_matches_the_spec_table(action: Action, phase: Phase, role: Role) -> None:
    expected = role in SPEC_CELLS[(action, phase)]
    assert allows(action, phase, {role}) is expected


# Host tools the spec grants outside its table: switching phases "at any time",
# co-hosts, the dashboard and the exports, naming themes.
HOST_TOOLS = {
    Action.SWITCH_PHASE,
    Action.MANAGE_HOSTS,
    Action.RUN_CHALLENGE,
    Action.NAME_THEMES,
}


@pytest.mark.parametrize("action", sorted(HOST_TOOLS))
@pytest.mark.parametrize("phase", list(Phase))
@pytest.mark.parametrize("role", list(Role))
def test_only_hosts_use_host_tools_and_they_can_at_any_time(
    action: Action, phase: Phase, role: Role
) -> None:
    assert allows(action, phase, {role}) is (role is Role.HOST)


def test_visitors_can_only_read() -> None:
    for action, row in ALLOWED.items():
        for phase, roles in row.items():
            if Role.VISITOR in roles:
                assert action is Action.SEE_CHALLENGE, (action, phase)


@pytest.mark.parametrize("phase", list(Phase))
@pytest.mark.parametrize("role", list(Role))
def test_only_hosts_suggest_teams_and_only_while_teams_form(phase: Phase, role: Role) -> None:
    expected = role is Role.HOST and phase is Phase.TEAMS
    assert allows(Action.SUGGEST_TEAMS, phase, {role}) is expected


# The jury is set up before review (so its rubric and weighting are published before
# anyone scores), and its scores published once review has begun (SPEC §2, "Jury review").
JURY_HOST_TOOLS = {Action.SET_UP_JURY, Action.PUBLISH_JURY}
JURY_PHASES = {
    Action.SET_UP_JURY: {Phase.DRAFT, Phase.IDEAS},
    Action.PUBLISH_JURY: {Phase.REVIEW, Phase.TEAMS, Phase.CLOSED},
}


@pytest.mark.parametrize("action", sorted(JURY_HOST_TOOLS))
@pytest.mark.parametrize("phase", list(Phase))
@pytest.mark.parametrize("role", list(Role))
def test_only_hosts_set_up_and_publish_the_jury_in_their_phases(
    action: Action, phase: Phase, role: Role
) -> None:
    expected = role is Role.HOST and phase in JURY_PHASES[action]
    assert allows(action, phase, {role}) is expected


# After the round (SPEC §2, "Impact update", "Pledge", "Follow-up round"): who acts,
# and in which phases.
AFTER = {Phase.TEAMS, Phase.CLOSED}
AFTER_THE_ROUND = {
    Action.POST_IMPACT: ({Role.TEAM_MEMBER}, AFTER),
    Action.SET_CHECK_INS: ({Role.HOST}, AFTER),
    Action.PLEDGE: ({Role.PARTICIPANT}, AFTER),
    Action.HONOUR_PLEDGE: ({Role.TEAM_MEMBER}, AFTER),
    Action.OPEN_FOLLOW_UP: ({Role.HOST}, {Phase.CLOSED}),
}


@pytest.mark.parametrize("action", sorted(AFTER_THE_ROUND))
@pytest.mark.parametrize("phase", list(Phase))
@pytest.mark.parametrize("role", list(Role))
def test_after_the_round_who_acts_and_when(action: Action, phase: Phase, role: Role) -> None:
    roles, phases = AFTER_THE_ROUND[action]
    assert allows(action, phase, {role}) is (role in roles and phase in phases)


# Duplicate clusters (SPEC §2, "Duplicates and themes"): while ideas come in and are
# reviewed; not once teams form around single ideas or the round's results are final.
DUPLICATES = {
    Action.GROUP_DUPLICATES: {Role.HOST},
    Action.ASK_TO_GROUP: {Role.AUTHOR},
}


@pytest.mark.parametrize("action", sorted(DUPLICATES))
@pytest.mark.parametrize("phase", list(Phase))
@pytest.mark.parametrize("role", list(Role))
def test_duplicates_are_grouped_only_during_ideas_and_review(
    action: Action, phase: Phase, role: Role
) -> None:
    expected = role in DUPLICATES[action] and phase in (Phase.IDEAS, Phase.REVIEW)
    assert allows(action, phase, {role}) is expected


def test_jurors_do_nothing_but_score() -> None:
    for action, row in ALLOWED.items():
        for phase, roles in row.items():
            if Role.JUROR in roles and roles != set(Role):
                assert action is Action.SCORE_IDEAS, (action, phase)


# Who sees a comment -------------------------------------------------------------------

AUTHOR_ID, OTHER_ID = 1, 2


def _comment(status: str) -> Comment:
    return Comment(id=10, idea_id=3, author_id=AUTHOR_ID, status=CommentStatus(status))


def _person(user_id: int) -> User:
    return User(id=user_id, display_name="Someone", status=UserStatus.ACTIVE)


@pytest.mark.parametrize(
    ("status", "viewer", "roles", "sees"),
    [
        ("published", None, {Role.VISITOR}, True),
        ("published", OTHER_ID, {Role.PARTICIPANT}, True),
        ("hidden", None, {Role.VISITOR}, False),
        ("hidden", OTHER_ID, {Role.PARTICIPANT}, False),
        ("hidden", AUTHOR_ID, {Role.PARTICIPANT}, True),
        ("hidden", OTHER_ID, {Role.PARTICIPANT, Role.HOST}, True),
        ("hidden", OTHER_ID, {Role.PARTICIPANT, Role.ADMIN}, True),
        ("deleted", OTHER_ID, {Role.PARTICIPANT}, False),
        ("deleted", OTHER_ID, {Role.PARTICIPANT, Role.HOST}, False),
        ("deleted", AUTHOR_ID, {Role.PARTICIPANT}, True),
    ],
)
def test_who_sees_a_comment(status: str, viewer: int | None, roles: set[Role], sees: bool) -> None:
    user = _person(viewer) if viewer is not None else None
    assert can_see_comment(user, _comment(status), frozenset(roles)) is sees
