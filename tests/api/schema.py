"""Checking real API responses against the OpenAPI document, and reading a paged list
to its end, every page checked."""

from __future__ import annotations

from typing import Any

import httpx
from jsonschema import Draft202012Validator

from ideas.api.openapi import DOCUMENT
from tests.factories.accounts import Person

PREFIX = "/api/v1"


def response_schema(path: str, status: int) -> dict[str, Any]:
    """The schema the document gives for ``GET path`` answering ``status``.

    The document's components ride along, so that its ``$ref``s resolve.
    """
    response = DOCUMENT["paths"][path]["get"]["responses"][str(status)]
    schema = response["content"]["application/json"]["schema"]
    return {**schema, "components": DOCUMENT["components"]}


def assert_conforms(response: httpx.Response, path: str) -> None:
    """``response``, from the operation at ``path`` (as the document spells it), is documented."""
    assert response.headers["content-type"] == "application/json"
    validator = Draft202012Validator(
        response_schema(path, response.status_code),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    problems = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(response.json())
    ]
    assert not problems, "\n".join(problems)


async def ids_listed(person: Person, url: str) -> list[int]:
    """Every idea id the list of ideas gives, following ``next`` to the end."""
    ids: list[int] = []
    next_url: str | None = url
    while next_url is not None:
        response = await person.get(next_url)
        assert response.status_code == 200, response.text
        assert_conforms(response, "/challenges/{slug}/ideas")
        body = response.json()
        ids += [item["id"] for item in body["items"]]
        next_url = body["next"]
    return ids
