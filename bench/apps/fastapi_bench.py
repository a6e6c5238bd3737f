"""FastAPI app served by every ASGI stack in bench/run: fastapi_bench:app. Same endpoints as flask_bench."""

import os
import random
import sqlite3
import threading

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

app = FastAPI()

DB_PATH = os.environ.get("BENCH_DB", "bench.sqlite3")
ROWS = 1000
_local = threading.local()


def _connection():
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = _local.conn = sqlite3.connect(DB_PATH)
    return conn


@app.get("/text", response_class=PlainTextResponse)
async def text():
    return "Hello, World!"


@app.get("/json")
async def json():
    return {"message": "Hello, World!", "id": 1}


@app.get("/db")
async def db():
    # A blocking query inside an async view, as small apps do: sqlite answers from the page cache in
    # microseconds, less than a thread-pool hop would cost.
    row = _connection().execute("SELECT id, name FROM items WHERE id = ?", (random.randint(1, ROWS),)).fetchone()
    return {"id": row[0], "name": row[1]}
