"""FastAPI app served by every ASGI stack in bench/run: fastapi_bench:app. Same endpoints as flask_bench."""

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

from bench_db import random_item

app = FastAPI()


@app.get("/text", response_class=PlainTextResponse)
async def text():
    return "Hello, World!"


@app.get("/json")
async def json():
    return {"message": "Hello, World!", "id": 1}


@app.get("/db")
async def db():
    # A blocking query inside an async view, as small apps do: SQLite answers from the page cache in
    # microseconds, less than a hop to the thread pool would cost.
    return random_item()
