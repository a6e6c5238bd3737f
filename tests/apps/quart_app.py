"""Quart test app for Berth's ASGI integration tests (chdir=tests/apps module=quart_app:app)."""

import hashlib
import os

from quart import Quart, request

app = Quart(__name__)


@app.get("/hello")
async def hello():
    return "Hello, World!", 200, {"Content-Type": "text/plain"}


@app.get("/json")
async def json_view():
    return {"message": "Hello, World!", "numbers": [1, 2, 3]}


@app.get("/pid")
async def pid():
    return str(os.getpid()), 200, {"Content-Type": "text/plain"}


@app.post("/echo")
async def echo():
    body = await request.get_data()
    return {"length": len(body), "sha256": hashlib.sha256(body).hexdigest()}
