"""The SQLite row both bench apps read on /db: one SELECT by primary key on the file named by BENCH_DB
(bench/run creates it with ROWS rows)."""

import os
import random
import sqlite3
import threading

DB_PATH = os.environ.get("BENCH_DB", "bench.sqlite3")
ROWS = 1000
_local = threading.local()


def _connection():
    # One connection per thread, opened on first use: sqlite3 connections may not cross threads, and
    # opening one per request would measure open(2), not the query.
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = _local.conn = sqlite3.connect(DB_PATH)
    return conn


def random_item():
    row = _connection().execute("SELECT id, name FROM items WHERE id = ?", (random.randint(1, ROWS),)).fetchone()
    return {"id": row[0], "name": row[1]}
