"""Domain errors. Services raise them; ``ideas.web.errors`` maps them to responses."""

from __future__ import annotations


class DomainError(Exception):
    """Something a person asked for cannot be done."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.__doc__ or "")
        self.message = message or (self.__doc__ or "").strip()


class NotFound(DomainError):
    """That page does not exist, or is not visible to you."""


class Forbidden(DomainError):
    """You are not allowed to do that here and now."""


class Invalid(DomainError):
    """The input was not accepted; ``errors`` maps each field to its problem."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {msg}" for field, msg in errors.items()))
        self.errors = errors


class Conflict(DomainError):
    """That was already done, or conflicts with something else."""


class AlreadyDone(Conflict):
    """That was done already, just as asked: asking again changes nothing.

    A form sent twice (a double click on a vote) meets this; the view answers as
    it answered the first time, not with an error.
    """
