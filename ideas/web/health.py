"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ideas.db import Database

logger = logging.getLogger(__name__)


async def healthz(request: Request) -> Response:
    """The process is up and answering."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """The process can serve pages: its database answers."""
    database: Database = request.app.state.database
    try:
        await database.ping()
    except (SQLAlchemyError, OSError) as error:
        logger.warning("Database is not reachable: %s", error)
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})
