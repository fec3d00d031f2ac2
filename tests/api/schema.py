"""Checking real API responses against the OpenAPI document."""

from __future__ import annotations

from typing import Any

import httpx
from jsonschema import Draft202012Validator

from ideas.api.openapi import DOCUMENT

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
