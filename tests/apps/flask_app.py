"""Flask test app for Berth's integration tests.

    chdir=tests/apps  module=flask_app:application   (or flask_app:app)

Endpoints: see plain_wsgi.py. /error is handled by Flask (500 page, traceback logged).
"""

import hashlib
import os
import time

from flask import Flask, Response, jsonify, request, stream_with_context

app = Flask(__name__)
application = app

TEXT = "text/plain"


@app.get("/hello")
def hello():
    return Response("Hello, World!", mimetype=TEXT)


@app.get("/pid")
def pid():
    return Response(str(os.getpid()), mimetype=TEXT)


@app.get("/slow")
def slow():
    time.sleep(float(request.args.get("s", "1")))
    return Response(str(os.getpid()), mimetype=TEXT)


@app.post("/echo")
def echo():
    digest = hashlib.sha256()
    length = 0
    stream = request.stream
    while True:
        chunk = stream.read(65536)
        if not chunk:
            break
        digest.update(chunk)
        length += len(chunk)
    return jsonify(length=length, sha256=digest.hexdigest())


@app.get("/crash")
def crash():
    os._exit(1)


@app.get("/error")
def error():
    raise RuntimeError("boom from view")


@app.get("/environ")
def environ():
    return jsonify({k: v for k, v in request.environ.items() if isinstance(v, str)})


@app.get("/stream")
def stream():
    def generate():
        for i, chunk in enumerate(("one\n", "two\n", "three\n")):
            if i:
                time.sleep(0.2)
            yield chunk

    return Response(stream_with_context(generate()), mimetype=TEXT)


@app.get("/json")
def json_view():
    return jsonify(hello="world")
