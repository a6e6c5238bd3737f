"""The shim's frame codec against tests/protocol-vectors.json (the C# codec reads the same file)."""

import json
import os
import random
import struct
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'src', 'Berth', 'python'))

import berth_worker as bw  # noqa: E402

with open(os.path.join(HERE, '..', 'protocol-vectors.json'), encoding='utf-8') as _file:
    VECTORS = json.load(_file)


class ChunkedSource:
    """A socket stand-in whose recv_into hands out the stream in the given pieces."""

    def __init__(self, pieces):
        self.pieces = [bytes(p) for p in pieces if p]
        self.index = 0
        self.offset = 0

    def recv_into(self, buffer):
        if self.index == len(self.pieces):
            return 0
        piece = self.pieces[self.index]
        n = min(len(buffer), len(piece) - self.offset)
        buffer[:n] = piece[self.offset:self.offset + n]
        self.offset += n
        if self.offset == len(piece):
            self.index += 1
            self.offset = 0
        return n


def read_all(pieces, buffer_size=bw.READ_BUFFER_SIZE):
    reader = bw.FrameReader(ChunkedSource(pieces), buffer_size)
    frames = []
    while True:
        frame = reader.read()
        if frame is None:
            return frames
        frame_type, flags, request_id, payload = frame
        # The payload is only valid until the next read.
        frames.append((frame_type, flags, request_id, bytes(payload)))


class VectorTests(unittest.TestCase):

    def test_the_vectors_cover_every_frame_type(self):
        types = {v['type'] for v in VECTORS}
        self.assertEqual(types, {bw.HELLO, bw.READY, bw.BOOT_ERROR, bw.REQUEST_HEAD, bw.REQUEST_BODY,
                                 bw.RESPONSE_HEAD, bw.RESPONSE_BODY, bw.RESPONSE_END, bw.PING, bw.PONG,
                                 bw.CANCEL, bw.WEBSOCKET_ACCEPT, bw.WEBSOCKET_MESSAGE, bw.WEBSOCKET_CLOSE,
                                 bw.SPAWN, bw.CHILD_EXITED})
        self.assertIn(0xFFFFFFFE, {v['request_id'] for v in VECTORS})
        self.assertIn([], [v['kv'] for v in VECTORS])
        self.assertIn(bw.ABORTED, {v['flags'] for v in VECTORS if v['type'] == bw.RESPONSE_END})

    def test_encode_matches_every_vector(self):
        for v in VECTORS:
            with self.subTest(v['name']):
                payload = bytes.fromhex(v['payload_hex'])
                frame = bw.encode_frame(v['type'], v['flags'], v['request_id'], payload)
                self.assertEqual(frame.hex(), v['hex'])
                if v['kv'] is not None:
                    self.assertEqual(bw.encode_kv(v['kv']).hex(), v['payload_hex'])

    def test_decode_matches_every_vector(self):
        for v in VECTORS:
            with self.subTest(v['name']):
                frame = bytes.fromhex(v['hex'])
                frame_type, flags, request_id, length = bw.decode_header(frame)
                self.assertEqual((frame_type, flags, request_id), (v['type'], v['flags'], v['request_id']))
                self.assertEqual(length, len(frame) - bw.HEADER_SIZE)
                payload = frame[bw.HEADER_SIZE:bw.HEADER_SIZE + length]
                self.assertEqual(payload.hex(), v['payload_hex'])
                if v['kv'] is not None:
                    self.assertEqual(bw.decode_kv(payload), v['kv'])
                    self.assertEqual(bw.decode_kv(memoryview(payload)), v['kv'])

    def test_latin1_path_is_one_byte_per_char(self):
        v = next(v for v in VECTORS if v['type'] == bw.REQUEST_HEAD and v['kv'])
        environ = dict(zip(v['kv'][0::2], v['kv'][1::2]))
        self.assertEqual(environ['PATH_INFO'], '/caf\u00e9/menu')
        self.assertIn('2f636166e92f', v['payload_hex'])  # "/caf" 0xE9 "/"
        self.assertEqual(environ['QUERY_STRING'], '')

    def test_boot_error_is_utf8_text(self):
        v = next(v for v in VECTORS if v['type'] == bw.BOOT_ERROR)
        text = bytes.fromhex(v['payload_hex']).decode('utf-8')
        self.assertIn('Traceback', text)
        self.assertIn('caf\u00e9', text)

    def test_reserved_bytes_are_ignored_when_read(self):
        frame = bytearray(bytes.fromhex(VECTORS[0]['hex']))
        frame[2:4] = b'\xab\xcd'
        self.assertEqual(bw.decode_header(frame)[:3], (VECTORS[0]['type'], 0, 0))
        self.assertEqual(read_all([frame])[0][3].hex(), VECTORS[0]['payload_hex'])

    def test_empty_kv_list_is_an_empty_payload(self):
        self.assertEqual(bw.encode_kv([]), b'')
        self.assertEqual(bw.decode_kv(b''), [])

    def test_headers_are_big_endian(self):
        frame = bw.encode_frame(bw.RESPONSE_END, bw.ABORTED, 0x01020304)
        self.assertEqual(frame, bytes([0x22, 0x02, 0, 0, 1, 2, 3, 4, 0, 0, 0, 0]))

    def test_oversized_payload_is_refused(self):
        with self.assertRaises(ValueError):
            bw.encode_frame(bw.RESPONSE_BODY, 0, 1, bytes(bw.MAX_PAYLOAD + 1))

    def test_large_body_is_split_into_frames(self):
        data = bytes(range(256)) * ((bw.MAX_PAYLOAD * 2 + 1000) // 256)
        frames = read_all([bw.encode_body(5, data)])
        self.assertEqual([len(f[3]) for f in frames], [bw.MAX_PAYLOAD, bw.MAX_PAYLOAD, len(data) - 2 * bw.MAX_PAYLOAD])
        self.assertEqual(b''.join(f[3] for f in frames), data)
        self.assertTrue(all(f[:3] == (bw.RESPONSE_BODY, 0, 5) for f in frames))


class SplitReadTests(unittest.TestCase):
    """The reader must give the same frames however the stream is cut into recv()s."""

    @classmethod
    def setUpClass(cls):
        cls.expected = [(v['type'], v['flags'], v['request_id'], bytes.fromhex(v['payload_hex'])) for v in VECTORS]
        # One frame larger than the small read buffers below, to cover the large-payload path.
        big = bytes(range(256)) * 40
        cls.expected.append((bw.REQUEST_BODY, bw.END_STREAM, 12, big))
        cls.expected.append((bw.RESPONSE_END, 0, 12, b''))
        cls.stream = b''.join(bw.encode_frame(*f) for f in cls.expected)

    def check(self, pieces):
        self.assertEqual(b''.join(pieces), self.stream)
        for size in (bw.READ_BUFFER_SIZE, 4096, 64, bw.HEADER_SIZE):
            with self.subTest(buffer_size=size):
                self.assertEqual(read_all(pieces, size), self.expected)

    def test_whole(self):
        self.check([self.stream])

    def test_byte_by_byte(self):
        self.check([self.stream[i:i + 1] for i in range(len(self.stream))])

    def test_every_two_way_split(self):
        for cut in range(len(self.stream) + 1):
            pieces = [self.stream[:cut], self.stream[cut:]]
            self.assertEqual(read_all(pieces, 64), self.expected, 'cut at %d' % cut)

    def test_random_chunks(self):
        for seed in range(50):
            rng = random.Random(seed)
            pieces = []
            offset = 0
            while offset < len(self.stream):
                size = rng.randint(1, 300)
                pieces.append(self.stream[offset:offset + size])
                offset += size
            with self.subTest(seed=seed):
                self.check(pieces)

    def test_eof_between_frames_is_the_end(self):
        self.assertEqual(read_all([]), [])

    def test_eof_inside_a_frame_is_an_error(self):
        for cut in (1, bw.HEADER_SIZE - 1, bw.HEADER_SIZE, len(self.stream) - 1):
            for size in (bw.READ_BUFFER_SIZE, 64):
                with self.subTest(cut=cut, buffer_size=size), self.assertRaises(bw.ProtocolError):
                    read_all([self.stream[:cut]], size)

    def test_corrupt_length_is_an_error(self):
        header = struct.pack('!BBHII', bw.REQUEST_BODY, 0, 0, 1, bw.MAX_PAYLOAD + 1)
        with self.assertRaises(bw.ProtocolError):
            read_all([header, b'x' * 100])


if __name__ == '__main__':
    unittest.main()
