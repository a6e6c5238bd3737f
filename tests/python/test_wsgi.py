"""berth_worker end to end: a fake master in this file talks to the real shim in a subprocess."""

import hashlib
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SHIM = os.path.normpath(os.path.join(HERE, '..', '..', 'src', 'Berth', 'python', 'berth_worker.py'))
FIXTURES = os.path.join(HERE, 'fixtures')

# Written out here rather than imported from the shim, so a bug in the shim's codec cannot hide
# itself by agreeing with the test.
HEADER = struct.Struct('!BBHII')
HELLO, READY, BOOT_ERROR = 0x01, 0x02, 0x03
REQUEST_HEAD, REQUEST_BODY = 0x10, 0x11
RESPONSE_HEAD, RESPONSE_BODY, RESPONSE_END = 0x20, 0x21, 0x22
PING, PONG = 0x30, 0x31
END_STREAM, ABORTED = 0x01, 0x02

TIMEOUT = 20


def read(*path):
    with open(os.path.join(*path), encoding='utf-8') as file:
        return file.read()


class Response:
    def __init__(self):
        self.status = None
        self.headers = []
        self.chunks = []
        self.end_flags = None
        self.frames = []

    @property
    def body(self):
        return b''.join(self.chunks)

    def header(self, name):
        return next((v for n, v in self.headers if n.lower() == name.lower()), None)


class FakeMaster:
    """Listens like `berth serve`, spawns the shim, and speaks the protocol from the master's side."""

    def __init__(self, test, app='wsgi_fixture:app', threads=1, chdir=FIXTURES):
        self.dir = tempfile.mkdtemp(prefix='berth-test-')
        test.addCleanup(shutil.rmtree, self.dir, True)
        self.path = os.path.join(self.dir, 'app.sock')
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        test.addCleanup(listener.close)
        listener.bind(self.path)
        listener.listen(1)
        listener.settimeout(TIMEOUT)
        self.stderr_path = os.path.join(self.dir, 'stderr.txt')
        with open(self.stderr_path, 'wb') as stderr:
            self.process = subprocess.Popen(
                [sys.executable, SHIM, '--connect', self.path, '--app', app, '--worker-id', '1',
                 '--threads', str(threads), '--chdir', chdir],
                stdout=subprocess.DEVNULL, stderr=stderr, env=dict(os.environ, PYTHONUNBUFFERED='1'))
        test.addCleanup(self._kill)
        self.conn, _ = listener.accept()
        self.conn.settimeout(TIMEOUT)
        test.addCleanup(self.conn.close)
        self.buffer = bytearray()
        self.early = {}

    def _kill(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()

    # -- frames -------------------------------------------------------------------------------

    def send(self, frame_type, flags, request_id, payload=b''):
        self.conn.sendall(HEADER.pack(frame_type, flags, 0, request_id, len(payload)) + payload)

    def _fill(self, size):
        while len(self.buffer) < size:
            data = self.conn.recv(1 << 20)
            if not data:
                raise EOFError('the worker closed the connection')
            self.buffer += data

    def read_frame(self):
        self._fill(HEADER.size)
        frame_type, flags, reserved, request_id, length = HEADER.unpack_from(self.buffer)
        assert reserved == 0, reserved
        self._fill(HEADER.size + length)
        payload = bytes(self.buffer[HEADER.size:HEADER.size + length])
        del self.buffer[:HEADER.size + length]
        return frame_type, flags, request_id, payload

    def at_eof(self):
        """True when the worker closed its side with no frame left unread."""
        if self.buffer:
            return False
        return self.conn.recv(1) == b''

    @staticmethod
    def kv(payload):
        return payload.decode('latin-1').split('\0') if payload else []

    # -- conversation ---------------------------------------------------------------------------

    def handshake(self):
        frame_type, _, request_id, payload = self.read_frame()
        assert frame_type == HELLO, (frame_type, payload)
        items = self.kv(payload)
        hello = dict(zip(items[0::2], items[1::2]))
        frame_type, _, _, payload = self.read_frame()
        assert frame_type == READY, (frame_type, payload, self.stderr())
        return hello

    def request(self, request_id, path='/', method='GET', query='', body=b'', headers=(), chunk=64 * 1024):
        items = ['REQUEST_METHOD', method, 'SCRIPT_NAME', '', 'PATH_INFO', path, 'QUERY_STRING', query,
                 'RAW_URI', path + ('?' + query if query else ''), 'SERVER_NAME', 'localhost',
                 'SERVER_PORT', '8000', 'SERVER_PROTOCOL', 'HTTP/1.1', 'REMOTE_ADDR', '127.0.0.1',
                 'REMOTE_PORT', '40000', 'CONTENT_LENGTH', str(len(body)), 'HTTP_HOST', 'localhost:8000',
                 'wsgi.url_scheme', 'http']
        if body:
            items += ['CONTENT_TYPE', 'application/octet-stream']
        for name, value in headers:
            items += [name, value]
        payload = '\0'.join(items).encode('latin-1')
        self.send(REQUEST_HEAD, 0 if body else END_STREAM, request_id, payload)
        for offset in range(0, len(body), chunk):
            last = offset + chunk >= len(body)
            self.send(REQUEST_BODY, END_STREAM if last else 0, request_id, body[offset:offset + chunk])

    def next_frame_of(self, request_id):
        queue = self.early.get(request_id)
        if queue:
            return queue.pop(0)
        while True:
            frame = self.read_frame()
            if frame[2] == request_id:
                return frame
            self.early.setdefault(frame[2], []).append(frame)

    def response(self, request_id, response=None):
        """Reads the frames of one response (others are kept for later) up to RESPONSE_END."""
        response = response or Response()
        while response.end_flags is None:
            self.read_response_frame(request_id, response)
        return response

    def read_response_frame(self, request_id, response):
        frame_type, flags, _, payload = self.next_frame_of(request_id)
        response.frames.append(frame_type)
        if frame_type == RESPONSE_HEAD:
            assert response.status is None, 'two heads'
            items = self.kv(payload)
            response.status = items[0]
            response.headers = list(zip(items[1::2], items[2::2]))
        elif frame_type == RESPONSE_BODY:
            assert response.status is not None, 'body before head'
            response.chunks.append(payload)
        elif frame_type == RESPONSE_END:
            response.end_flags = flags
        else:
            raise AssertionError('unexpected frame %#x' % frame_type)
        return frame_type

    def get(self, path, request_id=1, **kwargs):
        self.request(request_id, path, **kwargs)
        return self.response(request_id)

    def close(self):
        """Closes the connection the way the master stops a worker; returns the exit code."""
        self.conn.close()
        return self.process.wait(TIMEOUT)

    def stderr(self):
        with open(self.stderr_path, encoding='utf-8', errors='replace') as file:
            return file.read()


class WsgiTests(unittest.TestCase):
    THREADS = 1

    def master(self, app='wsgi_fixture:app', threads=None):
        master = FakeMaster(self, app, self.THREADS if threads is None else threads)
        master.hello = master.handshake()
        return master

    def temp_path(self, name):
        directory = tempfile.mkdtemp(prefix='berth-test-')
        self.addCleanup(shutil.rmtree, directory, True)
        return os.path.join(directory, name)

    def assert_clean_exit(self, master):
        self.assertEqual(master.close(), 0, master.stderr())

    def test_hello_then_ready(self):
        master = self.master()
        self.assertEqual(master.hello['pid'], str(master.process.pid))
        self.assertEqual(master.hello['worker'], '1')
        self.assertEqual(master.hello['capacity'], str(self.THREADS))
        self.assertEqual(master.hello['interface'], 'wsgi')
        self.assertEqual(master.hello['python'], '%d.%d.%d' % sys.version_info[:3])
        self.assert_clean_exit(master)

    def test_get(self):
        master = self.master()
        response = master.get('/hello')
        self.assertEqual(response.status, '200 OK')
        self.assertEqual(response.headers, [('Content-Type', 'text/plain'), ('X-Worker', 'berth')])
        self.assertEqual(response.body, b'Hello, world')
        self.assertEqual(response.end_flags, 0)
        # A list answer is one head, one joined body, one end.
        self.assertEqual(response.frames, [RESPONSE_HEAD, RESPONSE_BODY, RESPONSE_END])
        self.assert_clean_exit(master)

    def test_many_requests_on_one_connection(self):
        master = self.master()
        for request_id in range(1, 50):
            self.assertEqual(master.get('/hello', request_id).body, b'Hello, world')
        self.assert_clean_exit(master)

    def test_environ(self):
        master = self.master()
        response = master.get('/environ/caf\u00e9', query='a=1&b=2', headers=[('HTTP_X_TEST', 'yes')])
        environ = json.loads(response.body)
        self.assertEqual(environ['REQUEST_METHOD'], 'GET')
        self.assertEqual(environ['PATH_INFO'], '/environ/caf\u00e9')
        self.assertEqual(environ['path_bytes'], b'/environ/caf\xe9'.hex())
        self.assertEqual(environ['QUERY_STRING'], 'a=1&b=2')
        self.assertEqual(environ['SCRIPT_NAME'], '')
        self.assertEqual(environ['CONTENT_LENGTH'], '0')
        self.assertEqual(environ['HTTP_X_TEST'], 'yes')
        self.assertEqual(environ['wsgi.url_scheme'], 'http')
        self.assertEqual(environ['wsgi.version'], [1, 0])
        self.assertIs(environ['wsgi.multithread'], self.THREADS > 1)
        self.assertIs(environ['wsgi.multiprocess'], True)
        self.assertIs(environ['wsgi.run_once'], False)
        self.assertTrue(environ['errors_is_stderr'])
        self.assertTrue(environ['has_file_wrapper'])
        self.assert_clean_exit(master)

    def test_post_3_mib_body(self):
        master = self.master()
        body = os.urandom(3 * 1024 * 1024 + 17)
        for path in ('/sha256', '/read-all'):
            with self.subTest(path):
                result = json.loads(master.get(path, method='POST', body=body).body)
                self.assertEqual(result['sha256'], hashlib.sha256(body).hexdigest())
                self.assertEqual(result['length'], len(body))
                self.assertNotEqual(result['input'], 'BytesIO')  # spooled to a file
        self.assert_clean_exit(master)

    def test_small_body_stays_in_memory(self):
        master = self.master()
        body = b'k=v' * 1000
        result = json.loads(master.get('/sha256', method='POST', body=body, chunk=1000).body)
        self.assertEqual(result['sha256'], hashlib.sha256(body).hexdigest())
        self.assertEqual(result['input'], 'BytesIO')
        self.assert_clean_exit(master)

    def test_input_readline_readlines_and_iteration(self):
        master = self.master()
        body = b'first line\nsecond line\nthird\nfourth\nlast without newline'
        result = json.loads(master.get('/lines', method='POST', body=body, chunk=7).body)
        self.assertEqual(result, {
            'readline': 'first line\n',
            'readline_3': 'sec',
            'rest_of_line': 'ond line\n',
            'readlines_hint': ['third\n'],
            'iterated': ['fourth\n', 'last without newline'],
            'after_eof': '',
        })
        lines = json.loads(master.get('/readlines', 2, method='POST', body=body).body)
        self.assertEqual(lines, ['first line\n', 'second line\n', 'third\n', 'fourth\n', 'last without newline'])
        self.assert_clean_exit(master)

    def test_generator_chunks_stream_as_separate_frames(self):
        master = self.master()
        marker = self.temp_path('go')
        master.request(1, '/stream', query='path=' + marker)
        response = Response()
        self.assertEqual(master.read_response_frame(1, response), RESPONSE_HEAD)
        self.assertEqual(master.read_response_frame(1, response), RESPONSE_BODY)
        # The first chunk arrived while the generator is still waiting for the marker.
        self.assertEqual(response.chunks, [b'one'])
        open(marker, 'w').close()
        master.response(1, response)
        self.assertEqual(response.chunks, [b'one', b'two', b'three'])
        self.assertEqual(response.frames, [RESPONSE_HEAD] + [RESPONSE_BODY] * 3 + [RESPONSE_END])
        self.assertEqual(response.end_flags, 0)
        self.assert_clean_exit(master)

    def test_head_waits_for_first_nonempty_chunk(self):
        master = self.master()
        # The app yields b'' and then fails: the head was held, so a clean 500 is still possible.
        response = master.get('/empty-then-fail')
        self.assertEqual(response.status, '500 Internal Server Error')
        self.assertEqual(response.end_flags, 0)
        self.assertIn('failed before any body byte', master.stderr())
        self.assert_clean_exit(master)

    def test_empty_responses(self):
        master = self.master()
        response = master.get('/empty')
        self.assertEqual((response.status, response.body, response.frames),
                         ('204 No Content', b'', [RESPONSE_HEAD, RESPONSE_END]))
        response = master.get('/empty-generator', 2)
        self.assertEqual((response.status, response.body, response.frames),
                         ('200 OK', b'', [RESPONSE_HEAD, RESPONSE_END]))
        self.assert_clean_exit(master)

    def test_close_is_called_before_end(self):
        master = self.master()
        record = self.temp_path('record')
        response = master.get('/close', query='path=' + record)
        self.assertEqual(response.body, b'ab')
        with open(record) as file:  # exists already: END follows close()
            self.assertEqual(file.read(), 'closed\n')
        self.assert_clean_exit(master)

    def test_declared_length_met_ends_the_response_and_close_still_runs(self):
        master = self.master()
        record = self.temp_path('record')
        response = master.get('/sized-close', query='path=' + record)
        self.assertEqual((response.body, response.end_flags), (b'ab', 0))
        self.assertEqual(response.frames, [RESPONSE_HEAD, RESPONSE_BODY, RESPONSE_BODY, RESPONSE_END])
        master.get('/hello', 2)  # the worker serves one request at a time: close() ran before this
        with open(record) as file:
            self.assertEqual(file.read(), 'closed\n')
        self.assert_clean_exit(master)

    def test_failure_in_close_after_a_complete_response_is_logged_not_sent(self):
        master = self.master()
        record = self.temp_path('record')
        response = master.get('/sized-close-fails', query='path=' + record)
        self.assertEqual((response.status, response.body, response.end_flags), ('200 OK', b'ab', 0))
        self.assertEqual(master.get('/hello', 2).body, b'Hello, world')  # no stray frame for request 1 in between
        self.assert_clean_exit(master)
        self.assertIn('failed in close(), after its whole response was sent', master.stderr())
        self.assertIn('boom in close', master.stderr())

    def test_write_callable(self):
        master = self.master()
        response = master.get('/write')
        self.assertEqual(response.status, '200 OK')
        self.assertEqual(response.chunks, [b'hello ', b'world'])
        self.assertEqual(response.frames[0], RESPONSE_HEAD)
        response = master.get('/write-then-stream', 2)
        self.assertEqual(response.chunks, [b'a', b'b', b'c'])
        self.assert_clean_exit(master)

    def test_start_response_with_exc_info_replaces_the_head(self):
        master = self.master()
        response = master.get('/exc-info')
        self.assertEqual(response.status, '503 Service Unavailable')
        self.assertEqual(response.header('Retry-After'), '5')
        self.assertEqual(response.body, b'handled')
        self.assertEqual(response.end_flags, 0)
        self.assert_clean_exit(master)

    def test_start_response_with_exc_info_after_head_aborts(self):
        master = self.master()
        response = master.get('/exc-info-after-head')
        self.assertEqual(response.status, '200 OK')
        self.assertEqual(response.body, b'partial')
        self.assertEqual(response.end_flags, ABORTED)
        self.assertIn('too late to change the status', master.stderr())
        self.assert_clean_exit(master)

    def test_exception_before_head_is_a_500(self):
        master = self.master()
        response = master.get('/boom')
        self.assertEqual(response.status, '500 Internal Server Error')
        self.assertEqual(response.header('Content-Type'), 'text/html; charset=utf-8')
        self.assertEqual(response.header('Content-Length'), str(len(response.body)))
        self.assertIn(b'Internal Server Error', response.body)
        self.assertNotIn(b'boom before head', response.body)  # no internals to the client
        self.assertEqual(response.end_flags, 0)
        stderr = master.stderr()
        self.assertIn('GET /boom', stderr)
        self.assertIn('Traceback', stderr)
        self.assertIn('RuntimeError: boom before head', stderr)
        # The worker carries on.
        self.assertEqual(master.get('/hello', 2).status, '200 OK')
        self.assert_clean_exit(master)

    def test_app_mistakes_are_500s(self):
        master = self.master()
        for request_id, (path, message) in enumerate([
                ('/no-start-response', 'without calling start_response'),
                ('/str-body', 'PEP 3333 requires bytes'),
                ('/header-injection', 'must not contain NUL, CR or LF')], 1):
            with self.subTest(path):
                response = master.get(path, request_id)
                self.assertEqual(response.status, '500 Internal Server Error')
                self.assertIn(message, master.stderr())
        self.assert_clean_exit(master)

    def test_exception_after_head_aborts(self):
        master = self.master()
        record = self.temp_path('record')
        response = master.get('/abort', query='path=' + record)
        self.assertEqual(response.status, '200 OK')
        self.assertEqual(response.body, b'first')
        self.assertEqual(response.end_flags, ABORTED)
        with open(record) as file:
            self.assertEqual(file.read(), 'closed\n')
        self.assertIn('RuntimeError: boom after head', master.stderr())
        self.assertEqual(master.get('/hello', 2).status, '200 OK')
        self.assert_clean_exit(master)

    def test_file_wrapper(self):
        master = self.master()
        record = self.temp_path('record')
        response = master.get('/file', query='path=' + record)
        self.assertEqual(response.body, bytes(range(256)) * 1000)
        with open(record) as file:
            self.assertEqual(file.read(), 'file closed\n')
        self.assert_clean_exit(master)

    def test_large_list_response(self):
        master = self.master()
        response = master.get('/big')
        self.assertEqual(response.body, b'x' * (3 * 1024 * 1024))
        self.assert_clean_exit(master)

    def test_ping(self):
        master = self.master()
        master.send(PING, 0, 0, b'\x00\x01\x02\x03\x04\x05\x06\x07')
        self.assertEqual(master.read_frame(), (PONG, 0, 0, b'\x00\x01\x02\x03\x04\x05\x06\x07'))
        self.assert_clean_exit(master)

    def test_unknown_frames_are_ignored(self):
        master = self.master()
        master.send(0x7F, 0, 0, b'from a newer master')
        self.assertEqual(master.get('/hello').status, '200 OK')
        self.assert_clean_exit(master)

    def test_validator_finds_nothing_to_complain_about(self):
        master = self.master('wsgi_fixture:validated')
        cases = [
            ('/', 'GET', b'', b'validated'),
            ('/echo', 'POST', b'payload' * 1000, b'payload' * 1000),
            ('/lines', 'POST', b'ab\ncd\nef\ngh', b'ab\n|cd|\n|ef\n|gh'),
            ('/stream', 'GET', b'', b'ab'),
            ('/write', 'GET', b'', b'written returned'),
            ('/file', 'GET', b'', b'from a file'),
        ]
        for request_id, (path, method, body, expected) in enumerate(cases, 1):
            with self.subTest(path):
                response = master.get(path, request_id, method=method, body=body)
                self.assertEqual((response.status, response.body, response.end_flags), ('200 OK', expected, 0))
        self.assert_clean_exit(master)
        self.assertEqual(master.stderr(), '')

    def test_eof_exits_0(self):
        master = self.master()
        self.assertEqual(master.close(), 0)
        self.assertEqual(master.stderr(), '')

    def test_eof_lets_the_request_in_flight_finish(self):
        master = self.master()
        marker = self.temp_path('go')
        master.request(1, '/wait', query='path=' + marker)
        master.conn.shutdown(socket.SHUT_WR)
        open(marker, 'w').close()
        self.assertEqual(master.response(1).body, b'done')
        self.assertTrue(master.at_eof())
        self.assertEqual(master.process.wait(TIMEOUT), 0)

    def test_sigterm_finishes_in_flight_then_exits_0(self):
        master = self.master()
        marker = self.temp_path('go')
        master.request(1, '/wait', query='path=' + marker)
        master.request(2, '/hello')
        # Request 1 cannot finish before the marker exists, so the signal lands while it runs.
        master.process.send_signal(signal.SIGTERM)
        open(marker, 'w').close()
        # Both were sent before the signal: both are answered.
        self.assertEqual(master.response(1).body, b'done')
        self.assertEqual(master.response(2).body, b'Hello, world')
        self.assertTrue(master.at_eof())
        self.assertEqual(master.process.wait(TIMEOUT), 0, master.stderr())
        self.assertEqual(master.stderr(), '')

    def test_group_signals_are_left_to_the_master(self):
        # Ctrl-C, a closed terminal and job control reach the whole process group; the worker must
        # survive them all and keep serving (the master decides what they mean).
        master = self.master()
        for signum in (signal.SIGINT, signal.SIGHUP, signal.SIGTTIN, signal.SIGTTOU):
            master.process.send_signal(signum)
        master.send(PING, 0, 0, b'alive')
        self.assertEqual(master.read_frame(), (PONG, 0, 0, b'alive'))
        self.assertEqual(master.get('/hello').status, '200 OK')
        self.assert_clean_exit(master)

    def test_factory_call(self):
        master = self.master('wsgi_fixture:create_app()')
        self.assertEqual(master.get('/hello').status, '200 OK')
        self.assert_clean_exit(master)


class ThreadedWsgiTests(WsgiTests):
    """Everything again through the thread pool."""
    THREADS = 4

    def test_concurrent_requests_run_at_once(self):
        master = self.master()
        # Each request waits on a 4-party barrier: none can finish unless all 4 run at the same time.
        for request_id in range(1, 5):
            master.request(request_id, '/barrier')
        responses = [master.response(request_id) for request_id in range(1, 5)]
        self.assertEqual([r.status for r in responses], ['200 OK'] * 4, master.stderr())
        self.assertEqual(sorted(r.body.split()[1] for r in responses), [b'0', b'1', b'2', b'3'])
        self.assertEqual(len({r.body.split()[0] for r in responses}), 4)  # four threads
        self.assert_clean_exit(master)

    def test_interleaved_bodies(self):
        master = self.master()
        first, second = os.urandom(300_000), os.urandom(200_000)
        master.request(1, '/sha256', method='POST', body=first[:1])  # warm-up on id 1
        master.response(1)
        # Two uploads whose body frames alternate on the wire.
        for request_id, body in ((2, first), (3, second)):
            items = ['REQUEST_METHOD', 'POST', 'PATH_INFO', '/sha256', 'QUERY_STRING', '', 'SERVER_NAME', 'x',
                     'SERVER_PORT', '80', 'CONTENT_LENGTH', str(len(body)), 'wsgi.url_scheme', 'http']
            master.send(REQUEST_HEAD, 0, request_id, '\0'.join(items).encode())
        chunks = {2: [first[i:i + 65536] for i in range(0, len(first), 65536)],
                  3: [second[i:i + 65536] for i in range(0, len(second), 65536)]}
        while chunks[2] or chunks[3]:
            for request_id in (2, 3):
                if chunks[request_id]:
                    chunk = chunks[request_id].pop(0)
                    master.send(REQUEST_BODY, 0 if chunks[request_id] else END_STREAM, request_id, chunk)
        self.assertEqual(json.loads(master.response(3).body)['sha256'], hashlib.sha256(second).hexdigest())
        self.assertEqual(json.loads(master.response(2).body)['sha256'], hashlib.sha256(first).hexdigest())
        self.assert_clean_exit(master)


class BootErrorTests(unittest.TestCase):

    def boot(self, app, files=None):
        """Starts the shim on app in a project directory holding files; returns (text, exit code, master)."""
        project = tempfile.mkdtemp(prefix='berth-project-')
        self.addCleanup(shutil.rmtree, project, True)
        for name, source in (files or {}).items():
            with open(os.path.join(project, name), 'w') as file:
                file.write(source)
        master = FakeMaster(self, app, chdir=project)
        frame_type, _, _, payload = master.read_frame()
        self.assertEqual(frame_type, HELLO)
        frame_type, _, request_id, payload = master.read_frame()
        self.assertEqual((frame_type, request_id), (BOOT_ERROR, 0), payload)
        self.assertTrue(master.at_eof())
        code = master.process.wait(TIMEOUT)
        text = payload.decode('utf-8')
        # The same text is in the log.
        self.assertIn(text.strip().splitlines()[-1], master.stderr())
        return text, code, project

    def last_line(self, text):
        return text.rstrip('\n').splitlines()[-1]

    def test_missing_module(self):
        text, code, project = self.boot('mymod:app')
        self.assertEqual(code, 3)
        # No frame of the user's code ran, so the traceback is the exception alone.
        self.assertEqual(text.splitlines()[0], "ModuleNotFoundError: No module named 'mymod'")
        self.assertEqual(self.last_line(text),
                         "berth: could not import 'mymod' from %s: No module named 'mymod'. Check the module "
                         "name in `module:` and that --chdir/--python point at your project and its "
                         "virtualenv." % project)

    def test_missing_dependency(self):
        text, code, _ = self.boot('app:app', {'app.py': 'import no_such_dependency_xyz\n'})
        self.assertEqual(code, 3)
        self.assertIn("importing 'app' failed: No module named 'no_such_dependency_xyz'. Install it",
                      self.last_line(text))

    def test_exception_at_import(self):
        text, code, project = self.boot('app:app', {'app.py': 'raise RuntimeError("DATABASE_URL is not set")\n'})
        self.assertEqual(code, 3)
        # The traceback starts in the app, not in the shim.
        self.assertEqual(text.splitlines()[:2], [
            'Traceback (most recent call last):',
            '  File "%s", line 1, in <module>' % os.path.join(project, 'app.py')])
        self.assertIn('RuntimeError: DATABASE_URL is not set', text)
        self.assertIn("importing 'app' raised RuntimeError: DATABASE_URL is not set", self.last_line(text))

    def test_syntax_error(self):
        text, code, project = self.boot('app:app', {'app.py': 'def app(:\n'})
        self.assertEqual(code, 3)
        self.assertIn('SyntaxError', text)
        self.assertIn(os.path.join(project, 'app.py') + ':1: syntax error', self.last_line(text))

    def test_missing_attribute(self):
        text, code, _ = self.boot('app:ap', {'app.py': 'def app(environ, start_response):\n    pass\n'})
        self.assertEqual(code, 3)
        line = self.last_line(text)
        self.assertIn("has no attribute 'ap'", line)
        self.assertIn('it defines app', line)

    def test_not_callable(self):
        text, code, _ = self.boot('wsgi_fixture:not_callable', {'wsgi_fixture.py': read(FIXTURES, 'wsgi_fixture.py')})
        self.assertEqual(code, 3)
        self.assertIn('wsgi_fixture:not_callable is an object of type int, not a WSGI callable', self.last_line(text))

    def test_sys_exit_at_import(self):
        text, code, _ = self.boot('app:app', {'app.py': 'import sys\nsys.exit("missing SECRET_KEY")\n'})
        self.assertEqual(code, 3)
        self.assertIn("called sys.exit('missing SECRET_KEY')", self.last_line(text))


class FrameworkTests(unittest.TestCase):
    """Real frameworks, when this interpreter has them (Debian's python3-flask, python3-django)."""

    def master(self, app):
        master = FakeMaster(self, app)
        master.handshake()
        return master

    def test_flask(self):
        try:
            import flask  # noqa: F401
        except ImportError:
            self.skipTest('flask is not installed for %s' % sys.executable)
        master = self.master('flask_fixture:app')
        self.assertEqual(master.get('/hello/caf\u00e9'.encode('utf-8').decode('latin-1')).body,
                         'hello caf\u00e9'.encode('utf-8'))
        response = master.get('/form', 2, method='POST', body=b'name=berth&n=3',
                              headers=[('CONTENT_TYPE', 'application/x-www-form-urlencoded')])
        self.assertEqual(json.loads(response.body), {'name': 'berth', 'n': '3'})
        response = master.get('/file', 3)
        self.assertEqual(response.body, read(FIXTURES, 'flask_fixture.py').encode())
        self.assertEqual(master.get('/missing', 4).status, '404 NOT FOUND')
        self.assertEqual(master.get('/error', 5).status, '500 INTERNAL SERVER ERROR')
        self.assertEqual(master.close(), 0)

    def test_django(self):
        try:
            import django  # noqa: F401
        except ImportError:
            self.skipTest('django is not installed for %s' % sys.executable)
        master = self.master('django_fixture:application')
        response = master.get('/hello/')
        self.assertEqual((response.status, response.body), ('200 OK', b'hello from django'))
        response = master.get('/echo/', 2, method='POST', body=b'x' * 2_000_000)
        self.assertEqual(response.body, str(2_000_000).encode())
        self.assertEqual(master.close(), 0)


if __name__ == '__main__':
    unittest.main()
