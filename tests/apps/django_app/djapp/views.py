"""Views for the Django test app. Endpoints: see tests/apps/plain_wsgi.py.

/error is handled by Django (DEBUG=False: plain 500 page, traceback logged to stderr).
"""

import hashlib
import os
import time

from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe, require_POST

TEXT = "text/plain; charset=utf-8"


@require_safe
def hello(request):
    return HttpResponse("Hello, World!", content_type=TEXT)


@require_safe
def pid(request):
    return HttpResponse(str(os.getpid()), content_type=TEXT)


@require_safe
def slow(request):
    time.sleep(float(request.GET.get("s", "1")))
    return HttpResponse(str(os.getpid()), content_type=TEXT)


@csrf_exempt
@require_POST
def echo(request):
    digest = hashlib.sha256()
    length = 0
    while True:
        chunk = request.read(65536)
        if not chunk:
            break
        digest.update(chunk)
        length += len(chunk)
    return JsonResponse({"length": length, "sha256": digest.hexdigest()})


@require_safe
def crash(request):
    os._exit(1)


@require_safe
def error(request):
    raise RuntimeError("boom from view")


@require_safe
def environ(request):
    return JsonResponse({k: v for k, v in request.META.items() if isinstance(v, str)})


@require_safe
def stream(request):
    def generate():
        for i, chunk in enumerate((b"one\n", b"two\n", b"three\n")):
            if i:
                time.sleep(0.2)
            yield chunk

    return StreamingHttpResponse(generate(), content_type=TEXT)


@require_safe
def json_view(request):
    return JsonResponse({"hello": "world"})
