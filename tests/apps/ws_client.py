"""WebSocket client for Berth's integration tests, on Debian's python3-websockets.

    /usr/bin/python3 ws_client.py ws://127.0.0.1:PORT/ws

Prints one JSON object: what came back for a text message, a 1 MB binary message, the subprotocol
agreed, the close code and reason after "close", and the status of a denied handshake.
"""

import asyncio
import json
import os
import sys

import websockets


async def main(url):
    result = {}
    async with websockets.connect(url, subprotocols=["echo"], max_size=2 ** 24) as socket:
        result["subprotocol"] = socket.subprotocol
        await socket.send("hello")
        result["text"] = await socket.recv()
        big = os.urandom(1024 * 1024)
        await socket.send(big)
        echoed = await socket.recv()
        result["binary_intact"] = echoed == big
        await socket.send("close")
        try:
            await socket.recv()
        except websockets.ConnectionClosed as closed:
            result["close_code"] = closed.rcvd.code if closed.rcvd else None
            result["close_reason"] = closed.rcvd.reason if closed.rcvd else None
    try:
        async with websockets.connect(url + "-deny"):
            result["denied"] = None
    except websockets.InvalidStatusCode as refused:  # Debian's websockets 10
        result["denied"] = refused.status_code
    print(json.dumps(result))


asyncio.run(main(sys.argv[1]))
