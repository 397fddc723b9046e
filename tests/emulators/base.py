"""A small HTTP framework for the channel emulators (standard library only).

Each emulator subclasses :class:`Emulator`, declares its routes with
:func:`route`, and checks authentication in :meth:`Emulator.authenticate`.
What they share lives here: a threaded server that runs inside a test (port 0)
or as a process (``python -m tests.emulators.<name> --port N``), a token-bucket
rate limit answering 429 with ``Retry-After``, injectable faults, and a record
of every request so tests assert what the channel received.

Control endpoints (for the demo and benchmarks, where the emulator is another
process): ``GET /_emulator/requests``, ``POST /_emulator/faults`` with
``{"kind": "500", "count": 1, "path": "/orders"}``, ``POST /_emulator/reset``.
"""

import argparse
import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

FAULT_KINDS = (
    "429",  # rate limited, with Retry-After
    "429-no-retry-after",
    "500",
    "502",
    "503",
    "timeout",  # sleep longer than a client's timeout, then answer
    "reset",  # close the connection without an answer
    "malformed",  # 200 with a body that is not JSON
    "truncate",  # 200 with a page that ends early (half the items)
    "expired-token",  # 401 as if the access token expired
)


@dataclass
class Request:
    method: str
    path: str
    query: dict  # name -> list of values
    headers: dict
    body: bytes
    params: dict = field(default_factory=dict)  # path parameters from the route

    def arg(self, name, default=None):
        values = self.query.get(name)
        return values[0] if values else default

    @property
    def json(self):
        if not self.body:
            return None
        return json.loads(self.body)

    @property
    def raw_uri(self):
        return self.headers.get("_raw_uri", self.path)


@dataclass
class Response:
    status: int = 200
    body: object = None  # JSON-serialisable, or bytes/str sent as is
    headers: dict = field(default_factory=dict)
    content_type: str = "application/json"


def route(method, pattern):
    """Decorator: handle ``method`` requests whose path matches ``pattern`` (a regex)."""

    def decorator(func):
        func._route = (method.upper(), re.compile(f"^{pattern}$"))
        return func

    return decorator


class RateLimiter:
    """Token bucket: ``rate`` requests per second with a ``burst``."""

    def __init__(self, rate, burst):
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.stamp = time.monotonic()
        self.lock = threading.Lock()

    def take(self):
        """Return 0 when the request may pass, else the seconds to wait."""
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens >= 1:
                self.tokens -= 1
                return 0
            return (1 - self.tokens) / self.rate


class Emulator:
    """Base application: routing, auth hook, faults, rate limits, request log."""

    name = "emulator"
    #: default (rate per second, burst) for all routes; None = unlimited
    rate_limit = None
    #: how long a "timeout" fault sleeps
    timeout_seconds = 12

    def __init__(self):
        self.lock = threading.RLock()
        self.received = []  # Request objects, for assertions
        self.faults = []  # dicts: kind, count, path (regex or None)
        self.limiters = {}
        self._routes = []
        for attr in dir(type(self)):
            func = getattr(type(self), attr)
            if callable(func) and hasattr(func, "_route"):
                method, regex = func._route
                self._routes.append((method, regex, getattr(self, attr)))

    # --- hooks for subclasses ---------------------------------------------

    def authenticate(self, request):
        """Return None when the request is authenticated, else a Response (401/403)."""
        return None

    def limit_for(self, request):
        """(key, rate, burst) of the rate limit that applies, or None."""
        if self.rate_limit:
            return ("*",) + tuple(self.rate_limit)
        return None

    def rate_limited_response(self, wait):
        return Response(429, {"message": "Too Many Requests"}, {"Retry-After": f"{max(1, round(wait))}"})

    def error(self, status, message):
        return Response(status, {"message": message})

    # --- test API ----------------------------------------------------------

    def inject(self, kind, count=1, path=None):
        """Make the next ``count`` requests (matching ``path``, a regex) fail with ``kind``."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}, choose from {FAULT_KINDS}")
        with self.lock:
            self.faults.append({"kind": kind, "count": count, "path": path})

    def requests_to(self, method=None, path=None):
        with self.lock:
            return [
                r
                for r in self.received
                if (method is None or r.method == method.upper())
                and (path is None or re.search(path, r.path))
            ]

    def reset_log(self):
        with self.lock:
            self.received.clear()
            self.faults.clear()

    # --- dispatch ----------------------------------------------------------

    def _take_fault(self, request):
        with self.lock:
            for fault in self.faults:
                if fault["count"] > 0 and (not fault["path"] or re.search(fault["path"], request.path)):
                    fault["count"] -= 1
                    kind = fault["kind"]
                    self.faults = [f for f in self.faults if f["count"] > 0]
                    return kind
        return None

    def dispatch(self, request):
        if request.path.startswith("/_emulator/"):
            return self._control(request)
        with self.lock:
            self.received.append(request)
        fault = self._take_fault(request)
        if fault in ("429", "429-no-retry-after"):
            headers = {"Retry-After": "1"} if fault == "429" else {}
            return Response(429, {"message": "Too Many Requests"}, headers)
        if fault in ("500", "502", "503"):
            return Response(int(fault), {"message": "Internal error (injected)"})
        if fault == "expired-token":
            return Response(401, {"message": "The access token has expired"})
        if fault in ("timeout", "reset", "malformed"):
            return fault
        limit = self.limit_for(request)
        if limit:
            key, rate, burst = limit
            limiter = self.limiters.get(key)
            if limiter is None:
                limiter = self.limiters[key] = RateLimiter(rate, burst)
            wait = limiter.take()
            if wait:
                return self.rate_limited_response(wait)
        denied = self.authenticate(request)
        if denied is not None:
            return denied
        for method, regex, handler in self._routes:
            match = regex.match(request.path)
            if match and method == request.method:
                request.params = match.groupdict()
                try:
                    response = handler(request)
                except (ValueError, KeyError, TypeError) as exc:
                    return self.error(400, f"Bad request: {exc}")
                if fault == "truncate" and isinstance(response, Response):
                    response = self.truncate(response)
                return response
        return self.error(404, f"No route for {request.method} {request.path}")

    def truncate(self, response):
        """A page that ends early: drop the second half of the first list found."""
        body = response.body
        if isinstance(body, dict):
            for key, value in body.items():
                if isinstance(value, list):
                    body = dict(body, **{key: value[: len(value) // 2]})
                    break
                if isinstance(value, dict):
                    for sub, items in value.items():
                        if isinstance(items, list):
                            body = dict(body, **{key: dict(value, **{sub: items[: len(items) // 2]})})
                            break
        elif isinstance(body, list):
            body = body[: len(body) // 2]
        return Response(response.status, body, response.headers, response.content_type)

    def _control(self, request):
        if request.path == "/_emulator/requests":
            return Response(
                200,
                [
                    {
                        "method": r.method,
                        "path": r.path,
                        "query": r.query,
                        "body": r.body.decode("utf-8", "replace"),
                    }
                    for r in self.requests_to()
                ],
            )
        if request.path == "/_emulator/faults" and request.method == "POST":
            data = request.json or {}
            self.inject(data["kind"], int(data.get("count", 1)), data.get("path"))
            return Response(204)
        if request.path == "/_emulator/reset" and request.method == "POST":
            self.reset_log()
            return Response(204)
        return self.control(request) or Response(404, {"message": "unknown control"})

    def control(self, request):
        """Emulator-specific control endpoints (seeding, new orders)."""
        return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    app = None  # set per server

    def log_message(self, format, *args):
        pass

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        headers = dict(self.headers.items())
        headers["_raw_uri"] = self.path
        request = Request(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers=headers,
            body=body,
        )
        result = self.server.app.dispatch(request)
        if result == "reset":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if result == "timeout":
            time.sleep(self.server.app.timeout_seconds)
            result = Response(504, {"message": "Gateway timeout (injected)"})
        if result == "malformed":
            result = Response(200, b'{"data": [ {"id": 1, ', content_type="application/json")
        self._send(result)

    def _send(self, response):
        body = response.body
        if isinstance(body, bytes):
            payload = body
        elif isinstance(body, str):
            payload = body.encode()
        elif body is None:
            payload = b""
        else:
            payload = json.dumps(body, default=str).encode()
        self.send_response(response.status)
        if payload:
            self.send_header("Content-Type", response.content_type)
        for key, value in response.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if payload:
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle


class EmulatorServer:
    """Serves an :class:`Emulator` on 127.0.0.1 in a background thread."""

    def __init__(self, app, port=0, host="127.0.0.1"):
        self.app = app
        handler = type("Handler", (_Handler,), {})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.httpd.app = app
        self.thread = None

    @property
    def url(self):
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self.app.public_url = self.url  # for links the emulator hands out (report downloads)
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, name=self.app.name, daemon=True
        )
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def main(app_factory, argv=None):
    """Command line entry point of an emulator module: serve until interrupted."""
    parser = argparse.ArgumentParser(description=f"Local emulator: {app_factory.__doc__ or ''}")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--seed", action="store_true", help="seed a demo catalogue and orders")
    parser.add_argument("--stream", type=float, default=0, help="new demo order every N seconds")
    args = parser.parse_args(argv)
    app = app_factory()
    if args.seed and hasattr(app, "seed_demo"):
        app.seed_demo()
    server = EmulatorServer(app, port=args.port)
    print(f"{app.name} emulator on {server.url}", flush=True)
    if args.stream and hasattr(app, "add_demo_order"):

        def stream():
            while True:
                time.sleep(args.stream)
                app.add_demo_order()

        threading.Thread(target=stream, daemon=True).start()
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
