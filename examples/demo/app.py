"""Berth demo: a tiny guestbook written against plain WSGI (PEP 3333).

Standard library only, so any python3 >= 3.9 can run it:

    berth serve                      # uses berth.yml next to this file
    python3 app.py                   # wsgiref development server on 127.0.0.1:8000

Routes
    GET  /          the guestbook (latest messages first) and the signing form
    POST /sign      add a message (name + message); 303 back to / on success,
                    400 with the form and errors on invalid input
    GET  /about     what this is
    GET  /health    "ok" (liveness probe)
    /static/...     style.css, app.js, logo.svg (served by Berth's edge in production;
                    a small fallback here so `python3 app.py` shows a styled page)

Storage: a SQLite file at $DEMO_DB, default data/guestbook.db. A relative path is
resolved against the directory of this file. The directory and table are created
when missing; the file survives restarts and is shared by all workers.
"""

import datetime
import html
import mimetypes
import os
import sqlite3
from urllib.parse import parse_qs

HERE = os.path.dirname(os.path.abspath(__file__))
STATIC_DIR = os.path.join(HERE, "static")

MAX_NAME = 60
MAX_MESSAGE = 500
MAX_BODY = 16 * 1024
PAGE_SIZE = 50


# --------------------------------------------------------------------------- storage

def db_path():
    path = os.environ.get("DEMO_DB") or os.path.join("data", "guestbook.db")
    if not os.path.isabs(path):
        path = os.path.join(HERE, path)
    return path


_initialised = set()


def connect():
    path = db_path()
    if path not in _initialised:
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
    conn = sqlite3.connect(path, timeout=10)
    if path not in _initialised:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS messages ("
            " id INTEGER PRIMARY KEY AUTOINCREMENT,"
            " name TEXT NOT NULL,"
            " message TEXT NOT NULL,"
            " created TEXT NOT NULL)"
        )
        conn.commit()
        _initialised.add(path)
    return conn


def list_messages(limit=PAGE_SIZE):
    conn = connect()
    try:
        rows = conn.execute(
            "SELECT name, message, created FROM messages ORDER BY id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        total = conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0]
    finally:
        conn.close()
    return rows, total


def add_message(name, message):
    created = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    conn = connect()
    try:
        with conn:
            conn.execute(
                "INSERT INTO messages (name, message, created) VALUES (?, ?, ?)",
                (name, message, created),
            )
    finally:
        conn.close()


# --------------------------------------------------------------------------- HTML

def esc(value):
    return html.escape(str(value), quote=True)


def layout(title, body, active=""):
    def nav(href, label, key):
        cls = ' class="active"' if key == active else ""
        return '<a href="%s"%s>%s</a>' % (href, cls, label)

    return """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Berth guestbook</title>
<link rel="stylesheet" href="/static/style.css">
<link rel="icon" href="/static/logo.svg" type="image/svg+xml">
<script src="/static/app.js" defer></script>
</head>
<body>
<header class="site-header">
  <a class="brand" href="/"><img src="/static/logo.svg" alt="" width="36" height="36"> Berth guestbook</a>
  <nav>{home}{about}</nav>
</header>
<main>
{body}
</main>
<footer class="site-footer">Served by Berth · pid {pid}</footer>
</body>
</html>
""".format(
        title=esc(title),
        body=body,
        home=nav("/", "Guestbook", "home"),
        about=nav("/about", "About", "about"),
        pid=os.getpid(),
    )


def form_html(name="", message="", errors=None):
    errors = errors or []
    error_html = ""
    if errors:
        error_html = '<ul class="errors" role="alert">%s</ul>' % "".join(
            "<li>%s</li>" % esc(e) for e in errors
        )
    return """<section class="card">
<h2>Sign the guestbook</h2>
{errors}
<form method="post" action="/sign" class="sign-form">
  <label for="name">Name</label>
  <input id="name" name="name" type="text" maxlength="{max_name}" required value="{name}" autocomplete="name">
  <label for="message">Message</label>
  <textarea id="message" name="message" rows="4" maxlength="{max_message}" required data-counter="message-count">{message}</textarea>
  <div class="form-footer">
    <span id="message-count" class="counter" aria-live="polite"></span>
    <button type="submit">Sign</button>
  </div>
</form>
</section>""".format(
        errors=error_html,
        name=esc(name),
        message=esc(message),
        max_name=MAX_NAME,
        max_message=MAX_MESSAGE,
    )


def home_page(name="", message="", errors=None):
    rows, total = list_messages()
    if rows:
        items = "\n".join(
            '<li class="entry"><div class="entry-head"><strong>{n}</strong>'
            '<time>{c}</time></div><p>{m}</p></li>'.format(
                n=esc(n), m=esc(m).replace("\n", "<br>"), c=esc(c)
            )
            for n, m, c in rows
        )
        listing = '<ol class="entries">%s</ol>' % items
    else:
        listing = '<p class="empty">No messages yet. Be the first to sign!</p>'
    body = """{form}
<section>
<h2>Messages <span class="count">{total}</span></h2>
{listing}
</section>""".format(form=form_html(name, message, errors), total=total, listing=listing)
    return layout("Guestbook", body, active="home")


def about_page():
    body = """<section class="card prose">
<h2>About</h2>
<p>This guestbook is the demo application for <strong>Berth</strong>, a single program that
replaces nginx + uWSGI/gunicorn for Python web apps.</p>
<ul>
  <li>The app is plain WSGI using only the Python standard library.</li>
  <li>Messages live in a SQLite file (<code>$DEMO_DB</code>) that survives restarts and deploys.</li>
  <li>Files under <code>/static/</code> are served by Berth's edge and never reach Python.</li>
  <li>The footer shows the pid of the worker that rendered the page: reload a few times to
      watch requests spread across workers.</li>
</ul>
</section>"""
    return layout("About", body, active="about")


def not_found_page():
    return layout("Not found", '<section class="card"><h2>Not found</h2>'
                  '<p>There is nothing here. <a href="/">Back to the guestbook</a>.</p></section>')


# --------------------------------------------------------------------------- WSGI

def respond(start_response, status, body, content_type="text/html; charset=utf-8",
            extra_headers=(), head=False):
    if isinstance(body, str):
        body = body.encode("utf-8")
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
    headers.extend(extra_headers)
    start_response(status, headers)
    return [b""] if head else [body]


def read_form(environ):
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length <= 0:
        return {}
    if length > MAX_BODY:
        raise ValueError("body too large")
    raw = environ["wsgi.input"].read(length)
    data = parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[0] for k, v in data.items()}


def validate(name, message):
    errors = []
    if not name:
        errors.append("Please enter your name.")
    elif len(name) > MAX_NAME:
        errors.append("Name must be at most %d characters." % MAX_NAME)
    if not message:
        errors.append("Please write a message.")
    elif len(message) > MAX_MESSAGE:
        errors.append("Message must be at most %d characters." % MAX_MESSAGE)
    return errors


def serve_static(environ, start_response, rel, head):
    # Development fallback only: in production Berth's edge serves /static/.
    full = os.path.realpath(os.path.join(STATIC_DIR, rel))
    if not full.startswith(os.path.realpath(STATIC_DIR) + os.sep) or not os.path.isfile(full):
        return respond(start_response, "404 Not Found", not_found_page(), head=head)
    ctype = mimetypes.guess_type(full)[0] or "application/octet-stream"
    if ctype.startswith("text/") or ctype in ("application/javascript", "image/svg+xml"):
        ctype += "; charset=utf-8"
    with open(full, "rb") as f:
        data = f.read()
    return respond(start_response, "200 OK", data, ctype,
                   [("Cache-Control", "public, max-age=300")], head=head)


def application(environ, start_response):
    method = environ.get("REQUEST_METHOD", "GET").upper()
    path = environ.get("PATH_INFO") or "/"
    head = method == "HEAD"
    read_only = method in ("GET", "HEAD")

    if path == "/health":
        if not read_only:
            return respond(start_response, "405 Method Not Allowed", "method not allowed\n",
                           "text/plain; charset=utf-8", [("Allow", "GET, HEAD")])
        return respond(start_response, "200 OK", "ok", "text/plain; charset=utf-8",
                       [("Cache-Control", "no-store")], head=head)

    if path == "/sign":
        if method != "POST":
            return respond(start_response, "303 See Other", "", "text/plain; charset=utf-8",
                           [("Location", "/")], head=head)
        try:
            form = read_form(environ)
        except ValueError:
            return respond(start_response, "413 Payload Too Large", "request body too large\n",
                           "text/plain; charset=utf-8")
        name = form.get("name", "").strip()
        message = form.get("message", "").strip().replace("\r\n", "\n")
        errors = validate(name, message)
        if errors:
            return respond(start_response, "400 Bad Request", home_page(name, message, errors))
        add_message(name, message)
        return respond(start_response, "303 See Other", "", "text/plain; charset=utf-8",
                       [("Location", "/")])

    if not read_only:
        return respond(start_response, "405 Method Not Allowed", "method not allowed\n",
                       "text/plain; charset=utf-8", [("Allow", "GET, HEAD")])

    if path == "/":
        return respond(start_response, "200 OK", home_page(), head=head)
    if path == "/about":
        return respond(start_response, "200 OK", about_page(), head=head)
    if path.startswith("/static/"):
        return serve_static(environ, start_response, path[len("/static/"):], head)
    return respond(start_response, "404 Not Found", not_found_page(), head=head)


if __name__ == "__main__":
    from wsgiref.simple_server import make_server

    host, port = "127.0.0.1", int(os.environ.get("PORT", "8000"))
    print("Berth demo on http://%s:%d/ (database: %s)" % (host, port, db_path()))
    make_server(host, port, application).serve_forever()
