"""Stdlib-only WSGI test app for Berth's integration tests.

    chdir=tests/apps  module=plain_wsgi:application

`application` is wrapped in wsgiref.validate.validator, so any PEP 3333 violation by the
server (bad environ, start_response misuse, iterator not closed, ...) raises inside the
app and surfaces as a 500 plus a traceback on the worker's stderr. WSGIWarning is turned
into an error for the same reason. `raw_application` is the same app unwrapped (use it
when a test needs the server to see its own wsgi.file_wrapper object, e.g. for sendfile).

Endpoints (same as flask_app, pyramid_app, django_app):
    GET  /hello        text/plain "Hello, World!"
    GET  /pid          os.getpid() as text
    GET  /slow?s=2     sleep s seconds (float), then the pid
    POST /echo         {"length": n, "sha256": hex} of the raw body
    GET  /crash        os._exit(1) mid-request
    GET  /error        raise RuntimeError("boom from view")  (escapes to the server)
    GET  /environ...   JSON of the str-valued environ entries (incl. wsgi.url_scheme)
    GET  /stream       "one\\n", "two\\n", "three\\n" with 0.2 s between chunks
    GET  /json         {"hello": "world"}
Extra, plain WSGI only:
    POST /readline[?size=N]  body read with wsgi.input.readline() (or readline(N)) until EOF;
                       JSON {"lines": [...], "CONTENT_LENGTH": environ's value}
    GET  /filewrapper  this file through environ["wsgi.file_wrapper"]
    GET  /write        two chunks through the write() callable ("first\\n", "second\\n"), returns []
    GET  /gated?marker=PATH  "one", then "two" once PATH exists (streaming without timing)
    GET  /print        print()s a line, to check that worker stdout reaches the log
    GET  /barrier?n=4  "passed" once n requests are in the app at the same time, else "timeout" after 10 s
"""

import hashlib
import json
import os
import threading
import time
import warnings
from urllib.parse import parse_qs
from wsgiref.validate import WSGIWarning, validator

warnings.simplefilter("error", WSGIWarning)

TEXT = "text/plain; charset=utf-8"
JSON = "application/json"


def _send(start_response, body, content_type=TEXT, status="200 OK"):
    if isinstance(body, str):
        body = body.encode("utf-8")
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def _send_json(start_response, obj, status="200 OK"):
    return _send(start_response, json.dumps(obj, sort_keys=True), JSON, status)


def _query(environ):
    return {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}


def _content_length(environ):
    try:
        return int(environ.get("CONTENT_LENGTH") or -1)
    except ValueError:
        return -1


def _read_body(environ):
    """Read the whole body with read(size) calls only (the validator forbids read())."""
    stream = environ["wsgi.input"]
    remaining = _content_length(environ)
    chunks = []
    if remaining >= 0:
        while remaining > 0:
            chunk = stream.read(min(remaining, 65536))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    else:  # no Content-Length: read until the server signals EOF
        while True:
            chunk = stream.read(65536)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def _stream():
    for i, chunk in enumerate((b"one\n", b"two\n", b"three\n")):
        if i:
            time.sleep(0.2)
        yield chunk


def _gated(marker):
    yield b"one\n"
    deadline = time.monotonic() + 10
    while not os.path.exists(marker) and time.monotonic() < deadline:
        time.sleep(0.01)
    yield b"two\n"


_barriers = {}
_barriers_lock = threading.Lock()


def raw_application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    method = environ.get("REQUEST_METHOD", "GET")

    if path == "/hello":
        return _send(start_response, "Hello, World!")
    if path == "/pid":
        return _send(start_response, str(os.getpid()))
    if path == "/slow":
        time.sleep(float(_query(environ).get("s", "1")))
        return _send(start_response, str(os.getpid()))
    if path == "/echo":
        if method != "POST":
            return _send(start_response, "POST only\n", status="405 Method Not Allowed")
        body = _read_body(environ)
        return _send_json(start_response, {"length": len(body),
                                           "sha256": hashlib.sha256(body).hexdigest()})
    if path == "/crash":
        os._exit(1)
    if path == "/error":
        raise RuntimeError("boom from view")
    if path.startswith("/environ"):
        return _send_json(start_response,
                          {k: v for k, v in environ.items() if isinstance(v, str)})
    if path == "/stream":
        start_response("200 OK", [("Content-Type", TEXT)])
        return _stream()
    if path == "/json":
        return _send_json(start_response, {"hello": "world"})
    if path == "/readline":
        size = _query(environ).get("size")
        stream = environ["wsgi.input"]
        lines = []
        while True:
            line = stream.readline(int(size)) if size else stream.readline()
            if not line:
                break
            lines.append(line.decode("utf-8", "replace"))
        return _send_json(start_response, {"lines": lines, "CONTENT_LENGTH": environ.get("CONTENT_LENGTH")})
    if path == "/filewrapper":
        size = os.path.getsize(__file__)
        start_response("200 OK", [("Content-Type", TEXT), ("Content-Length", str(size))])
        return environ["wsgi.file_wrapper"](open(__file__, "rb"))
    if path == "/write":
        write = start_response("200 OK", [("Content-Type", TEXT)])
        write(b"first\n")
        write(b"second\n")
        return []
    if path == "/gated":
        # "one" now, "two" only once the test has seen "one" and created the marker file: proves the
        # server forwards a chunk without waiting for the rest, with no timing involved.
        marker = _query(environ)["marker"]
        start_response("200 OK", [("Content-Type", TEXT)])
        return _gated(marker)
    if path == "/print":
        print("printed by the view")
        return _send(start_response, "printed\n")
    if path == "/barrier":
        # Passes only when n requests are inside the app at the same moment (a worker's threads).
        n = int(_query(environ).get("n", "2"))
        with _barriers_lock:
            barrier = _barriers.setdefault(n, threading.Barrier(n, timeout=10))
        try:
            barrier.wait()
            return _send(start_response, "passed")
        except threading.BrokenBarrierError:
            return _send(start_response, "timeout")
    return _send(start_response, "not found\n", status="404 Not Found")


application = validator(raw_application)
app = application
