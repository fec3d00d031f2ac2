"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ideas.db import Database
from ideas.outages import RETRY_AFTER_SECONDS, Outage, OutageWatch, probe

logger = logging.getLogger(__name__)

# A probe must answer before the orchestrator gives up on it (often 1-10 s);
# without a bound, a database that accepts connections but never answers would
# hold the probe for the driver's own connect timeout (a minute for asyncpg).
READY_TIMEOUT_SECONDS = 3.0


async def healthz(request: Request) -> Response:
    """The process is up and answering."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """The process can serve pages: its database answers, and can write."""
    database: Database = request.app.state.database
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            outage = await probe(database)
    except TimeoutError:
        outage = Outage.UNREACHABLE
    watch: OutageWatch = request.app.state.outages
    if outage is None:
        watch.well()
        return JSONResponse({"status": "ok", "database": "ok"})
    watch.saw(database, outage)
    return JSONResponse(
        {"status": "unavailable", "database": outage.value},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS[outage]), "Cache-Control": "no-store"},
    )
