"""JSON responses, JSON errors and absolute links for the API's endpoints.

The site's error handlers answer with HTML pages; an API endpoint turns every
error it meets into a JSON body itself, so clients never have to parse a page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from starlette.endpoints import HTTPEndpoint
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from ideas.errors import DomainError
from ideas.i18n import _, lazy_gettext
from ideas.outages import outage_of
from ideas.web import context
from ideas.web.errors import status_of

logger = logging.getLogger(__name__)

# Public data, the same for everyone: any site may read it, any cache may keep it a minute.
PUBLIC_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Cache-Control": "public, max-age=60",
}
NOT_FOUND_MESSAGE = lazy_gettext("There is nothing public at this address.")
ERROR_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    500: "server_error",
}


def json_response(
    data: Any, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    all_headers = {**PUBLIC_HEADERS, **(headers or {})}
    if status_code >= 500:
        all_headers["Cache-Control"] = "no-store"
    return JSONResponse(data, status_code=status_code, headers=all_headers)


def error_response(
    status_code: int, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    """``{"error": <code>, "message": <sentence>}``, as the OpenAPI document's Error."""
    body = {"error": ERROR_CODES.get(status_code, "error"), "message": str(message)}
    return json_response(body, status_code, headers)


class BadRequest(Exception):
    """A query parameter the API cannot use; the message says which and why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Endpoint(HTTPEndpoint):
    """An API resource: GET (and HEAD) only, every error answered in JSON."""

    async def dispatch(self) -> None:
        request = Request(self.scope, receive=self.receive)
        try:
            if request.method in self._allowed_methods:
                response = await self.get(request)
            else:
                response = await self.method_not_allowed(request)
        except DomainError as error:
            status = status_of(error)
            response = error_response(status, NOT_FOUND_MESSAGE if status == 404 else error.message)
        except BadRequest as error:
            response = error_response(400, error.message)
        except HTTPException as error:
            response = error_response(error.status_code, str(error.detail), error.headers)
        except Exception as error:
            if outage_of(error) is not None:
                raise  # answered with 503 and its problem details by ideas.web.errors
            logger.exception("Unhandled error on %s %s", request.method, request.url.path)
            response = error_response(
                500, _("Something went wrong on our side. It has been logged.")
            )
        await response(self.scope, self.receive, self.send)

    async def get(self, request: Request) -> Response:
        raise NotImplementedError

    async def method_not_allowed(self, request: Request) -> Response:
        allowed = ", ".join(self._allowed_methods)
        return error_response(
            405,
            _("This address answers only %(methods)s requests.", methods=allowed),
            {"Allow": allowed},
        )


class Nowhere:
    """Any other address under the API, whatever the method: a JSON 404.

    An ASGI app rather than a function, so that the route checks no method.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await error_response(404, NOT_FOUND_MESSAGE)(scope, receive, send)


class Links:
    """Absolute URLs of pages and API resources, for one request."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.origin = context.site_origin(request)

    def page(self, name: str, /, **params: object) -> str:
        """A page of the site, by its route name (``challenge.detail``)."""
        return self.origin + context.path_for(self.request, name, **params)

    def api(self, name: str, /, **params: object) -> str:
        """An API resource, by its route name inside the API (``api.challenge``).

        The app made the API's URL builder at start-up (``ideas.routes.api_path_builder``).
        """
        api_path_for: Callable[..., str] = self.request.app.state.api_path_for
        return self.origin + api_path_for(name, **params)
