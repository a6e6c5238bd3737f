"""berth_worker --zygote end to end: a fake master here, the real shim forking real workers."""

import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SHIM = os.path.normpath(os.path.join(HERE, '..', '..', 'src', 'Berth', 'python', 'berth_worker.py'))

# Written out here rather than imported from the shim, as in test_wsgi.
HEADER = struct.Struct('!BBHII')
HELLO, READY, BOOT_ERROR = 0x01, 0x02, 0x03
REQUEST_HEAD, RESPONSE_HEAD, RESPONSE_BODY, RESPONSE_END = 0x10, 0x20, 0x21, 0x22
PING, PONG = 0x30, 0x31
SPAWN, CHILD_EXITED = 0x40, 0x41
END_STREAM = 0x01

TIMEOUT = 20

APP = '''
import gc, os, signal, sys, time

IMPORTED_BY = os.getpid()


def app(environ, start_response):
    path = environ['PATH_INFO']
    query = environ.get('QUERY_STRING', '')
    if path == '/pid':
        body = '%d %d %d' % (os.getpid(), os.getppid(), IMPORTED_BY)
    elif path == '/gc':
        body = '%s %d' % (gc.isenabled(), gc.get_freeze_count())
    elif path == '/print':
        print('printed by', os.getpid())
        sys.stderr.write('no newline at the end')
        sys.stderr.flush()
        body = 'printed'
    elif path == '/exit':
        os._exit(int(query))
    elif path == '/signal':
        os.kill(os.getpid(), int(query))
        time.sleep(5)
        body = 'not killed'
    elif path == '/slow':
        seconds, _, marker = query.partition(',')
        if marker:
            open(marker, 'w').close()  # tells the test the view is running
        time.sleep(float(seconds))
        body = 'slept'
    else:
        body = 'hello'
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [body.encode()]
'''


def kv(payload):
    items = payload.decode('latin-1').split('\0') if payload else []
    return dict(zip(items[0::2], items[1::2]))


class Peer:
    """The master's end of one connection: a zygote's or a forked worker's."""

    def __init__(self, conn):
        self.conn = conn
        self.conn.settimeout(TIMEOUT)
        self.buffer = bytearray()

    def send(self, frame_type, flags, request_id, payload=b''):
        self.conn.sendall(HEADER.pack(frame_type, flags, 0, request_id, len(payload)) + payload)

    def read_frame(self):
        while True:
            if len(self.buffer) >= HEADER.size:
                frame_type, flags, _, request_id, length = HEADER.unpack_from(self.buffer)
                if len(self.buffer) >= HEADER.size + length:
                    payload = bytes(self.buffer[HEADER.size:HEADER.size + length])
                    del self.buffer[:HEADER.size + length]
                    return frame_type, flags, request_id, payload
            data = self.conn.recv(65536)
            if not data:
                raise EOFError('the peer closed the connection')
            self.buffer += data

    def handshake(self):
        frame_type, _, _, payload = self.read_frame()
        assert frame_type == HELLO, (frame_type, payload)
        hello = kv(payload)
        frame_type, _, _, payload = self.read_frame()
        assert frame_type == READY, (frame_type, payload)
        return hello

    def get(self, path, query='', request_id=1):
        items = ['REQUEST_METHOD', 'GET', 'SCRIPT_NAME', '', 'PATH_INFO', path, 'QUERY_STRING', query,
                 'SERVER_NAME', 'localhost', 'SERVER_PORT', '8000', 'SERVER_PROTOCOL', 'HTTP/1.1',
                 'CONTENT_LENGTH', '0']
        self.send(REQUEST_HEAD, END_STREAM, request_id, '\0'.join(items).encode('latin-1'))
        body = b''
        while True:
            frame_type, _, _, payload = self.read_frame()
            if frame_type == RESPONSE_BODY:
                body += payload
            elif frame_type == RESPONSE_END:
                return body.decode()

    def at_eof(self):
        return not self.buffer and self.conn.recv(1) == b''


class FakeMaster:
    """Listens like `berth serve` and starts the shim as a zygote on a small app."""

    def __init__(self, test, source=APP, threads=1):
        self.test = test
        self.dir = tempfile.mkdtemp(prefix='berth-zygote-')
        test.addCleanup(shutil.rmtree, self.dir, True)
        with open(os.path.join(self.dir, 'zapp.py'), 'w') as file:
            file.write(source)
        path = os.path.join(self.dir, 'app.sock')
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        test.addCleanup(self.listener.close)
        self.listener.bind(path)
        self.listener.listen(8)
        self.listener.settimeout(TIMEOUT)
        self.stdout_path = os.path.join(self.dir, 'stdout.txt')
        self.stderr_path = os.path.join(self.dir, 'stderr.txt')
        with open(self.stdout_path, 'wb') as stdout, open(self.stderr_path, 'wb') as stderr:
            self.process = subprocess.Popen(
                [sys.executable, SHIM, '--zygote', '--connect', path, '--app', 'zapp:app',
                 '--worker-id', '1', '--threads', str(threads), '--chdir', self.dir],
                stdout=stdout, stderr=stderr, env=dict(os.environ, PYTHONUNBUFFERED='1'))
        test.addCleanup(self._kill)
        self.zygote = self.accept()
        self.pids = []

    def accept(self):
        conn, _ = self.listener.accept()
        self.test.addCleanup(conn.close)
        return Peer(conn)

    def spawn(self, worker_id):
        """SPAWN, then the forked worker's connection, handshaken; returns (peer, hello)."""
        self.zygote.send(SPAWN, 0, 0, ('worker\0%d' % worker_id).encode('latin-1'))
        worker = self.accept()
        hello = worker.handshake()
        self.pids.append(int(hello['pid']))
        return worker, hello

    def child_exited(self):
        frame_type, _, _, payload = self.zygote.read_frame()
        assert frame_type == CHILD_EXITED, (frame_type, payload)
        return kv(payload)

    def output(self):
        with open(self.stdout_path, 'rb') as stdout, open(self.stderr_path, 'rb') as stderr:
            return stdout.read() + stderr.read()

    def _kill(self):
        for pid in self.pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


class ZygoteTests(unittest.TestCase):

    def setUp(self):
        self.master = FakeMaster(self)
        self.hello = self.master.zygote.handshake()

    def test_hello_names_the_zygote_role_and_its_pid(self):
        self.assertEqual(self.hello['role'], 'zygote')
        self.assertEqual(int(self.hello['pid']), self.master.process.pid)

    def test_a_spawned_worker_is_a_child_of_the_zygote_that_did_not_import_again(self):
        worker, hello = self.master.spawn(7)
        self.assertEqual(hello['worker'], '7')
        self.assertNotIn('role', hello)
        pid, parent, imported_by = map(int, worker.get('/pid').split())
        self.assertEqual(pid, int(hello['pid']))
        self.assertEqual(parent, self.master.process.pid)
        self.assertEqual(imported_by, self.master.process.pid)

    def test_workers_serve_on_their_own_connections(self):
        first, a = self.master.spawn(2)
        second, b = self.master.spawn(3)
        self.assertNotEqual(a['pid'], b['pid'])
        self.assertEqual(first.get('/pid').split()[0], a['pid'])
        self.assertEqual(second.get('/pid').split()[0], b['pid'])
        self.assertEqual(first.get('/hello', request_id=2), 'hello')

    def test_the_zygote_answers_ping(self):
        self.master.zygote.send(PING, 0, 9, b'abc')
        self.assertEqual(self.master.zygote.read_frame(), (PONG, 0, 9, b'abc'))

    def test_the_collector_runs_in_a_worker_but_leaves_the_imported_objects_alone(self):
        worker, _ = self.master.spawn(4)
        enabled, frozen = worker.get('/gc').split()
        self.assertEqual(enabled, 'True')
        self.assertGreater(int(frozen), 1000)

    def test_an_exit_is_reported_with_pid_worker_and_exit_code(self):
        worker, hello = self.master.spawn(5)
        worker.send(REQUEST_HEAD, END_STREAM, 1, b'PATH_INFO\0/exit\0QUERY_STRING\0' + b'4')
        self.assertEqual(self.master.child_exited(), {'pid': hello['pid'], 'worker': '5', 'status': '4'})

    def test_a_signal_is_reported_as_128_plus_its_number(self):
        worker, hello = self.master.spawn(6)
        os.kill(int(hello['pid']), signal.SIGKILL)
        self.assertEqual(self.master.child_exited(), {'pid': hello['pid'], 'worker': '6', 'status': '137'})

    def test_a_worker_ends_on_eof_like_a_started_one(self):
        worker, hello = self.master.spawn(8)
        worker.conn.shutdown(socket.SHUT_WR)
        self.assertTrue(worker.at_eof())
        self.assertEqual(self.master.child_exited()['status'], '0')

    def test_sigterm_lets_a_worker_finish_its_request_then_exit_0(self):
        worker, hello = self.master.spawn(9)
        marker = os.path.join(tempfile.mkdtemp(prefix='berth-zygote-'), 'slow-started')
        self.addCleanup(shutil.rmtree, os.path.dirname(marker), True)
        worker.send(REQUEST_HEAD, END_STREAM, 1, b'PATH_INFO\0/slow\0QUERY_STRING\0' + b'0.5,' + marker.encode())
        # SIGTERM only once the view runs: a fixed sleep loses the race on a loaded machine.
        deadline = time.monotonic() + TIMEOUT
        while not os.path.exists(marker):
            self.assertLess(time.monotonic(), deadline, 'the /slow view never started')
            time.sleep(0.01)
        os.kill(int(hello['pid']), signal.SIGTERM)
        frame_type, _, _, payload = worker.read_frame()
        self.assertEqual(frame_type, RESPONSE_HEAD)
        self.assertEqual(self.master.child_exited()['status'], '0')
        self.assertIsNone(self.master.process.poll())  # the zygote's own SIGTERM handler was not inherited

    def test_worker_output_is_relayed_line_by_line_with_the_worker_id(self):
        worker, hello = self.master.spawn(11)
        worker.get('/print')
        worker.conn.shutdown(socket.SHUT_WR)
        self.master.child_exited()  # the zygote relays a child's last output before reporting it
        output = self.master.output()
        self.assertIn(b'\x1e11\x1fprinted by ' + hello['pid'].encode() + b'\n', output)
        self.assertIn(b'\x1e11\x1fno newline at the end\n', output)

    def test_the_zygote_stays_until_its_last_worker_is_gone(self):
        worker, hello = self.master.spawn(12)
        self.master.zygote.conn.shutdown(socket.SHUT_WR)
        time.sleep(0.3)
        self.assertIsNone(self.master.process.poll())
        self.assertEqual(worker.get('/hello'), 'hello')
        worker.conn.shutdown(socket.SHUT_WR)
        self.assertEqual(self.master.child_exited()['worker'], '12')
        self.assertEqual(self.master.process.wait(TIMEOUT), 0)
        self.assertTrue(self.master.zygote.at_eof())

    def test_the_zygote_exits_0_when_the_master_closes_it_with_no_workers(self):
        self.master.zygote.conn.shutdown(socket.SHUT_WR)
        self.assertEqual(self.master.process.wait(TIMEOUT), 0)


class ZygoteBootErrorTests(unittest.TestCase):

    def test_an_import_error_is_a_boot_error_and_exit_3(self):
        master = FakeMaster(self, 'import no_such_module_for_the_zygote\n')
        frame_type, _, _, payload = master.zygote.read_frame()
        self.assertEqual((frame_type, kv(payload)['role']), (HELLO, 'zygote'))
        frame_type, _, _, payload = master.zygote.read_frame()
        self.assertEqual(frame_type, BOOT_ERROR)
        self.assertIn('Traceback', payload.decode())
        self.assertIn("No module named 'no_such_module_for_the_zygote'", payload.decode())
        self.assertTrue(master.zygote.at_eof())
        self.assertEqual(master.process.wait(TIMEOUT), 3)


if __name__ == '__main__':
    unittest.main()
