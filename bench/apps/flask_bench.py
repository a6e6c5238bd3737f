"""Flask app served by every WSGI stack in bench/run: flask_bench:app.

/text  "Hello, World!" as text/plain
/json  a small JSON object
/db    one SELECT by primary key on the SQLite file named by BENCH_DB (bench/run creates it)
"""

from flask import Flask, Response, jsonify

from bench_db import random_item

app = Flask(__name__)


@app.get("/text")
def text():
    return Response("Hello, World!", mimetype="text/plain")


@app.get("/json")
def json():
    return jsonify(message="Hello, World!", id=1)


@app.get("/db")
def db():
    return jsonify(random_item())
