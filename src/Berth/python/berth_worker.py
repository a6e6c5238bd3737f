"""berth_worker: the Python side of Berth's worker protocol (docs/protocol.md is the reference).

`berth serve` writes this file out of its binary and starts one process per worker:

    python berth_worker.py --connect SOCK --app MODULE:CALLABLE --worker-id N [--threads T] [--chdir DIR]

The worker connects to the master's Unix socket, says HELLO, imports the WSGI callable, says READY
(or BOOT_ERROR and exits 3) and then answers requests that arrive as frames until the master closes
the connection. Standard library only and Python >= 3.9, so it runs inside any virtualenv.

With --zygote (the app's `preload: true`) the process imports the app once and then forks a worker
for each SPAWN frame; each child connects on its own and serves exactly like a started worker.
"""

import argparse
import asyncio
import faulthandler
import gc
import io
import os
import selectors
import signal
import socket
import struct
import sys
import tempfile
import threading
import traceback

#      0       1       2       3       4       5       6       7       8       9      10      11
#  +-------+-------+-------+-------+-------+-------+-------+-------+-------+-------+-------+-------+
#  | type  | flags |   reserved    |        request id (u32)       |      payload length (u32)     |
#  +-------+-------+-------+-------+-------+-------+-------+-------+-------+-------+-------+-------+
#  |                              payload (length bytes) ...                                        |
#  +------------------------------------------------------------------------------------------------+
HEADER = struct.Struct('!BBHII')
HEADER_SIZE = HEADER.size
MAX_PAYLOAD = 16 * 1024 * 1024

HELLO = 0x01
READY = 0x02
BOOT_ERROR = 0x03
REQUEST_HEAD = 0x10
REQUEST_BODY = 0x11
CANCEL = 0x12
RESPONSE_HEAD = 0x20
RESPONSE_BODY = 0x21
RESPONSE_END = 0x22
WEBSOCKET_ACCEPT = 0x23
WEBSOCKET_MESSAGE = 0x24
WEBSOCKET_CLOSE = 0x25
PING = 0x30
PONG = 0x31
SPAWN = 0x40
CHILD_EXITED = 0x41

END_STREAM = 0x01
ABORTED = 0x02
WEBSOCKET = 0x04
TEXT = 0x08

# Bodies up to this size stay in memory; larger ones go to a temporary file, so a few big uploads
# do not grow a long-lived worker by their size (gunicorn and uWSGI spool the same way).
SPOOL_MAX = 1024 * 1024

# Room for four of the master's 64 KiB body chunks per recv (WorkerConnection.BodyChunkSize).
READ_BUFFER_SIZE = 256 * 1024

# PEP 3333 calls file_wrapper's block size a suggestion the server "need not use". Every block is
# a frame and a sendall, and frameworks ask for 8 KiB (werkzeug's send_file), so read at least this.
FILE_BLOCK_SIZE = 64 * 1024

# gunicorn's WORKER_BOOT_ERROR: it tells the master the app is broken, so a respawn would not help.
EXIT_BOOT_ERROR = 3

_pack = HEADER.pack
_unpack_from = HEADER.unpack_from


class ProtocolError(Exception):
    """The byte stream from the master is not a valid sequence of frames."""


def encode_frame(frame_type, flags, request_id, payload=b''):
    """One frame, header and payload, as bytes."""
    if len(payload) > MAX_PAYLOAD:
        raise ValueError('a frame payload is at most %d bytes, got %d' % (MAX_PAYLOAD, len(payload)))
    return _pack(frame_type, flags, 0, request_id, len(payload)) + payload


def decode_header(data):
    """(type, flags, request_id, length) from the first 12 bytes of data; reserved is ignored."""
    frame_type, flags, _, request_id, length = _unpack_from(data)
    return frame_type, flags, request_id, length


def encode_kv(items):
    """A k/v list payload: the strings joined by NUL, Latin-1 (PEP 3333 native strings)."""
    return '\0'.join(items).encode('latin-1')


def decode_kv(payload):
    """The strings of a k/v list payload (bytes-like); an empty payload is an empty list."""
    if not payload:
        return []
    return str(payload, 'latin-1').split('\0')


def encode_body(request_id, data):
    """RESPONSE_BODY frames carrying data, split where it exceeds MAX_PAYLOAD."""
    length = len(data)
    if length <= MAX_PAYLOAD:
        return _pack(RESPONSE_BODY, 0, 0, request_id, length) + data
    view = memoryview(data)
    return b''.join(
        _pack(RESPONSE_BODY, 0, 0, request_id, len(part)) + part
        for part in (view[i:i + MAX_PAYLOAD] for i in range(0, length, MAX_PAYLOAD)))


class FrameReader:
    """Reads frames from anything with recv_into (a socket).

    One reusable buffer takes as many frames as the socket has ready per recv_into. read() returns
    the payload as a memoryview into that buffer, valid only until the next read(): the caller
    decodes or copies it, which saves a copy of every body chunk.
    """

    __slots__ = ('_recv_into', '_view', '_start', '_end')

    def __init__(self, source, buffer_size=READ_BUFFER_SIZE):
        if buffer_size < HEADER_SIZE:
            raise ValueError('the read buffer must hold at least a frame header')
        self._recv_into = source.recv_into
        self._view = memoryview(bytearray(buffer_size))
        self._start = 0
        self._end = 0

    def read(self):
        """The next frame as (type, flags, request_id, payload), or None when the stream ends."""
        view = self._view
        start = self._start
        end = self._end
        while True:
            available = end - start
            if available >= HEADER_SIZE:
                frame_type, flags, _, request_id, length = _unpack_from(view, start)
                total = HEADER_SIZE + length
                if available >= total:
                    self._start = start + total
                    self._end = end
                    return frame_type, flags, request_id, view[start + HEADER_SIZE:start + total]
                if length > MAX_PAYLOAD:
                    raise ProtocolError(
                        'frame payload of %d bytes exceeds the %d-byte limit; the stream from the '
                        'master is corrupt' % (length, MAX_PAYLOAD))
                if total > len(view):
                    self._start = self._end = 0
                    payload = self._read_large(view[start + HEADER_SIZE:end], length)
                    return frame_type, flags, request_id, payload
                needed = total
            else:
                needed = HEADER_SIZE
            if start == end:
                start = end = 0
            elif start + needed > len(view):
                # The frame's tail would not fit behind it: move its head to the front.
                view[:available] = view[start:end].tobytes()
                start, end = 0, available
            received = self._recv_into(view[end:])
            if not received:
                self._start = start
                self._end = end
                if available:
                    raise ProtocolError('the connection closed in the middle of a frame')
                return None
            end += received

    def _read_large(self, prefix, length):
        payload = memoryview(bytearray(length))
        got = len(prefix)
        payload[:got] = prefix
        recv_into = self._recv_into
        while got < length:
            received = recv_into(payload[got:])
            if not received:
                raise ProtocolError('the connection closed in the middle of a frame')
            got += received
        return payload


class FileWrapper:
    """wsgi.file_wrapper (PEP 3333, "Optional Platform-Specific File Handling")."""

    def __init__(self, filelike, blksize=8192):
        self.filelike = filelike
        self.blksize = blksize

    def __iter__(self):
        read = self.filelike.read
        size = max(self.blksize, FILE_BLOCK_SIZE)
        while True:
            block = read(size)
            if not block:
                return
            yield block

    def close(self):
        close = getattr(self.filelike, 'close', None)
        if close is not None:
            close()


_ERROR_BODY = (
    b'<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head>\n'
    b'<body><h1>Internal Server Error</h1><p>The application failed while answering this request. '
    b'The error is in the server log.</p></body></html>\n')
_ERROR_HEAD_ITEMS = [
    '500 Internal Server Error',
    'Content-Type', 'text/html; charset=utf-8',
    'Content-Length', str(len(_ERROR_BODY)),
]


def _encode_head(request_id, status, headers):
    """The RESPONSE_HEAD frame for start_response's arguments, checked as PEP 3333 asks."""
    if not isinstance(status, str):
        raise TypeError('start_response: status must be a str like "200 OK", got %s %r'
                        % (type(status).__name__, status))
    code = status[:3]
    if not (code.isdigit() and code.isascii() and (len(status) == 3 or status[3] == ' ')):
        raise ValueError('start_response: status %r must start with a 3-digit code, like "200 OK"'
                         % (status,))
    if not isinstance(headers, (list, tuple)):
        raise TypeError('start_response: headers must be a list of (name, value) tuples, got %s'
                        % type(headers).__name__)
    items = [status]
    append = items.append
    try:
        for name, value in headers:
            append(name)
            append(value)
        # join is the str check: it refuses anything else.
        text = '\0'.join(items)
    except (TypeError, ValueError):
        raise TypeError('start_response: headers must be (name, value) tuples of str, got %r'
                        % (headers,)) from None
    # A NUL would shift every later item of the list; CR/LF would let a value inject headers.
    if text.count('\0') != len(items) - 1 or '\r' in text or '\n' in text:
        raise ValueError('start_response: status and headers must not contain NUL, CR or LF: %r %r'
                         % (status, headers))
    try:
        payload = text.encode('latin-1')
    except UnicodeEncodeError:
        raise ValueError('start_response: headers must be Latin-1 strings (PEP 3333); encode other '
                         'text first, e.g. a filename per RFC 8187: %r' % (headers,)) from None
    return _pack(RESPONSE_HEAD, 0, 0, request_id, len(payload)) + payload


def _declared_length(headers):
    """The Content-Length the app set, or None."""
    for name, value in headers:
        if len(name) == 14 and name.lower() == 'content-length':
            return int(value) if value.isdigit() else None
    return None


def _not_bytes(chunk):
    return TypeError('the app produced %s where PEP 3333 requires bytes: %r; encode text with '
                     '.encode() before returning it' % (type(chunk).__name__, chunk[:80]
                                                         if isinstance(chunk, str) else chunk))


class _Response:
    """start_response and write for one request."""

    __slots__ = ('request_id', 'send', 'head', 'headers', 'sent', 'ended')

    def __init__(self, request_id, send):
        self.request_id = request_id
        self.send = send
        self.head = None
        self.headers = None
        self.sent = False
        self.ended = False  # RESPONSE_END went out before close() (the Content-Length was met)

    def start_response(self, status, headers, exc_info=None):
        if exc_info is not None:
            try:
                if self.sent:
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None
        elif self.head is not None:
            raise AssertionError('start_response() was called a second time without exc_info '
                                 '(PEP 3333)')
        self.head = _encode_head(self.request_id, status, headers)
        self.headers = headers
        return self.write

    def write(self, data):
        if self.head is None:
            raise AssertionError('write() was called before start_response()')
        if data.__class__ is not bytes and not isinstance(data, (bytes, bytearray)):
            raise _not_bytes(data)
        if not data:
            return
        if self.sent:
            self.send(encode_body(self.request_id, data))
        else:
            self.sent = True
            self.send(self.head + encode_body(self.request_id, data))


class Worker:
    """Answers the requests that arrive on one connection to the master."""

    def __init__(self, sock, app, worker_id, threads=1):
        self.sock = sock
        self.app = app
        self.worker_id = worker_id
        self.threads = threads
        self.connection_lost = False
        self._pending = {}
        self.base_environ = {
            'wsgi.url_scheme': 'http',
            'wsgi.errors': sys.stderr,
            'wsgi.version': (1, 0),
            'wsgi.multithread': threads > 1,
            'wsgi.multiprocess': True,
            'wsgi.run_once': False,
            'wsgi.file_wrapper': FileWrapper,
        }
        sendall = sock.sendall
        if threads > 1:
            # One sendall per frame group under the lock, so frames of concurrent responses
            # never interleave inside each other.
            lock = threading.Lock()

            def send(data):
                try:
                    with lock:
                        sendall(data)
                except OSError:
                    self.connection_lost = True
                    raise
        else:
            def send(data):
                try:
                    sendall(data)
                except OSError:
                    self.connection_lost = True
                    raise
        self.send = send

    def run(self):
        """Serves until the master closes the connection (or SIGTERM), then lets in-flight requests finish."""
        if self.threads == 1:
            # Inline: no thread hand-off on the path of a request, the fastest for sync views.
            self._read_loop(self.serve)
            return
        from concurrent.futures import ThreadPoolExecutor
        executor = ThreadPoolExecutor(self.threads, thread_name_prefix='berth-request')
        submit = executor.submit
        serve = self.serve
        try:
            self._read_loop(lambda request_id, environ: submit(serve, request_id, environ))
        finally:
            executor.shutdown(wait=True)

    def _read_loop(self, dispatch):
        read = FrameReader(self.sock).read
        base = self.base_environ
        pending = self._pending
        send = self.send
        BytesIO = io.BytesIO
        while True:
            frame = read()
            if frame is None:
                return
            frame_type, flags, request_id, payload = frame
            if frame_type == REQUEST_HEAD:
                environ = base.copy()
                items = iter(str(payload, 'latin-1').split('\0'))
                environ.update(zip(items, items))
                if flags & END_STREAM:
                    environ['wsgi.input'] = BytesIO()
                    dispatch(request_id, environ)
                else:
                    pending[request_id] = (environ, _body_sink(environ.get('CONTENT_LENGTH')))
            elif frame_type == REQUEST_BODY:
                entry = pending.get(request_id)
                if entry is None:
                    continue
                entry[1].write(payload)
                if flags & END_STREAM:
                    del pending[request_id]
                    environ, body = entry
                    body.seek(0)
                    environ['wsgi.input'] = body
                    dispatch(request_id, environ)
            elif frame_type == PING:
                send(_pack(PONG, 0, 0, request_id, len(payload)) + payload)
            # Other types are ignored, so an older worker survives a newer master's extra frames.

    def serve(self, request_id, environ):
        """Runs the app for one request and sends its response; never raises for the app's errors."""
        response = _Response(request_id, self.send)
        send = self.send
        body = environ['wsgi.input']
        try:
            result = self.app(environ, response.start_response)
            try:
                if result.__class__ is list or result.__class__ is tuple:
                    # Most views return a list: head, body and end leave in one sendall.
                    try:
                        data = b''.join(result)
                    except TypeError:
                        for chunk in result:
                            if not isinstance(chunk, (bytes, bytearray)):
                                raise _not_bytes(chunk) from None
                        raise
                    if response.head is None:
                        raise AssertionError('the app returned without calling start_response()')
                    parts = [] if response.sent else [response.head]
                    response.sent = True
                    if len(data) > MAX_PAYLOAD:
                        parts.append(encode_body(request_id, data))
                    elif data:
                        parts.append(_pack(RESPONSE_BODY, 0, 0, request_id, len(data)))
                        parts.append(data)
                    parts.append(_pack(RESPONSE_END, 0, 0, request_id, 0))
                    send(b''.join(parts))
                    return
                # Bytes of the declared Content-Length still to come. When a chunk completes it,
                # RESPONSE_END leaves with that chunk instead of after close(): Flask and Django
                # return one-chunk generators with a Content-Length, and this saves a sendall here
                # and a wake-up of the master per request (bench/NOTES.md, "Hot path, round 2").
                left = None
                for chunk in result:
                    if chunk.__class__ is not bytes and not isinstance(chunk, (bytes, bytearray)):
                        raise _not_bytes(chunk)
                    if not chunk:
                        # PEP 3333: the head waits for the first non-empty chunk, so an app can
                        # still fail into a clean 500 after yielding b''.
                        continue
                    if response.sent:
                        frames = encode_body(request_id, chunk)
                    elif response.head is None:
                        raise AssertionError('the app produced body before calling start_response()')
                    else:
                        response.sent = True
                        frames = response.head + encode_body(request_id, chunk)
                        left = _declared_length(response.headers)
                    if left is not None:
                        left -= len(chunk)
                        if left == 0:
                            response.ended = True
                            send(frames + _pack(RESPONSE_END, 0, 0, request_id, 0))
                            return  # close() still runs, below
                    send(frames)
            finally:
                close = getattr(result, 'close', None)
                if close is not None:
                    close()
            end = _pack(RESPONSE_END, 0, 0, request_id, 0)
            if response.sent:
                send(end)
            else:
                if response.head is None:
                    raise AssertionError('the app returned without calling start_response()')
                response.sent = True
                send(response.head + end)
        except BaseException as error:
            self._fail(response, environ, error)
            if not isinstance(error, Exception):
                raise
        finally:
            body.close()

    def _fail(self, response, environ, error):
        what = '%s %s%s' % (environ.get('REQUEST_METHOD', '?'), environ.get('SCRIPT_NAME', ''),
                            environ.get('PATH_INFO', ''))
        if self.connection_lost:
            _log('worker %s: the master closed the connection during %s; its response is dropped'
                 % (self.worker_id, what))
            return
        stack = ''.join(traceback.format_exception(type(error), error, error.__traceback__))
        rid = response.request_id
        if response.ended:
            _log('worker %s: %s (request %d) failed in close(), after its whole response was sent:\n%s'
                 % (self.worker_id, what, rid, stack))
            return
        try:
            if response.sent:
                _log('worker %s: %s (request %d) failed after its response began, so the client '
                     'connection is cut:\n%s' % (self.worker_id, what, rid, stack))
                self.send(_pack(RESPONSE_END, ABORTED, 0, rid, 0))
            else:
                _log('worker %s: %s (request %d) failed; answered 500:\n%s'
                     % (self.worker_id, what, rid, stack))
                response.sent = True
                head = encode_kv(_ERROR_HEAD_ITEMS)
                self.send(_pack(RESPONSE_HEAD, 0, 0, rid, len(head)) + head
                          + encode_body(rid, _ERROR_BODY) + _pack(RESPONSE_END, 0, 0, rid, 0))
        except OSError:
            pass


# ---------------------------------------------------------------------------------------------
# ASGI 3.0: one asyncio loop per worker, many requests in flight on the one connection.
# ---------------------------------------------------------------------------------------------

# Requests an ASGI worker runs at once unless --connections says otherwise: the master queues the
# rest. 100 is Berth's default queue, so one worker can take a full burst of slow (awaiting) views.
ASGI_CAPACITY = 100

# After CANCEL the app first sees http.disconnect (Starlette's StreamingResponse and
# request.is_disconnected() stop on it); a task still running this much later is cancelled.
CANCEL_GRACE = 2.0

# Lifespan shutdown is not allowed to hold a stopping worker longer than this.
LIFESPAN_SHUTDOWN_TIMEOUT = 10.0

_ASGI_VERSION = {'version': '3.0', 'spec_version': '2.3'}


def is_asgi(app):
    """True for an ASGI 3 callable: a coroutine function, an object whose __call__ is one, or a
    callable of three positional parameters (scope, receive, send); WSGI's takes two."""
    import inspect
    if inspect.iscoroutinefunction(app) or inspect.iscoroutinefunction(getattr(app, '__call__', None)):
        return True
    try:
        parameters = inspect.signature(app).parameters.values()
    except (TypeError, ValueError):
        return False
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) == 3


def _asgi_scope(items, state):
    """The ASGI http scope for the environ k/v list the master sent (docs/protocol.md)."""
    headers = []
    environ = {}
    for i in range(0, len(items) - 1, 2):
        key = items[i]
        value = items[i + 1]
        if key.startswith('HTTP_'):
            headers.append((key[5:].replace('_', '-').lower().encode('latin-1'), value.encode('latin-1')))
        else:
            environ[key] = value
    content_type = environ.get('CONTENT_TYPE')
    if content_type is not None:
        headers.append((b'content-type', content_type.encode('latin-1')))
    length = environ.get('CONTENT_LENGTH', '0')
    if length != '0':
        headers.append((b'content-length', length.encode('latin-1')))
    root = environ.get('SCRIPT_NAME', '')
    # path is what follows the mount (root_path), as uvicorn before 0.26 and hypercorn give it: Starlette
    # before 0.33 (Debian's, under FastAPI 0.92) and Quart 0.18 route on path and put root_path in front
    # of it themselves, so a root_path + path would 404 everything under a mount; Starlette since 0.33
    # takes off a root_path only when path starts with it, so this works there too.
    path = environ.get('PATH_INFO', '')
    protocol = environ.get('SERVER_PROTOCOL', 'HTTP/1.1')
    scope = {
        'type': 'http',
        'asgi': _ASGI_VERSION,
        'http_version': protocol[5:] if protocol.startswith('HTTP/') else '1.1',
        'method': environ.get('REQUEST_METHOD', 'GET'),
        'scheme': environ.get('wsgi.url_scheme', 'http'),
        # PATH_INFO is the percent-decoded bytes as Latin-1; ASGI wants them as UTF-8 text.
        'path': path.encode('latin-1').decode('utf-8', 'replace'),
        'raw_path': environ.get('RAW_URI', path).partition('?')[0].encode('latin-1'),
        'query_string': environ.get('QUERY_STRING', '').encode('latin-1'),
        'root_path': root.encode('latin-1').decode('utf-8', 'replace'),
        'headers': headers,
        'client': (environ.get('REMOTE_ADDR', ''), int(environ.get('REMOTE_PORT') or 0)),
        # The listening socket's address (ASGI's "server"), not the Host header's; None on a Unix socket.
        'server': ((environ['SERVER_ADDR'], int(environ.get('berth.server_port') or 0))
                   if 'SERVER_ADDR' in environ else None),
    }
    if state is not None:
        scope['state'] = state.copy()
    return scope


_STATUS_LINES = {}


def _status_line(status):
    line = _STATUS_LINES.get(status)
    if line is None:
        if not isinstance(status, int) or not 100 <= status <= 999:
            raise ValueError('http.response.start: status must be an int from 100 to 999, got %r'
                             % (status,))
        import http
        try:
            line = '%d %s' % (status, http.HTTPStatus(status).phrase)
        except ValueError:
            line = str(status)
        _STATUS_LINES[status] = line
    return line


def _header_strings(items, headers):
    """items followed by the ASGI headers' names and values as Latin-1 strings (bytes, or str from lax apps)."""
    append = items.append
    for name, value in headers:
        append(name.decode('latin-1') if isinstance(name, (bytes, bytearray)) else name)
        append(value.decode('latin-1') if isinstance(value, (bytes, bytearray)) else value)
    return items


def _asgi_head(request_id, message):
    items = _header_strings([_status_line(message['status'])], message.get('headers', ()))
    text = '\0'.join(items)
    if text.count('\0') != len(items) - 1 or '\r' in text or '\n' in text:
        raise ValueError('http.response.start: headers must not contain NUL, CR or LF: %r'
                         % (message.get('headers'),))
    payload = text.encode('latin-1')
    return _pack(RESPONSE_HEAD, 0, 0, request_id, len(payload)) + payload


async def _park(request):
    """Waits in the app's receive() until _unpark: a message or the disconnect arrived."""
    request.waiter = request.connection.loop.create_future()
    try:
        await request.waiter
    finally:
        request.waiter = None


def _unpark(request):
    waiter = request.waiter
    if waiter is not None and not waiter.done():
        waiter.set_result(None)


class _AsgiRequest:
    """receive and send for one http request; the body arrived whole before the task started."""

    __slots__ = ('id', 'connection', 'scope', 'body', 'head', 'started', 'done', 'disconnected',
                 'waiter', 'task')

    def __init__(self, request_id, connection, scope, body):
        self.id = request_id
        self.connection = connection
        self.scope = scope
        self.body = body          # list of chunks, handed out in order as http.request events
        self.head = None          # the RESPONSE_HEAD frame, until it goes out with the first body
        self.started = False      # the head went out
        self.done = False         # RESPONSE_END went out
        self.disconnected = False
        self.waiter = None
        self.task = None

    async def receive(self):
        body = self.body
        if body is not None:
            if len(body) <= 1:
                self.body = None
                return {'type': 'http.request', 'body': body[0] if body else b'', 'more_body': False}
            return {'type': 'http.request', 'body': body.pop(0), 'more_body': True}
        if not self.disconnected:
            await _park(self)
        return {'type': 'http.disconnect'}

    async def send(self, message):
        kind = message['type']
        if kind == 'http.response.body':
            if self.head is None:
                raise RuntimeError('ASGI: http.response.body was sent before http.response.start')
            if self.done or self.disconnected:
                return  # the client is gone (or the response is complete): nothing to send it to
            rid = self.id
            data = message.get('body', b'')
            more = message.get('more_body', False)
            if self.started:
                frames = encode_body(rid, data) if data else b''
            else:
                self.started = True
                frames = self.head + encode_body(rid, data) if data else self.head
            if not more:
                self.done = True
                frames += _pack(RESPONSE_END, 0, 0, rid, 0)
            if frames:
                await self.connection.write(frames)
        elif kind == 'http.response.start':
            if self.head is not None:
                raise RuntimeError('ASGI: http.response.start was sent twice')
            self.head = _asgi_head(self.id, message)
        elif kind == 'http.response.trailers':
            pass  # not advertised in the scope's extensions, so a conforming app does not send it
        else:
            raise RuntimeError('ASGI: an http app cannot send %r' % (kind,))

    def disconnect(self):
        self.disconnected = True
        _unpark(self)


class _AsgiWebSocket:
    """receive and send for one WebSocket (docs/protocol.md, "WebSockets"). Messages travel whole:
    the edge reassembles fragments and answers pings itself."""

    __slots__ = ('id', 'connection', 'scope', 'inbox', 'waiter', 'started', 'closed', 'done',
                 'disconnected', 'task')

    def __init__(self, request_id, connection, scope):
        self.id = request_id
        self.connection = connection
        self.scope = scope
        self.inbox = [{'type': 'websocket.connect'}]
        self.waiter = None
        self.started = False      # accepted
        self.closed = False       # our WEBSOCKET_CLOSE went out
        self.done = False         # RESPONSE_END went out
        self.disconnected = False
        self.task = None

    async def receive(self):
        while not self.inbox:
            await _park(self)
        return self.inbox.pop(0)

    def _deliver(self, message):
        self.inbox.append(message)
        _unpark(self)

    def on_message(self, flags, payload):
        if flags & TEXT:
            self._deliver({'type': 'websocket.receive', 'text': payload.decode('utf-8')})
        else:
            self._deliver({'type': 'websocket.receive', 'bytes': payload})

    def on_close(self, payload):
        if self.disconnected:
            return
        self.disconnected = True
        code = int.from_bytes(payload[:2], 'big') if len(payload) >= 2 else 1005
        self._deliver({'type': 'websocket.disconnect', 'code': code,
                       'reason': payload[2:].decode('utf-8', 'replace')})

    def disconnect(self):
        self.on_close(b'\x03\xee')  # 1006: gone without a closing handshake

    async def send(self, message):
        kind = message['type']
        rid = self.id
        if kind == 'websocket.send':
            if not self.started or self.closed:
                raise RuntimeError('ASGI: websocket.send before websocket.accept or after websocket.close')
            if self.disconnected:
                raise OSError('the WebSocket client has gone away')
            text = message.get('text')
            if text is not None:
                data = text.encode('utf-8')
                frame = _pack(WEBSOCKET_MESSAGE, TEXT, 0, rid, len(data)) + data
            else:
                data = message.get('bytes') or b''
                frame = _pack(WEBSOCKET_MESSAGE, 0, 0, rid, len(data)) + data
            if len(data) > MAX_PAYLOAD:
                raise ValueError('a WebSocket message is at most %d bytes, got %d' % (MAX_PAYLOAD, len(data)))
            await self.connection.write(frame)
        elif kind == 'websocket.accept':
            if self.started:
                raise RuntimeError('ASGI: websocket.accept was sent twice')
            self.started = True
            payload = encode_kv(_header_strings([message.get('subprotocol') or ''], message.get('headers', ())))
            await self.connection.write(_pack(WEBSOCKET_ACCEPT, 0, 0, rid, len(payload)) + payload)
        elif kind == 'websocket.close':
            if not self.closed:
                self.closed = True
                reason = (message.get('reason') or '').encode('utf-8')
                payload = int(message.get('code', 1000)).to_bytes(2, 'big') + reason
                await self.connection.write(_pack(WEBSOCKET_CLOSE, 0, 0, rid, len(payload)) + payload)
        else:
            raise RuntimeError('ASGI: a websocket app cannot send %r' % (kind,))

    async def complete(self):
        """The app returned: close as ASGI asks (1000) if it did not, and free the request id."""
        if not self.closed and not self.disconnected:
            await self.send({'type': 'websocket.close', 'code': 1000})
        self.done = True
        self.connection.transport.write(_pack(RESPONSE_END, 0, 0, self.id, 0))


class AsgiWorker(asyncio.Protocol):
    """Runs an ASGI app for the requests that arrive on one connection, each in its own task."""

    def __init__(self, loop, app, worker_id, state):
        self.loop = loop
        self.app = app
        self.worker_id = worker_id
        self.state = state
        self.transport = None
        self.buffer = bytearray()
        self.pending = {}     # request id -> (items, body chunks) until END_STREAM
        self.requests = {}    # request id -> _AsgiRequest with a running task
        self.paused = None    # a future while the transport's buffer is over its high-water mark
        self.closing = False
        self.finished = loop.create_future()

    # asyncio.Protocol

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        buffer = self.buffer
        buffer += data
        start = 0
        end = len(buffer)
        while end - start >= HEADER_SIZE:
            frame_type, flags, _, request_id, length = _unpack_from(buffer, start)
            if length > MAX_PAYLOAD:
                _log('worker %d: frame payload of %d bytes exceeds the %d-byte limit; the stream '
                     'from the master is corrupt' % (self.worker_id, length, MAX_PAYLOAD))
                self.transport.close()
                return
            stop = start + HEADER_SIZE + length
            if stop > end:
                break
            self.on_frame(frame_type, flags, request_id, bytes(buffer[start + HEADER_SIZE:stop]))
            start = stop
        del buffer[:start]

    def eof_received(self):
        # The master takes nothing new from us but reads our answers: finish what is in flight.
        self.closing = True
        self._maybe_finish()
        return True

    def connection_lost(self, error):
        self.closing = True
        for request in list(self.requests.values()):
            request.disconnect()
            request.task.cancel()
        self._wake_writers()
        if not self.finished.done():
            self.finished.set_result(None)

    def pause_writing(self):
        if self.paused is None:
            self.paused = self.loop.create_future()

    def resume_writing(self):
        self._wake_writers()

    # frames and tasks

    def _wake_writers(self):
        paused = self.paused
        self.paused = None
        if paused is not None and not paused.done():
            paused.set_result(None)

    async def write(self, frames):
        """Writes frames; waits while the master is not reading, which slows a streaming app down
        to its client's pace instead of growing this process."""
        transport = self.transport
        if transport.is_closing():
            return
        transport.write(frames)
        if self.paused is not None:
            await self.paused

    def on_frame(self, frame_type, flags, request_id, payload):
        if frame_type == REQUEST_HEAD:
            items = str(payload, 'latin-1').split('\0') if payload else []
            if flags & WEBSOCKET:
                scope = _asgi_scope(items, self.state)
                scope['type'] = 'websocket'
                scope['scheme'] = 'wss' if scope['scheme'] == 'https' else 'ws'
                del scope['method']
                scope['subprotocols'] = [p.strip() for header, value in scope['headers']
                                         if header == b'sec-websocket-protocol'
                                         for p in value.decode('latin-1').split(',') if p.strip()]
                self.launch(_AsgiWebSocket(request_id, self, scope))
            elif flags & END_STREAM:
                self.start(request_id, items, [])
            else:
                self.pending[request_id] = (items, [])
        elif frame_type == REQUEST_BODY:
            entry = self.pending.get(request_id)
            if entry is None:
                return
            if payload:
                entry[1].append(payload)
            if flags & END_STREAM:
                del self.pending[request_id]
                self.start(request_id, entry[0], entry[1])
        elif frame_type == WEBSOCKET_MESSAGE:
            socket = self.requests.get(request_id)
            if socket is not None:
                socket.on_message(flags, payload)
        elif frame_type == WEBSOCKET_CLOSE:
            socket = self.requests.get(request_id)
            if socket is not None:
                socket.on_close(payload)
        elif frame_type == CANCEL:
            self.pending.pop(request_id, None)
            request = self.requests.get(request_id)
            if request is not None:
                request.disconnect()
                self.loop.call_later(CANCEL_GRACE, request.task.cancel)
        elif frame_type == PING:
            self.transport.write(_pack(PONG, 0, 0, request_id, len(payload)) + payload)
        # Other types are ignored, so an older worker survives a newer master's extra frames.

    def start(self, request_id, items, body):
        self.launch(_AsgiRequest(request_id, self, _asgi_scope(items, self.state), body))

    def launch(self, request):
        request_id = request.id
        self.requests[request_id] = request
        request.task = self.loop.create_task(self.run(request))

    async def run(self, request):
        try:
            await self.app(request.scope, request.receive, request.send)
            if request.__class__ is _AsgiWebSocket:
                await request.complete()
            elif not request.done and not request.disconnected:
                raise RuntimeError('the ASGI app returned without completing its response '
                                   '(no http.response.body with more_body=False)')
        except asyncio.CancelledError:
            if not request.disconnected:
                _log('worker %d: %s was cancelled before it answered'
                     % (self.worker_id, _describe(request.scope)))
        except Exception as error:
            self._fail(request, error)
        finally:
            self.requests.pop(request.id, None)
            request.disconnect()
            if not request.done:
                # The id must be freed in any case; ABORTED tells the master the answer is incomplete.
                request.done = True
                if not self.transport.is_closing():
                    self.transport.write(_pack(RESPONSE_END, ABORTED, 0, request.id, 0))
            self._maybe_finish()

    def _fail(self, request, error):
        stack = ''.join(traceback.format_exception(type(error), error, error.__traceback__))
        what = _describe(request.scope)
        if request.disconnected:
            _log('worker %d: %s failed after the client went away:\n%s' % (self.worker_id, what, stack))
        elif request.done:
            # Starlette's ServerErrorMiddleware sends its 500 page, then re-raises for the server's log.
            _log('worker %d: %s (request %d) raised after its response was complete:\n%s'
                 % (self.worker_id, what, request.id, stack))
        elif request.started:
            _log('worker %d: %s (request %d) failed after its response began, so the client '
                 'connection is cut:\n%s' % (self.worker_id, what, request.id, stack))
        else:
            _log('worker %d: %s (request %d) failed; answered 500:\n%s'
                 % (self.worker_id, what, request.id, stack))
            request.done = True
            rid = request.id
            head = encode_kv(_ERROR_HEAD_ITEMS)
            if not self.transport.is_closing():
                self.transport.write(_pack(RESPONSE_HEAD, 0, 0, rid, len(head)) + head
                                     + encode_body(rid, _ERROR_BODY) + _pack(RESPONSE_END, 0, 0, rid, 0))

    def _maybe_finish(self):
        if self.closing and not self.requests and not self.finished.done():
            self.finished.set_result(None)


def _describe(scope):
    return '%s %s' % (scope.get('method', '?'), scope.get('path', '?'))


class Lifespan:
    """The ASGI lifespan protocol for one worker: startup before READY, shutdown after the last
    request. An app that raises before it receives lifespan.startup does not support lifespan,
    and serves without it, as under uvicorn's default `--lifespan auto`."""

    def __init__(self, loop, app):
        self.loop = loop
        self.app = app
        self.state = {}
        self.inbox = asyncio.Queue()
        self.received_startup = False
        self.supported = True
        self.startup = loop.create_future()
        self.shutdown = loop.create_future()
        self.task = None

    async def receive(self):
        message = await self.inbox.get()
        if message['type'] == 'lifespan.startup':
            self.received_startup = True
        return message

    async def send(self, message):
        kind = message['type']
        if kind == 'lifespan.startup.complete':
            _settle(self.startup, None)
        elif kind == 'lifespan.startup.failed':
            _settle(self.startup, message.get('message') or 'lifespan.startup.failed without a message')
        elif kind == 'lifespan.shutdown.complete':
            _settle(self.shutdown, None)
        elif kind == 'lifespan.shutdown.failed':
            _settle(self.shutdown, message.get('message') or 'lifespan.shutdown.failed')

    async def _run(self):
        scope = {'type': 'lifespan', 'asgi': _ASGI_VERSION, 'state': self.state}
        try:
            await self.app(scope, self.receive, self.send)
        except BaseException as error:
            if not self.received_startup:
                self.supported = False
                _settle(self.startup, None)
            else:
                text = ''.join(traceback.format_exception(type(error), error, error.__traceback__))
                _settle(self.startup, text)
                _settle(self.shutdown, text)
            if not isinstance(error, Exception):
                raise
        finally:
            _settle(self.startup, 'the app returned from lifespan before startup completed')
            _settle(self.shutdown, None)

    async def start(self):
        """None when the app started, else the error text for BOOT_ERROR."""
        self.task = self.loop.create_task(self._run())
        self.inbox.put_nowait({'type': 'lifespan.startup'})
        return await self.startup

    async def stop(self):
        if not self.supported or self.task is None or self.task.done():
            return
        self.inbox.put_nowait({'type': 'lifespan.shutdown'})
        try:
            error = await asyncio.wait_for(asyncio.shield(self.shutdown), LIFESPAN_SHUTDOWN_TIMEOUT)
        except asyncio.TimeoutError:
            error = 'it did not finish within %gs' % LIFESPAN_SHUTDOWN_TIMEOUT
        if error:
            _log('lifespan shutdown failed: %s' % error)
        self.task.cancel()


def _settle(future, value):
    if not future.done():
        future.set_result(value)


def _new_event_loop():
    """uvloop's loop when the virtualenv has it (as uvicorn picks it), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def _serve_asgi(sock, app, worker_id, capacity):
    loop = _new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(_run_asgi(loop, sock, app, worker_id, capacity))
    finally:
        sock.close()
        loop.close()


async def _run_asgi(loop, sock, app, worker_id, capacity):
    lifespan = Lifespan(loop, app)
    error = await lifespan.start()
    if error is not None:
        _report_boot_error(sock, error.rstrip('\n') + '\n' + (
            "berth: the app's lifespan startup failed (worker %d): %s. The traceback above shows "
            "where; startup handlers must succeed for the worker to serve."
            % (worker_id, error.strip().splitlines()[-1] if error.strip() else error)))
        return EXIT_BOOT_ERROR
    sock.sendall(encode_frame(READY, 0, 0, encode_kv(['interface', 'asgi', 'capacity', str(capacity)])))
    worker = AsgiWorker(loop, app, worker_id, lifespan.state if lifespan.supported else None)
    await loop.create_unix_connection(lambda: worker, sock=sock)
    await worker.finished
    await lifespan.stop()
    if worker.transport is not None:
        worker.transport.close()
    return 0


def _body_sink(content_length):
    try:
        length = int(content_length)
    except (TypeError, ValueError):
        return tempfile.SpooledTemporaryFile(SPOOL_MAX)
    if length <= SPOOL_MAX:
        return io.BytesIO()
    return tempfile.TemporaryFile()


def _log(message):
    # One write per message, so lines from concurrent requests do not interleave.
    sys.stderr.write('berth: ' + message.rstrip('\n') + '\n')
    sys.stderr.flush()


class BootError(Exception):
    """The app could not be loaded; hint is the one line that tells the user what to fix."""

    def __init__(self, hint):
        super().__init__(hint)
        self.hint = hint


_APP_NAMES = ('app', 'application', 'create_app', 'make_app', 'api', 'wsgi_app')


def load_app(spec, directory):
    """Imports MODULE:CALLABLE as gunicorn does (CALLABLE defaults to `application`; a trailing
    `()` calls a factory without arguments). Raises BootError, chained to the original error."""
    module_name, _, target = spec.partition(':')
    module_name = module_name.strip()
    target = target.strip() or 'application'
    if not module_name:
        raise BootError("berth: the app %r names no module. Write `module:` as MODULE:CALLABLE, "
                        "for example 'myproject.wsgi:application'." % spec)
    try:
        # __import__ rather than importlib.import_module: the import system then strips its own
        # frames, and the traceback the user reads starts in their code.
        __import__(module_name)
        module = sys.modules[module_name]
    except ModuleNotFoundError as error:
        if error.name and (module_name + '.').startswith(error.name + '.'):
            raise BootError(
                "berth: could not import %r from %s: %s. Check the module name in `module:` and "
                "that --chdir/--python point at your project and its virtualenv."
                % (module_name, directory, error)) from error
        raise BootError(
            "berth: importing %r failed: %s. Install it into the virtualenv the app runs with "
            "(this worker runs %s), or point --python/`venv:` at the one that has it."
            % (module_name, error, sys.executable)) from error
    except SyntaxError as error:
        raise BootError(
            "berth: %s:%s: syntax error while importing %r: %s. Fix the code; this worker runs "
            "Python %s (%s)." % (error.filename, error.lineno, module_name, error.msg,
                                 _python_version(), sys.executable)) from error
    except SystemExit as error:
        raise BootError(
            "berth: importing %r called sys.exit(%r); the traceback above shows where. Code that "
            "runs at import (settings, environment variables) must succeed for the worker to start."
            % (module_name, error.code)) from error
    except BaseException as error:
        raise BootError(
            "berth: importing %r raised %s: %s. The traceback above shows where; code that runs at "
            "import (settings, environment variables, connections) must succeed for the worker to "
            "start." % (module_name, type(error).__name__, error)) from error

    call = target.endswith('()')
    name = target[:-2] if call else target
    app = module
    try:
        for part in name.split('.'):
            app = getattr(app, part)
    except AttributeError as error:
        found = [n for n in _APP_NAMES if callable(getattr(module, n, None))]
        raise BootError(
            "berth: module %r (%s) has no attribute %r. Check the name after ':' in `module:`%s."
            % (module_name, getattr(module, '__file__', '?'), name,
               '; it defines ' + ', '.join(found) if found else '')) from error
    if call:
        try:
            app = app()
        except BaseException as error:
            raise BootError(
                "berth: calling the app factory %s:%s raised %s: %s. The traceback above shows "
                "where." % (module_name, target, type(error).__name__, error)) from error
    if not callable(app):
        raise BootError(
            "berth: %s:%s is an object of type %s, not a WSGI callable. Point `module:` at the "
            "application object (Flask: the Flask() instance; Django: 'yourproject.wsgi:application')."
            % (module_name, target, type(app).__name__))
    return app


def _python_version():
    return '%d.%d.%d' % sys.version_info[:3]


# A forked worker's output reaches the master through the zygote's stdout, one line at a time as
# RS, the worker id, US, the line (docs/protocol.md, "Preload"), so the log still says which worker
# printed it. ASCII's record and unit separators never occur in text a program means to print.
RELAY_START = b'\x1e'
RELAY_SEPARATOR = b'\x1f'

# A line longer than this is relayed in pieces rather than held until its newline.
RELAY_LINE_MAX = 64 * 1024


class Zygote:
    """Forks workers from the imported app when the master sends SPAWN, and reports their exits.

    The master knows a forked worker by the connection it opens, not as a process it started, so the
    zygote tells it when one ends (CHILD_EXITED), relays its output, and stays until the master
    closes the connection and the last of its children is gone.
    """

    def __init__(self, sock):
        self.sock = sock
        self.children = {}      # pid -> worker id
        self.outputs = {}       # read end of a child's stdout/stderr pipe -> (worker id, partial line)
        self.accepting = True   # the master has not closed the connection yet
        self.connected = True   # CHILD_EXITED can still be sent
        self._selector = None

    def run(self):
        """Serves SPAWN frames. Returns None in the zygote once it is done; in a forked child it
        returns the worker id to serve as, with the zygote's descriptors and handlers let go."""
        wake_read, wake_write = os.pipe()
        os.set_blocking(wake_read, False)
        os.set_blocking(wake_write, False)
        # A handler rather than SIG_IGN: with SIGCHLD ignored the kernel reaps children itself and
        # their exit status, which the master wants in the death record, is lost.
        signal.signal(signal.SIGCHLD, _on_child)
        signal.set_wakeup_fd(wake_write)
        selector = self._selector = selectors.DefaultSelector()
        selector.register(self.sock, selectors.EVENT_READ)
        selector.register(wake_read, selectors.EVENT_READ)
        pending = bytearray()
        try:
            self._reap()  # a child may have ended before the handler was in place
            while self.accepting or self.children:
                for key, _ in selector.select():
                    source = key.fileobj
                    if source is self.sock:
                        worker_id = self._receive(pending)
                        if worker_id is not None:
                            return worker_id
                    elif source == wake_read:
                        try:
                            while os.read(wake_read, 512):
                                pass
                        except BlockingIOError:
                            pass
                        self._reap()
                    else:
                        self._relay(source)
            for fd in list(self.outputs):
                self._relay(fd)
            return None
        finally:
            # In the zygote and in a new child alike: neither keeps the other's descriptors.
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            selector.close()
            self._selector = None
            os.close(wake_read)
            os.close(wake_write)
            for fd in self.outputs:
                os.close(fd)

    def _receive(self, pending):
        """Reads what the master sent; returns a worker id in a child forked for a SPAWN in it."""
        try:
            data = self.sock.recv(READ_BUFFER_SIZE)
        except OSError:
            data = b''
        if not data:
            self.accepting = False
            self._selector.unregister(self.sock)
            return None
        pending += data
        while len(pending) >= HEADER_SIZE:
            frame_type, _, request_id, length = decode_header(pending)
            if length > MAX_PAYLOAD:
                raise ProtocolError('frame payload of %d bytes exceeds the %d-byte limit; the stream '
                                    'from the master is corrupt' % (length, MAX_PAYLOAD))
            if len(pending) < HEADER_SIZE + length:
                break
            payload = bytes(pending[HEADER_SIZE:HEADER_SIZE + length])
            del pending[:HEADER_SIZE + length]
            if frame_type == SPAWN:
                items = decode_kv(payload)
                worker = dict(zip(items[0::2], items[1::2])).get('worker', '')
                if not worker.isdigit():
                    raise ProtocolError('SPAWN without a worker id: %r' % (items,))
                if self._fork(int(worker)):
                    return int(worker)
            elif frame_type == PING:
                self._send(encode_frame(PONG, 0, request_id, payload))
            # Other types are ignored, as a worker ignores them.
        return None

    def _fork(self, worker_id):
        """Forks a worker; True in the child, False in the zygote."""
        read_end, write_end = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        # Objects that exist now move to a generation the collector never visits, so a collection
        # in a child does not write to (and so copy) the pages it shares with the zygote. Without it
        # preload saves 18% of the Django test app's memory instead of 67% (bench/NOTES.md).
        gc.freeze()
        try:
            pid = os.fork()
        except OSError as error:
            os.close(read_end)
            os.close(write_end)
            _log('zygote: cannot fork worker %d: %s' % (worker_id, error))
            self._report(0, worker_id, 1)
            return False
        if pid == 0:
            os.close(read_end)
            os.dup2(write_end, 1)
            os.dup2(write_end, 2)
            os.close(write_end)
            return True
        os.close(write_end)
        os.set_blocking(read_end, False)
        self.children[pid] = worker_id
        self.outputs[read_end] = (worker_id, bytearray())
        self._selector.register(read_end, selectors.EVENT_READ)
        return False

    def _reap(self):
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            worker_id = self.children.pop(pid, None)
            if worker_id is None:
                continue
            # Its last words come before its death record in the log.
            for fd, (owner, _) in list(self.outputs.items()):
                if owner == worker_id:
                    self._relay(fd)
            code = os.waitstatus_to_exitcode(status)
            self._report(pid, worker_id, 128 - code if code < 0 else code)

    def _report(self, pid, worker_id, status):
        self._send(encode_frame(CHILD_EXITED, 0, 0, encode_kv([
            'pid', str(pid), 'worker', str(worker_id), 'status', str(status)])))

    def _send(self, frame):
        if not self.connected:
            return
        try:
            self.sock.sendall(frame)
        except OSError:
            self.connected = False  # the master is gone; its workers see EOF and end on their own

    def _relay(self, fd):
        """Copies what a child wrote to the zygote's stdout, whole lines, each marked with its id."""
        worker_id, partial = self.outputs[fd]
        marker = RELAY_START + str(worker_id).encode('ascii') + RELAY_SEPARATOR
        ended = False
        while True:
            try:
                data = os.read(fd, READ_BUFFER_SIZE)
            except BlockingIOError:
                break
            if not data:
                ended = True
                break
            partial += data
        cut = partial.rfind(b'\n') + 1
        if ended or len(partial) - cut > RELAY_LINE_MAX:
            cut = len(partial)
        if cut:
            # splitlines also cuts at a lone CR, as the master's line reader does.
            lines = bytes(partial[:cut]).splitlines()
            del partial[:cut]
            if lines:
                _write_all(1, b''.join(marker + line + b'\n' for line in lines))
        if ended:
            if self._selector is not None:
                self._selector.unregister(fd)
            del self.outputs[fd]
            os.close(fd)


def _on_child(signum, frame):
    """Wakes the zygote's select through the wakeup fd; the reaping happens in its loop."""


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _parse_args(argv):
    parser = argparse.ArgumentParser(
        prog='berth_worker',
        description='Berth worker: runs a WSGI or ASGI app for `berth serve` (started by berth, not by hand).')
    parser.add_argument('--connect', required=True, metavar='SOCKPATH',
                        help="the master's Unix socket")
    parser.add_argument('--app', required=True, metavar='MODULE:CALLABLE', help='the WSGI callable')
    parser.add_argument('--worker-id', required=True, type=int, metavar='N',
                        help='the id the master gave this worker (or this zygote)')
    parser.add_argument('--threads', type=int, default=1, metavar='T',
                        help='requests run at once (a thread pool when above 1)')
    parser.add_argument('--interface', choices=('auto', 'wsgi', 'asgi'), default='auto',
                        help='the kind of callable; auto looks at it (a coroutine function is ASGI)')
    parser.add_argument('--connections', type=int, default=ASGI_CAPACITY, metavar='N',
                        help='requests an ASGI worker runs at once [default: %d]' % ASGI_CAPACITY)
    parser.add_argument('--chdir', metavar='DIR', help='the project directory; put first on sys.path')
    parser.add_argument('--zygote', action='store_true',
                        help='import the app once, then fork a worker for each SPAWN from the master')
    args = parser.parse_args(argv)
    if args.threads < 1:
        parser.error('--threads must be at least 1, got %d' % args.threads)
    if args.connections < 1:
        parser.error('--connections must be at least 1, got %d' % args.connections)
    return args


def _connect(path, who):
    """A connection to the master, with SIGTERM and SIGUSR1 set up for it; None if it cannot be made."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
    except OSError as error:
        sock.close()
        _log('%s: cannot connect to the master at %s: %s. This program is started by '
             '`berth serve`; run that instead.' % (who, path, error))
        return None

    def on_term(signum, frame):
        # Finish in flight, take nothing new: after SHUT_RD the reader still gets the frames already
        # queued, then EOF, the same way out as when the master closes the connection.
        try:
            sock.shutdown(socket.SHUT_RD)
        except OSError:
            pass
    signal.signal(signal.SIGTERM, on_term)
    # When a request passes its deadline the master sends SIGUSR1 before killing the worker, so the
    # log shows where the view was stuck (uWSGI's harakiri leaves no such clue).
    faulthandler.register(signal.SIGUSR1, file=sys.stderr, all_threads=True)
    return sock


def _hello(sock, worker_id, args, role=None):
    # Before the import the worker knows only what it was told; READY gives the final figures.
    asgi = args.interface == 'asgi'
    items = [
        'pid', str(os.getpid()),
        'worker', str(worker_id),
        'capacity', str(args.connections if asgi else args.threads),
        'interface', args.interface if asgi else 'wsgi',
        'python', _python_version(),
    ]
    if role is not None:
        items += ['role', role]
    sock.sendall(encode_frame(HELLO, 0, 0, encode_kv(items)))


def _load_or_report(sock, spec, directory):
    """The app, or None after its BOOT_ERROR went to the master (and the socket was closed)."""
    try:
        return load_app(spec, directory)
    except BootError as error:
        cause = error.__cause__
        stack = ''
        if cause is not None:
            tb = cause.__traceback__
            if tb is not None and tb.tb_frame.f_code is load_app.__code__:
                tb = tb.tb_next  # the user's code, not ours
            stack = ''.join(traceback.format_exception(type(cause), cause, tb))
        _report_boot_error(sock, stack + error.hint)
        return None


def _report_boot_error(sock, text):
    """Shows text in the log and sends it as BOOT_ERROR; closes the socket."""
    text = text.rstrip('\n') + '\n'
    sys.stderr.write(text)
    sys.stderr.flush()
    payload = text.encode('utf-8', 'backslashreplace')[-MAX_PAYLOAD:]
    try:
        sock.sendall(encode_frame(BOOT_ERROR, 0, 0, payload))
    except OSError:
        pass
    sock.close()


def _serve(sock, app, worker_id, args):
    if args.interface == 'asgi' or (args.interface == 'auto' and is_asgi(app)):
        return _serve_asgi(sock, app, worker_id, args.connections)
    threads = args.threads
    sock.sendall(encode_frame(READY, 0, 0))
    worker = Worker(sock, app, worker_id, threads)
    try:
        worker.run()
    except ProtocolError as error:
        _log('worker %d: %s' % (worker_id, error))
        return 1
    finally:
        sock.close()
    return 0


def main(argv=None):
    args = _parse_args(argv)
    # Ctrl-C, a closed terminal (HUP) and job-control signals reach the whole process group; the
    # master decides what they mean (stop, reload, scale). Left at their defaults, HUP would kill
    # every worker at once and TTIN/TTOU would stop them.
    for signum in (signal.SIGINT, signal.SIGHUP, signal.SIGTTIN, signal.SIGTTOU):
        signal.signal(signum, signal.SIG_IGN)
    if args.chdir:
        os.chdir(args.chdir)
    directory = os.getcwd()
    sys.path.insert(0, directory)
    if args.zygote:
        return _zygote_main(args, directory)

    sock = _connect(args.connect, 'worker %d' % args.worker_id)
    if sock is None:
        return 1
    _hello(sock, args.worker_id, args)
    app = _load_or_report(sock, args.app, directory)
    if app is None:
        return EXIT_BOOT_ERROR
    return _serve(sock, app, args.worker_id, args)


def _zygote_main(args, directory):
    sock = _connect(args.connect, 'zygote')
    if sock is None:
        return 1
    _hello(sock, args.worker_id, args, role='zygote')
    # No collections while the app is imported, as the gc module's documentation advises for fork
    # servers: a collection frees objects in the middle of pages the workers will share, and their
    # first allocations would fill (and copy) those pages. Workers turn the collector back on.
    gc.disable()
    app = _load_or_report(sock, args.app, directory)
    if app is None:
        return EXIT_BOOT_ERROR
    sock.sendall(encode_frame(READY, 0, 0))
    try:
        worker_id = Zygote(sock).run()
    except ProtocolError as error:
        _log('zygote: %s' % error)
        return 1
    finally:
        sock.close()
    if worker_id is None:
        return 0

    # A forked child: from here on exactly a started worker, whose import is already done.
    gc.enable()
    sock = _connect(args.connect, 'worker %d' % worker_id)
    if sock is None:
        return 1
    _hello(sock, worker_id, args)
    return _serve(sock, app, worker_id, args)


if __name__ == '__main__':
    sys.exit(main())
