"""Pyramid test app for Berth's integration tests.

    chdir=tests/apps  module=pyramid_app:application

Endpoints: see plain_wsgi.py. No exception view is registered, so /error's RuntimeError
propagates out of the WSGI callable to the server.
"""

import hashlib
import os
import time

from pyramid.config import Configurator
from pyramid.response import Response

TEXT = "text/plain"


def hello(request):
    return Response("Hello, World!", content_type=TEXT, charset="utf-8")


def pid(request):
    return Response(str(os.getpid()), content_type=TEXT, charset="utf-8")


def slow(request):
    time.sleep(float(request.params.get("s", "1")))
    return Response(str(os.getpid()), content_type=TEXT, charset="utf-8")


def echo(request):
    digest = hashlib.sha256()
    length = 0
    stream = request.body_file
    while True:
        chunk = stream.read(65536)
        if not chunk:
            break
        digest.update(chunk)
        length += len(chunk)
    return {"length": length, "sha256": digest.hexdigest()}


def crash(request):
    os._exit(1)


def error(request):
    raise RuntimeError("boom from view")


def environ(request):
    return {k: v for k, v in request.environ.items() if isinstance(v, str)}


def stream(request):
    def generate():
        for i, chunk in enumerate((b"one\n", b"two\n", b"three\n")):
            if i:
                time.sleep(0.2)
            yield chunk

    return Response(app_iter=generate(), content_type=TEXT, charset="utf-8")


def json_view(request):
    return {"hello": "world"}


def make_app():
    with Configurator() as config:
        routes = [
            ("hello", "/hello", hello, "GET", None),
            ("pid", "/pid", pid, "GET", None),
            ("slow", "/slow", slow, "GET", None),
            ("echo", "/echo", echo, "POST", "json"),
            ("crash", "/crash", crash, "GET", None),
            ("error", "/error", error, "GET", None),
            ("environ", "/environ", environ, "GET", "json"),
            ("stream", "/stream", stream, "GET", None),
            ("json", "/json", json_view, "GET", "json"),
        ]
        for name, pattern, view, method, renderer in routes:
            config.add_route(name, pattern, request_method=method)
            config.add_view(view, route_name=name, renderer=renderer)
        return config.make_wsgi_app()


application = make_app()
