"""Errors that map to an HTTP status with a plain-text message.

SPARQL clients (YASGUI, SPARQLWrapper, roqet) show the response body of a
failed request verbatim, so protocol errors are short ``text/plain`` messages
rather than FastAPI's JSON ``{"detail": ...}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

__all__ = ["ProtocolError", "error_responses", "protocol_error_handler"]

_REASONS = {
    400: "Malformed request (syntax, parameters, encoding)",
    401: "Missing or wrong bearer token",
    403: "Refused (read-only service, SERVICE/LOAD, outbound requests)",
    404: "No such resource or graph",
    406: "No acceptable response format",
    409: "Conflict (the graph already exists)",
    413: "Request body too large",
    415: "Unsupported request media type",
    422: "Invalid parameters",
    503: "Busy, or the time limit was exceeded; retry after Retry-After seconds",
}
_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "schema": {"type": "integer"},
    },
}


class ProtocolError(Exception):
    """An HTTP error of the SPARQL or Graph Store protocol.

    Parameters
    ----------
    status : int
        HTTP status code.
    message : str
        Human-readable reason, sent as the body.
    headers : mapping, optional
        Extra response headers (``Allow``, ``Retry-After``, ...).
    """

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


async def protocol_error_handler(request: Request, exc: Exception) -> Response:
    """Render a :class:`ProtocolError`: ``text/plain`` for the SPARQL and Graph
    Store protocols, FastAPI's ``{"detail": ...}`` JSON for the REST routes."""
    assert isinstance(exc, ProtocolError)
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": exc.message}, status_code=exc.status, headers=exc.headers)
    return PlainTextResponse(exc.message + "\n", status_code=exc.status, headers=exc.headers)


def error_responses(*statuses: int, json: bool = False) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for error statuses of a route.

    Parameters
    ----------
    *statuses : int
        HTTP statuses the route may answer.
    json : bool
        REST routes answer ``{"detail": ...}`` JSON; protocol routes plain text.

    Returns
    -------
    dict
        For FastAPI's ``responses=`` argument.
    """
    if json:
        body = {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"detail": {}},
                    "required": ["detail"],
                }
            }
        }
    else:
        body = {"text/plain": {"schema": {"type": "string"}}}
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        entry: dict[str, Any] = {"description": _REASONS[status], "content": body}
        if status == 503:
            entry["headers"] = _RETRY_AFTER
        out[status] = entry
    return out
