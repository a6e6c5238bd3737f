"""Flask app served by every stack in bench/run: flask_bench:app.

/text  "Hello, World!" as text/plain
/json  a small JSON object
/db    one SELECT by primary key on the SQLite file named by BENCH_DB (bench/run creates it)
"""

import os
import random
import sqlite3
import threading

from flask import Flask, Response, jsonify

app = Flask(__name__)

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


@app.get("/text")
def text():
    return Response("Hello, World!", mimetype="text/plain")


@app.get("/json")
def json():
    return jsonify(message="Hello, World!", id=1)


@app.get("/db")
def db():
    row = _connection().execute("SELECT id, name FROM items WHERE id = ?", (random.randint(1, ROWS),)).fetchone()
    return jsonify(id=row[0], name=row[1])
