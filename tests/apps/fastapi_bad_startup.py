"""A FastAPI app whose lifespan startup fails: berth must refuse to boot and show why."""

from contextlib import asynccontextmanager

from fastapi import FastAPI


@asynccontextmanager
async def lifespan(app):
    raise ConnectionRefusedError("the database at db.internal:5432 refused the connection")
    yield


app = FastAPI()
# Debian's FastAPI 0.92 predates FastAPI(lifespan=...); its Starlette router takes the context directly.
app.router.lifespan_context = lifespan
