"""A small, fast HTTP/1.1 server on loopback (IPv4, or IPv6 for an address with a colon): one thread per keep-alive
connection, one write per response.

The stdlib's http.server parses headers with the email package and writes headers and body separately (which meets
Nagle's algorithm and delayed ACKs); this reader and writer do only what AWS SDK clients need: Content-Length and
chunked bodies, Expect: 100-continue, keep-alive, and a body cap answered with 400 before the body is read. Anything
malformed gets a 400 and the connection is closed; an idle connection is closed after `IDLE_TIMEOUT` seconds.
"""

from __future__ import annotations

import dataclasses
import email.utils
import http
import socket
import socketserver
import threading
import time
from collections.abc import Callable

MAX_BODY_BYTES = 1024 * 1024
MAX_LINE_BYTES = 64 * 1024
MAX_HEADERS = 100
IDLE_TIMEOUT = 30.0

_REASONS = {status.value: status.phrase for status in http.HTTPStatus}


@dataclasses.dataclass
class Request:
    """One HTTP request as received: `target` is the raw (still percent-encoded) path and query."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    keep_alive: bool


@dataclasses.dataclass
class Response:
    """What to send back; `drop` closes the connection without answering at all."""

    status: int = 200
    body: bytes = b""
    headers: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    close: bool = False
    drop: bool = False


class BadRequest(Exception):
    """The bytes on the wire are not an HTTP request we can read; answered with 400 and a closed connection."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


Application = Callable[[Request], Response]
BadRequestAnswer = Callable[[BadRequest], Response]


class LoopbackHTTPServer(socketserver.ThreadingTCPServer):
    """Serves an application callable; remembers open connections so `stop` can close them all."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], app: Application, bad_request: BadRequestAnswer) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET  # ::1 is IPv6 loopback
        self.app = app
        self.bad_request = bad_request
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _ConnectionHandler)

    def track(self, connection: socket.socket, open_: bool) -> None:
        with self._connections_lock:
            (self._connections.add if open_ else self._connections.discard)(connection)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _ConnectionHandler(socketserver.StreamRequestHandler):
    rbufsize = 64 * 1024
    timeout = IDLE_TIMEOUT
    disable_nagle_algorithm = True

    def handle(self) -> None:
        server: LoopbackHTTPServer = self.server  # type: ignore[assignment]
        server.track(self.connection, True)
        try:
            while True:
                try:
                    request = self._read_request()
                except BadRequest as error:
                    self._send(server.bad_request(error), close=True)
                    self._linger()
                    return
                except (OSError, ValueError):
                    return
                if request is None:
                    return
                response = server.app(request)
                if response.drop:
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                close = response.close or not request.keep_alive
                self._send(response, close)
                if close:
                    return
        except OSError:
            return
        finally:
            server.track(self.connection, False)

    def _read_request(self) -> Request | None:
        rfile = self.rfile
        line = rfile.readline(MAX_LINE_BYTES + 1)
        while line in (b"\r\n", b"\n"):
            line = rfile.readline(MAX_LINE_BYTES + 1)
        if not line:
            return None
        if len(line) > MAX_LINE_BYTES:
            raise BadRequest("the request line is too long", 414)
        parts = line.decode("latin-1").split()
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise BadRequest("the request line is not 'METHOD TARGET HTTP/1.1'")
        method, target, version = parts
        headers = self._read_headers()
        connection = headers.get("connection", "").lower()
        keep_alive = "close" not in connection if version == "HTTP/1.1" else "keep-alive" in connection
        body = self._read_body(headers)
        return Request(method, target, headers, body, keep_alive)

    def _read_headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        for _ in range(MAX_HEADERS + 1):
            line = self.rfile.readline(MAX_LINE_BYTES + 1)
            if len(line) > MAX_LINE_BYTES:
                raise BadRequest("a header line is too long", 431)
            if line in (b"\r\n", b"\n", b""):
                return headers
            name, sep, value = line.decode("latin-1").partition(":")
            if not sep or not name or name != name.strip():
                raise BadRequest(f"malformed header line {line[:80]!r}")
            name = name.lower()
            value = value.strip()
            headers[name] = f"{headers[name]},{value}" if name in headers else value
        raise BadRequest(f"more than {MAX_HEADERS} headers", 431)

    def _read_body(self, headers: dict[str, str]) -> bytes:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            self._continue(headers)
            return self._read_chunks()
        length_text = headers.get("content-length")
        if not length_text:
            return b""
        if not length_text.isdigit():
            raise BadRequest(f"Content-Length must be a number of bytes, got {length_text!r}")
        length = int(length_text)
        if length > MAX_BODY_BYTES:
            raise BadRequest(f"the request body is {length} bytes; the limit is {MAX_BODY_BYTES}", 413)
        self._continue(headers)
        body = self.rfile.read(length)
        if len(body) != length:
            raise ValueError("the client closed the connection in the middle of the body")
        return body

    def _read_chunks(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            size_line = self.rfile.readline(MAX_LINE_BYTES + 1).split(b";")[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                raise BadRequest("malformed chunk size in a chunked body") from None
            total += size
            if total > MAX_BODY_BYTES:
                raise BadRequest(f"the request body is over the limit of {MAX_BODY_BYTES} bytes", 413)
            if size == 0:
                while self.rfile.readline(MAX_LINE_BYTES + 1) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline(MAX_LINE_BYTES + 1)

    def _continue(self, headers: dict[str, str]) -> None:
        if headers.get("expect", "").lower() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    def _linger(self) -> None:
        # Read what the client is still sending before closing, so it gets our answer instead of a reset.
        self.connection.shutdown(socket.SHUT_WR)
        self.connection.settimeout(1.0)
        drained = 0
        while drained < 32 * MAX_BODY_BYTES:
            chunk = self.connection.recv(65536)
            if not chunk:
                return
            drained += len(chunk)

    def _send(self, response: Response, close: bool) -> None:
        lines = [
            f"HTTP/1.1 {response.status} {_REASONS.get(response.status, 'Unknown')}",
            f"Date: {_http_date()}",
            f"Content-Length: {len(response.body)}",
        ]
        lines += [f"{name}: {value}" for name, value in response.headers]
        if close:
            lines.append("Connection: close")
        head = "\r\n".join(lines).encode("latin-1") + b"\r\n\r\n"
        self.wfile.write(head + response.body)


_date_cache: tuple[int, str] = (0, "")


def _http_date() -> str:
    global _date_cache
    second = int(time.time())
    if _date_cache[0] != second:
        _date_cache = (second, email.utils.formatdate(second, usegmt=True))
    return _date_cache[1]
