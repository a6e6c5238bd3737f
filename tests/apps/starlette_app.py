"""Starlette test app for Berth's ASGI integration tests (chdir=tests/apps module=starlette_app:app).

/scope and the WebSocket /ws-scope answer what the app was given: headers (as [name, value] in
Latin-1), server, client, root_path, scheme, path."""

import asyncio
import hashlib
import os

from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse, StreamingResponse
from starlette.routing import Route, WebSocketRoute


async def hello(request):
    return PlainTextResponse("Hello, World!")


async def json_view(request):
    return JSONResponse({"message": "Hello, World!", "numbers": [1, 2, 3]})


async def sse(request):
    async def events():
        for name in ("one", "two", "three"):
            yield "data: %s\n\n" % name
            await asyncio.sleep(0.3)

    return StreamingResponse(events(), media_type="text/event-stream")


async def echo(request):
    body = await request.body()
    return JSONResponse({"length": len(body), "sha256": hashlib.sha256(body).hexdigest()})


async def pid(request):
    return PlainTextResponse(str(os.getpid()))


def _scope(scope):
    return {
        "headers": [[name.decode("latin-1"), value.decode("latin-1")] for name, value in scope["headers"]],
        "server": list(scope["server"]) if scope.get("server") else None,
        "client": list(scope["client"]) if scope.get("client") else None,
        "root_path": scope["root_path"],
        "scheme": scope["scheme"],
        "path": scope["path"],
    }


async def scope_view(request):
    return JSONResponse(_scope(request.scope))


async def scope_socket(websocket):
    await websocket.accept()
    await websocket.send_json(_scope(websocket.scope))
    await websocket.close()


app = Starlette(routes=[
    Route("/scope", scope_view, methods=["GET", "POST"]), WebSocketRoute("/ws-scope", scope_socket),
    Route("/hello", hello), Route("/json", json_view), Route("/sse", sse), Route("/pid", pid),
    Route("/echo", echo, methods=["POST"]),
])
