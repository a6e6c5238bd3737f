"""The FastAPI hello the req/s figures in NOTES.md measure (berth -w 2 against uvicorn --workers 2)."""

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

app = FastAPI()


@app.get("/hello", response_class=PlainTextResponse)
async def hello():
    return "Hello, World!"
