"""berth_worker's ASGI side end to end: the fake master of test_wsgi talks to the real shim."""

import json
import os
import shutil
import tempfile
import unittest
from unittest import mock

from test_wsgi import (ABORTED, BOOT_ERROR, END_STREAM, HELLO, PING, PONG, READY, REQUEST_HEAD,
                       RESPONSE_BODY, RESPONSE_END, RESPONSE_HEAD, TIMEOUT, FakeMaster)

CANCEL = 0x12


class AsgiTests(unittest.TestCase):

    def master(self, app='asgi_fixture:app', **environ):
        with mock.patch.dict(os.environ, environ):
            master = FakeMaster(self, app)
        frame_type, _, _, payload = master.read_frame()
        self.assertEqual(frame_type, HELLO)
        master.hello = self.kv(master, payload)
        frame_type, _, _, payload = master.read_frame()
        self.assertEqual(frame_type, READY, payload)
        master.ready = self.kv(master, payload)
        return master

    @staticmethod
    def kv(master, payload):
        items = master.kv(payload)
        return dict(zip(items[0::2], items[1::2]))

    def temp_path(self, name):
        directory = tempfile.mkdtemp(prefix='berth-test-')
        self.addCleanup(shutil.rmtree, directory, True)
        return os.path.join(directory, name)

    def test_auto_detects_asgi_and_ready_reports_the_capacity(self):
        master = self.master()
        self.assertEqual(master.ready, {'interface': 'asgi', 'capacity': '100'})
        response = master.get('/')
        self.assertEqual((response.status, response.body), ('200 OK', b'hello asgi'))
        self.assertEqual(response.frames, [RESPONSE_HEAD, RESPONSE_BODY, RESPONSE_END])

    def test_a_wsgi_callable_next_to_it_stays_wsgi(self):
        with mock.patch.dict(os.environ, {}):
            master = FakeMaster(self, 'asgi_fixture:wsgi_looking')
        master.handshake()
        self.assertEqual(master.get('/').body, b'wsgi')

    def test_body_arrives_as_http_request_events_with_more_body(self):
        master = self.master()
        master.request(1, '/echo', method='POST', query='a=1', body=b'x' * 200000)
        seen = json.loads(master.response(1).body)
        self.assertEqual(seen['length'], 200000)
        self.assertEqual(seen['more'], [True, True, True, False])
        self.assertEqual(seen['query'], 'a=1')
        self.assertIn(['content-type', 'application/octet-stream'], seen['headers'])
        self.assertIn(['host', 'localhost:8000'], seen['headers'])
        self.assertEqual(seen['client'], ['127.0.0.1', 40000])
        self.assertEqual(seen['http_version'], '1.1')

    def test_lifespan_state_reaches_requests_and_shutdown_runs_at_close(self):
        marker = self.temp_path('shutdown')
        master = self.master(FIXTURE_SHUTDOWN_FILE=marker)
        master.request(1, '/echo', method='POST', body=b'x')
        self.assertEqual(json.loads(master.response(1).body)['state'], 'hello from lifespan')
        self.assertEqual(master.close(), 0)
        with open(marker) as file:
            self.assertEqual(file.read(), 'shutdown')

    def test_failing_lifespan_startup_is_a_boot_error(self):
        with mock.patch.dict(os.environ, {'FIXTURE_FAIL_STARTUP': '1'}):
            master = FakeMaster(self, 'asgi_fixture:app')
        self.assertEqual(master.read_frame()[0], HELLO)
        frame_type, _, _, payload = master.read_frame()
        self.assertEqual(frame_type, BOOT_ERROR)
        self.assertIn('database is down', payload.decode())
        self.assertIn("lifespan startup failed", payload.decode())
        self.assertEqual(master.process.wait(TIMEOUT), 3)

    def test_many_requests_are_in_flight_at_once(self):
        master = self.master()
        for request_id in range(1, 51):
            master.request(request_id, '/gather', query='50')
        for request_id in range(1, 51):
            self.assertEqual(master.response(request_id).body, b'50')

    def test_ping_is_answered_while_a_request_is_in_flight_and_the_request_is_undisturbed(self):
        # The supervisor's heartbeat pings an ASGI worker busy or not: the loop answers between awaits.
        master = self.master()
        master.request(1, '/gather', query='2')
        master.send(PING, 0, 0, b'beat')
        self.assertEqual(master.read_frame(), (PONG, 0, 0, b'beat'))
        master.request(2, '/gather', query='2')
        self.assertEqual(master.response(1).body, b'2')
        self.assertEqual(master.response(2).body, b'2')

    def test_streamed_body_leaves_as_separate_frames(self):
        response = self.master().get('/stream')
        self.assertEqual(response.frames, [RESPONSE_HEAD] + [RESPONSE_BODY] * 3 + [RESPONSE_END])
        self.assertEqual(response.body, b'chunk 0\nchunk 1\nchunk 2\n')

    def test_cancel_delivers_http_disconnect_and_ends_the_request(self):
        marker = self.temp_path('disconnect')
        master = self.master(FIXTURE_DISCONNECT_FILE=marker)
        master.request(1, '/wait-disconnect')
        master.send(CANCEL, 0, 1)
        response = master.response(1)
        self.assertEqual(response.end_flags, ABORTED)
        self.assertEqual(response.frames, [RESPONSE_END])
        self.assertEqual(master.get('/', 2).body, b'hello asgi')
        with open(marker) as file:
            self.assertEqual(file.read(), 'http.disconnect')

    def test_cancel_cancels_a_task_that_ignores_the_disconnect(self):
        master = self.master()
        master.request(1, '/sleep')
        master.send(CANCEL, 0, 1)
        self.assertEqual(master.response(1).end_flags, ABORTED)

    def test_app_errors_become_500_or_an_aborted_end(self):
        master = self.master()
        response = master.get('/fail', 1)
        self.assertTrue(response.status.startswith('500'))
        self.assertEqual(response.end_flags, 0)
        late = master.get('/fail-late', 2)
        self.assertEqual((late.status, late.body, late.end_flags), ('200 OK', b'partial', ABORTED))
        self.assertIn('RuntimeError: late boom', master.stderr())



if __name__ == '__main__':
    unittest.main()


WEBSOCKET, TEXT = 0x04, 0x08
WEBSOCKET_ACCEPT, WEBSOCKET_MESSAGE, WEBSOCKET_CLOSE = 0x23, 0x24, 0x25


class WebSocketTests(unittest.TestCase):

    master = AsgiTests.master
    kv = staticmethod(AsgiTests.kv)

    def test_accept_echo_and_close(self):
        master = self.master('asgi_fixture:websocket_app')
        items = ['REQUEST_METHOD', 'GET', 'PATH_INFO', '/ws', 'HTTP_SEC_WEBSOCKET_PROTOCOL', 'chat, echo',
                 'wsgi.url_scheme', 'http']
        master.send(REQUEST_HEAD, END_STREAM | WEBSOCKET, 1, '\0'.join(items).encode('latin-1'))
        frame_type, _, _, payload = master.next_frame_of(1)
        self.assertEqual((frame_type, master.kv(payload)), (WEBSOCKET_ACCEPT, ['chat']))
        master.send(WEBSOCKET_MESSAGE, TEXT, 1, 'héllo'.encode('utf-8'))
        self.assertEqual(master.next_frame_of(1), (WEBSOCKET_MESSAGE, TEXT, 1, 'héllo'.encode('utf-8')))
        big = os.urandom(1024 * 1024)
        master.send(WEBSOCKET_MESSAGE, 0, 1, big)
        self.assertEqual(master.next_frame_of(1), (WEBSOCKET_MESSAGE, 0, 1, big))
        master.send(WEBSOCKET_MESSAGE, TEXT, 1, b'close')
        self.assertEqual(master.next_frame_of(1), (WEBSOCKET_CLOSE, 0, 1, b'\x0f\xa0bye'))
        self.assertEqual(master.next_frame_of(1), (RESPONSE_END, 0, 1, b''))

    def test_the_client_closing_reaches_the_app_as_websocket_disconnect(self):
        master = self.master('asgi_fixture:websocket_app')
        master.send(REQUEST_HEAD, END_STREAM | WEBSOCKET, 1, b'PATH_INFO\0/ws')
        self.assertEqual(master.next_frame_of(1)[0], WEBSOCKET_ACCEPT)
        master.send(WEBSOCKET_CLOSE, 0, 1, b'\x03\xe8')
        self.assertEqual(master.next_frame_of(1), (RESPONSE_END, 0, 1, b''))

    def test_close_before_accept_denies(self):
        master = self.master('asgi_fixture:websocket_app')
        master.send(REQUEST_HEAD, END_STREAM | WEBSOCKET, 1, b'PATH_INFO\0/deny')
        self.assertEqual(master.next_frame_of(1)[0], WEBSOCKET_CLOSE)
        self.assertEqual(master.next_frame_of(1)[0], RESPONSE_END)
