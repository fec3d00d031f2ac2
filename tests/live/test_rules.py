"""What may be told to open pages at all: ``policy.may_announce``, as a table."""

from __future__ import annotations

import pytest

from ideas import policy
from ideas.challenges.phases import Phase


@pytest.mark.parametrize("phase", list(Phase))
@pytest.mark.parametrize("idea_visible", [True, False])
def test_a_change_is_told_only_when_every_viewer_of_the_page_may_see_it(
    phase: Phase, idea_visible: bool
) -> None:
    told = policy.may_announce(phase, idea_visible=idea_visible)

    assert told == (phase is not Phase.DRAFT and idea_visible)
