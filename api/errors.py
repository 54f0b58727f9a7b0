"""Errors that map to an HTTP status with a plain-text message.

SPARQL clients (YASGUI, SPARQLWrapper, roqet) show the response body of a
failed request verbatim, so protocol errors are short ``text/plain`` messages
rather than FastAPI's JSON ``{"detail": ...}``.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

__all__ = ["ProtocolError", "protocol_error_handler"]


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
