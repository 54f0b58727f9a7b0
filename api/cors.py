"""CORS for read routes: ``Access-Control-Allow-Origin: *``, never with credentials.

Only safe methods (GET, HEAD) get the header from here; SPARQL query POSTs add
it in their route, and writes (updates, Graph Store PUT/POST/DELETE) never get
it, so other sites cannot read the answers to write requests.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["ReadOnlyCORSMiddleware"]

_SAFE_METHODS = frozenset({"GET", "HEAD"})


class ReadOnlyCORSMiddleware:
    """Pure ASGI middleware adding ``Access-Control-Allow-Origin: *`` to safe requests.

    Parameters
    ----------
    app : ASGI app
        The wrapped application.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request through, adding the header to safe responses."""
        if scope["type"] != "http" or scope["method"] not in _SAFE_METHODS:
            await self.app(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(k.lower() == b"access-control-allow-origin" for k, _ in headers):
                    headers.append((b"access-control-allow-origin", b"*"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cors)
