"""Ideas on a few topics, posted through the service, and the worker's themes job; or
themes stored as a fit would store them, for what reads them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.challenges.models import Challenge
from ideas.db import Database, utcnow
from ideas.similarity import queries as similarity
from ideas.submissions.forms import IdeaInput
from ideas.submissions.models import Idea
from ideas.submissions.services import post_idea
from ideas.themes import services
from ideas.themes.models import IdeaTheme, Theme
from tests.factories.challenges import current
from tests.factories.submissions import posting_moment

# Three topics, six ideas each: (title, summary).
TOPICS: dict[str, list[tuple[str, str]]] = {
    "compost": [
        ("Compost bins in every school", "Put compost bins beside the canteen for food scraps."),
        ("Community composting", "A shared compost heap where neighbours bring food scraps."),
        ("Compost the kitchen waste", "Turn the canteen's kitchen waste into compost."),
        ("Worm compost for the garden", "Worms turn food scraps into compost for the garden."),
        ("Compost collection on Mondays", "Collect compost buckets of food scraps each week."),
        ("Teach composting to pupils", "Pupils learn to compost food scraps in class."),
    ],
    "bikes": [
        ("Bike lanes on Main Street", "Paint protected bike lanes so cyclists ride safely."),
        ("Protected bicycle lanes", "Kerbs between cars and bicycle lanes for cyclists."),
        ("Bike sharing for students", "Shared bikes at the station for students and cyclists."),
        ("Secure bike parking", "Locked bike parking so cyclists trust their bikes are safe."),
        ("Bicycle repair café", "Volunteers fix bikes for cyclists every Saturday."),
        ("Ride your bike to school day", "A day when cyclists ride bikes to school together."),
    ],
    "trees": [
        ("Plant trees along the river", "Plant a row of trees for shade along the river path."),
        ("Street trees for shade", "More street trees give shade on hot summer days."),
        ("Tree planting day", "Neighbours plant trees together one day each spring."),
        ("Adopt a tree", "Each family adopts a street tree and waters it in summer."),
        ("Fruit trees in the park", "Plant fruit trees in the park for shade and apples."),
        ("Shade trees in playgrounds", "Trees planted in playgrounds for shade at noon."),
    ],
}


async def topical_ideas(
    session: AsyncSession,
    challenge: Challenge,
    author: User,
    topics: dict[str, list[tuple[str, str]]] | None = None,
) -> dict[str, list[Idea]]:
    """The ideas of ``topics`` (``TOPICS`` by default) posted by ``author``, by topic."""
    challenge = await current(session, challenge)
    made: dict[str, list[Idea]] = {}
    n = 0
    for topic, ideas in (topics or TOPICS).items():
        for title, summary in ideas:
            n += 1
            made.setdefault(topic, []).append(
                await post_idea(
                    session,
                    challenge_id=challenge.id,
                    author_id=author.id,
                    data=IdeaInput(title=title, summary=summary, body=""),
                    now=posting_moment(challenge, n),
                )
            )
    return made


async def find_in_the_worker(database: Database) -> int:
    """One pass of the worker's themes job, with this process's similarity indexes let go
    first (tests roll back, so another test's challenge may have had the same id)."""
    similarity.forget()
    return await services.refit_where_due(database, utcnow())


async def stored_themes(
    session: AsyncSession, challenge_id: int
) -> list[tuple[int, str, set[int]]]:
    """The challenge's themes as stored: id, shown name and idea ids, largest first."""
    await session.commit()
    themes = (
        await session.scalars(
            select(Theme).where(Theme.challenge_id == challenge_id).order_by(Theme.position)
        )
    ).all()
    members: dict[int, set[int]] = {theme.id: set() for theme in themes}
    for idea_id, theme_id in await session.execute(
        select(IdeaTheme.idea_id, IdeaTheme.theme_id).where(IdeaTheme.theme_id.in_(list(members)))
    ):
        members[theme_id].add(idea_id)
    return [(theme.id, theme.shown_name, members[theme.id]) for theme in themes]


async def store_themes(
    session: AsyncSession,
    challenge: Challenge,
    themes: Sequence[tuple[str, Sequence[Idea]]],
) -> list[int]:
    """Themes of ``challenge`` as the worker stores them, largest first in the given order:
    each a name and its ideas. Their ids."""
    ids: list[int] = []
    for position, (name, ideas) in enumerate(themes):
        theme = Theme(
            challenge_id=challenge.id,
            language="en",
            name=name,
            words=name.split(", "),
            position=position,
        )
        session.add(theme)
        await session.flush()
        if ideas:
            await session.execute(
                insert(IdeaTheme), [{"idea_id": i.id, "theme_id": theme.id} for i in ideas]
            )
        ids.append(theme.id)
    await session.commit()
    return ids
