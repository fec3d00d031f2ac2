"""The background work of notifications, one pass every few seconds.

A pass announces phases that began by the clock, queues the day's digests,
sends the due e-mail, forgets the one-time tokens of forms sent more than a
day ago (``ideas.form_tokens``), fits the bridging scores of challenges whose
votes and comparisons changed enough (``ideas.voting.bridging_services``), finds
the themes of challenges whose ideas changed enough (``ideas.themes.services``) and
copies a few providers' pictures of people here (``ideas.media.copies``). It runs
in ``ideas worker``, or inside the app process (see ``ideas.app``); any number of
them may run at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from ideas import form_tokens
from ideas.accounts.providers import avatar_origins
from ideas.db import Database, utcnow
from ideas.impact import services as impact
from ideas.jury import services as jury
from ideas.media import copies
from ideas.notifications import events, mailer
from ideas.outages import Outage, outage_of
from ideas.settings import Settings
from ideas.themes import services as theme_services
from ideas.voting import bridging_services

logger = logging.getLogger(__name__)

INTERVAL_SECONDS = 10.0


@dataclass(frozen=True)
class Pass:
    phases: int
    digests: int
    mail: mailer.Report
    forgotten_tokens: int = 0
    bridged: int = 0  # challenges whose bridging scores were fitted
    themed: int = 0  # challenges whose themes were found
    copied_pictures: int = 0


async def run_once(
    database: Database, settings: Settings, *, fetch: copies.Fetch | None = None
) -> Pass:
    now = utcnow()
    phases = await events.announce_phases(database, now)
    await jury.announce_review(database, now)
    await impact.remind_check_ins(database, now, settings.zone)
    digests = await mailer.queue_digests(database, settings, now)
    report = await mailer.send_due(database, settings, utcnow())
    forgotten = await form_tokens.prune(database, utcnow())
    bridged = await bridging_services.refit_where_due(database, utcnow())
    themed = await theme_services.refit_where_due(database, utcnow())
    copied = await copies.copy_provider_pictures(
        database,
        origins=avatar_origins(settings),
        fetch=fetch or copies.fetcher(settings.max_picture_bytes),
    )
    return Pass(
        phases=phases,
        digests=digests,
        mail=report,
        forgotten_tokens=forgotten,
        bridged=bridged,
        themed=themed,
        copied_pictures=copied,
    )


def _stopping() -> bool:
    """This task was asked to stop (cancelled), even if the request became another error."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


async def run_forever(
    database: Database, settings: Settings, interval: float = INTERVAL_SECONDS
) -> None:
    """Pass after pass until cancelled; a failed pass is logged and the next one comes.

    A database outage is logged once when it stops the passes and once when they
    go on again, not with a traceback every few seconds while it lasts.
    """
    outage: Outage | None = None
    while True:
        try:
            done = await run_once(database, settings)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            if _stopping():
                # Cancelled inside the database driver, which answered with an error of
                # its own: stop all the same, or whoever waits for the end waits forever.
                raise asyncio.CancelledError from error
            found = outage_of(error)
            if found is None:
                logger.exception("A notifications pass failed")
            elif outage is None:
                logger.warning(
                    "Notifications wait for the database (%s): %s",
                    found.value,
                    str(error).strip().partition("\n")[0][:300],
                )
            outage = found if found is not None else outage
        else:
            if outage is not None:
                logger.warning("Notifications go on: the database is back (%s)", outage.value)
                outage = None
            if done.phases or done.digests or done.mail.sent or done.mail.failed:
                logger.info(
                    "Announced %d phase changes, queued %d digests, sent %d e-mails "
                    "(%d failed, %d given up)",
                    done.phases,
                    done.digests,
                    done.mail.sent,
                    done.mail.failed,
                    done.mail.given_up,
                )
        await asyncio.sleep(interval)


@contextlib.asynccontextmanager
async def in_background(database: Database, settings: Settings) -> AsyncIterator[None]:
    """Passes in this process while the block runs, if it sends e-mail itself
    (SMTP configured and IDEAS_SEND_FROM_APP true)."""
    if not (settings.smtp_configured and settings.send_from_app):
        yield
        return
    task = asyncio.create_task(run_forever(database, settings), name="notifications")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
