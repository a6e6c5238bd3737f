"""A scripted WebSocket client for Berth's integration tests, on Debian's python3-websockets.

    /usr/bin/python3 ws_session.py ws://127.0.0.1:PORT

Reads one command a line from stdin and answers each with one JSON line on stdout, so a test can
hold several connections open across a reload:

    open NAME PATH      connect          -> {"ok": true} or {"status": 503} for a refused handshake
    send NAME TEXT      send, read reply -> {"reply": "..."} or {"code": 1001, "reason": "..."} if closed
    recv NAME           read the next message, one the app sent without being asked (even after it closed)
                                         -> {"reply": "..."} or {"code": ..., "reason": "..."} if none is left
    close NAME          close with 1000  -> {"ok": true}
    wait NAME SECONDS   wait for the server to close it
                                         -> {"code": 1001, "reason": "..."} or {"timeout": true}
"""

import asyncio
import json
import sys

import websockets


def closed_result(socket):
    # websockets 10: close_code/close_reason are what the server's close frame said; 1006 if none came.
    return {"code": socket.close_code, "reason": socket.close_reason}


async def main(base):
    sockets = {}
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            break
        command, name, *rest = line.rstrip("\n").split(" ", 2)
        argument = rest[0] if rest else ""
        try:
            if command == "open":
                try:
                    sockets[name] = await websockets.connect(base + argument, max_size=2 ** 24)
                    result = {"ok": True}
                except websockets.InvalidStatusCode as refused:
                    result = {"status": refused.status_code}
            elif command == "send":
                socket = sockets[name]
                try:
                    await socket.send(argument)
                    result = {"reply": await socket.recv()}
                except websockets.ConnectionClosed:
                    result = closed_result(socket)
            elif command == "recv":
                socket = sockets[name]
                try:
                    result = {"reply": await socket.recv()}
                except websockets.ConnectionClosed:
                    result = closed_result(socket)
            elif command == "close":
                await sockets[name].close()
                result = {"ok": True}
            elif command == "wait":
                socket = sockets[name]
                try:
                    await asyncio.wait_for(socket.wait_closed(), float(argument))
                    result = closed_result(socket)
                except asyncio.TimeoutError:
                    result = {"timeout": True}
            else:
                result = {"error": "unknown command " + command}
        except Exception as error:  # reported to the test, which shows it
            result = {"error": repr(error)}
        print(json.dumps(result), flush=True)


asyncio.run(main(sys.argv[1]))
