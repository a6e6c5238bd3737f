from django.urls import path

from . import views

urlpatterns = [
    path("hello", views.hello),
    path("pid", views.pid),
    path("slow", views.slow),
    path("echo", views.echo),
    path("crash", views.crash),
    path("error", views.error),
    path("environ", views.environ),
    path("stream", views.stream),
    path("json", views.json_view),
]
