"""Starlette test app for Berth's ASGI integration tests (chdir=tests/apps module=starlette_app:app)."""

import asyncio
import hashlib
import os

from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse, StreamingResponse
from starlette.routing import Route


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


app = Starlette(routes=[
    Route("/hello", hello), Route("/json", json_view), Route("/sse", sse), Route("/pid", pid),
    Route("/echo", echo, methods=["POST"]),
])
