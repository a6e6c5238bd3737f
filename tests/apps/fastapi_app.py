"""FastAPI test app for Berth's ASGI integration tests.

    chdir=tests/apps  module=fastapi_app:app

/hello, /json, /pid; /gather?n=N answers only once N requests wait in this one process at the same
time (a barrier: proof they were in flight together); /sse streams three events 0.3 s apart;
/wait-disconnect waits for the client to leave and /disconnects counts who saw it; /state shows what
the lifespan startup stored; /sleep?s=S sleeps and /cancelled counts the sleeps cancelled; /block?s=S blocks the loop; POST /echo gives the body's length and sha256; /error raises.
"""

import asyncio
import hashlib
import os
import time
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, WebSocket
from fastapi.responses import PlainTextResponse, StreamingResponse

disconnects = []
cancelled = []
gate = {"arrived": 0, "peak": 0, "event": None}


@asynccontextmanager
async def lifespan(app):
    app.state.started = "started in lifespan by pid %d" % os.getpid()
    yield {"greeting": "hello from lifespan"}


app = FastAPI()
# Debian's FastAPI 0.92 predates FastAPI(lifespan=...); its Starlette router takes the context directly.
app.router.lifespan_context = lifespan


@app.get("/hello", response_class=PlainTextResponse)
async def hello():
    return "Hello, World!"


@app.get("/json")
async def json_view():
    return {"message": "Hello, World!", "numbers": [1, 2, 3]}


@app.get("/pid", response_class=PlainTextResponse)
async def pid():
    return str(os.getpid())


@app.get("/gather")
async def gather(n: int):
    if gate["event"] is None:
        gate["event"] = asyncio.Event()
    gate["arrived"] += 1
    if gate["arrived"] >= n:
        gate["event"].set()
    await gate["event"].wait()
    return {"pid": os.getpid(), "arrived": gate["arrived"]}


@app.get("/sse")
async def sse():
    async def events():
        for name in ("one", "two", "three"):
            yield "data: %s\n\n" % name
            await asyncio.sleep(0.3)

    return StreamingResponse(events(), media_type="text/event-stream")


@app.get("/wait-disconnect", response_class=PlainTextResponse)
async def wait_disconnect(request: Request):
    while not await request.is_disconnected():
        await asyncio.sleep(0.05)
    disconnects.append(os.getpid())
    return "gone"


@app.get("/disconnects", response_class=PlainTextResponse)
async def disconnects_view():
    return str(len(disconnects))


@app.get("/sleep", response_class=PlainTextResponse)
async def sleep(s: float):
    try:
        await asyncio.sleep(s)
    except asyncio.CancelledError:
        cancelled.append(os.getpid())
        raise
    return "slept"


@app.get("/block", response_class=PlainTextResponse)
async def block(s: float):
    time.sleep(s)  # blocks the event loop: no await, so CANCEL cannot reach the task
    return "blocked"


@app.get("/cancelled", response_class=PlainTextResponse)
async def cancelled_view():
    return str(len(cancelled))


@app.get("/state")
async def state(request: Request):
    return {"greeting": request.state.greeting, "started": request.app.state.started}


@app.post("/echo")
async def echo(request: Request):
    digest = hashlib.sha256()
    length = 0
    async for chunk in request.stream():
        digest.update(chunk)
        length += len(chunk)
    return {"length": length, "sha256": digest.hexdigest()}


@app.get("/error")
async def error():
    raise RuntimeError("boom from view")


@app.websocket("/ws")
async def websocket_echo(websocket: WebSocket):
    """Echoes text and bytes; the text "pid" answers this worker's pid; "close" ends it with 4000 "bye".
    The disconnect's code goes to the log, where a test finds it."""
    offered = websocket.scope.get("subprotocols") or []
    await websocket.accept(subprotocol="echo" if "echo" in offered else None)
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            print("pid %d: websocket.disconnect %s" % (os.getpid(), message.get("code")), flush=True)
            return
        if message.get("text") == "pid":
            await websocket.send_text(str(os.getpid()))
            continue
        if message.get("text") == "close":
            await websocket.close(code=4000, reason="bye")
            return
        if message.get("text") is not None:
            await websocket.send_text(message["text"])
        else:
            await websocket.send_bytes(message["bytes"])


@app.websocket("/ws-deny")
async def websocket_deny(websocket: WebSocket):
    await websocket.close()
