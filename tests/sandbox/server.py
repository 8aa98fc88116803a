# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# Loopback sandbox that imitates the Datadog and Cloudflare PagerDuty APIs.
# Datadog is served at the root, Cloudflare under /client/v4 and a control API (state, journal,
# faults, settings, rate limits, PagerDuty authorisation) under /_sandbox/.
# This file is the HTTP(S) server, its command line and the in-process ``Sandbox``; the APIs
# answer in datadog_api.py, cloudflare_api.py and state.py (the control API).
# Standard library only. What it accepts and where (credentials, account, paths): facts.py.
# See README.md beside this file.

import argparse
import json
import signal
import socket
import socketserver
import ssl
import sys
import threading
import time
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    from . import facts
    from .cloudflare_api import cloudflare_reply
    from .datadog_api import datadog_reply
    from .replies import Reply, empty_reply, json_reply
    from .state import SandboxState, control_reply
except ImportError:  # run as a script (python tests/sandbox/server.py): this directory is sys.path[0]
    import facts
    from cloudflare_api import cloudflare_reply
    from datadog_api import datadog_reply
    from replies import Reply, empty_reply, json_reply
    from state import SandboxState, control_reply


class SandboxHTTPServer(ThreadingHTTPServer):
    """Threaded HTTP server that can close its open keep-alive connections."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, server_address, state, verbose=False, ssl_context=None):
        if ":" in server_address[0]:
            self.address_family = socket.AF_INET6
        self.state = state
        self.verbose = verbose
        self.ssl_context = ssl_context
        self.connections = set()
        self.connections_lock = threading.Lock()
        ThreadingHTTPServer.__init__(self, server_address, SandboxHandler)

    def server_bind(self):
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn) that can take seconds.
        socketserver.TCPServer.server_bind(self)
        self.server_name = self.server_address[0]
        self.server_port = self.server_address[1]

    def finish_request(self, request, client_address):
        if self.ssl_context is None:
            SandboxHandler(request, client_address, self)
            return
        # The handshake runs in the request's own thread, so a slow or refusing client blocks no one.
        request.settimeout(SandboxHandler.timeout)
        try:
            request = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return  # a client that does not trust our certificate hung up: what TLS tests expect
        try:
            SandboxHandler(request, client_address, self)
        finally:
            request.close()

    def close_connections(self):
        with self.connections_lock:
            connections = list(self.connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class SandboxHandler(BaseHTTPRequestHandler):
    """Routes a request to the control API, Datadog or Cloudflare."""

    protocol_version = "HTTP/1.1"
    server_version = "oncall-pagerduty-sandbox"
    sys_version = ""
    timeout = 120

    # -- plumbing ----------------------------------------------------------------------------

    def setup(self):
        BaseHTTPRequestHandler.setup(self)
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self):
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        try:
            BaseHTTPRequestHandler.finish(self)
        except OSError:
            pass

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        if self.server.verbose:
            BaseHTTPRequestHandler.log_message(self, format, *args)

    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0:
            raise ValueError("negative Content-Length")
        return self.rfile.read(length) if length else b""

    def send_reply(self, reply):
        try:
            phrase = HTTPStatus(reply.status).phrase
        except ValueError:
            phrase = "Status %d" % reply.status
        lines = ["HTTP/1.1 %d %s" % (reply.status, phrase),
                 "Server: %s" % self.server_version,
                 "Date: %s" % self.date_time_string()]
        lines.extend("%s: %s" % (name, value) for name, value in reply.headers)
        lines.append("Content-Length: %d" % len(reply.body))
        if self.close_connection:
            lines.append("Connection: close")
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
        if self.command != "HEAD":
            data += reply.body
        self.wfile.write(data)
        self.log_request(reply.status, len(reply.body))

    def drop(self):
        self.close_connection = True
        self.log_message('"%s" dropped without an answer', self.requestline)

    # -- dispatch ----------------------------------------------------------------------------

    def dispatch(self):
        state = self.server.state
        method = self.command
        raw_path = self.path
        path = raw_path.split("?", 1)[0]
        try:
            body = self.read_body()
        except (ValueError, OSError):
            self.close_connection = True
            self.send_reply(json_reply(400, {"error": "unreadable request body"}))
            return
        if path == facts.CONTROL_PREFIX or path.startswith(facts.CONTROL_PREFIX + "/"):
            self.send_reply(control_reply(state, method, path[len(facts.CONTROL_PREFIX):], body))
            return

        if path == facts.CLOUDFLARE_PREFIX or path.startswith(facts.CLOUDFLARE_PREFIX + "/"):
            vendor = "cloudflare"
        elif path.startswith("/api/"):
            vendor = "datadog"
        else:
            vendor = "unknown"
        entry = state.journal_open(vendor, method, raw_path)
        fault = state.take_fault(method, raw_path)
        delay_ms = state.settings_view()["latency_ms"] + ((fault or {}).get("delay_ms") or 0)
        if delay_ms:
            time.sleep(delay_ms / 1000.0)
        if fault and fault["drop"] == "before":
            self.drop()
            return
        if fault and fault["status"] is not None:
            reply = self.fault_reply(fault)
        else:
            try:
                if vendor == "datadog":
                    reply = datadog_reply(state, self.headers, method, path, body)
                elif vendor == "cloudflare":
                    reply = cloudflare_reply(state, self.headers, method, path[len(facts.CLOUDFLARE_PREFIX):])
                else:
                    reply = empty_reply(404, "text/html")
            except Exception:  # pylint: disable=broad-except
                traceback.print_exc()
                reply = json_reply(500, {"errors": ["sandbox internal error"]})
        if fault and fault["drop"] == "after":
            self.drop()
            return
        state.journal_close(entry, reply.status)
        self.send_reply(reply)

    @staticmethod
    def fault_reply(fault):
        body = fault["body"]
        content_type = fault["content_type"]
        if body is None:
            data = b""
        elif isinstance(body, str):
            data = body.encode("utf-8")
            content_type = content_type or "text/plain; charset=utf-8"
        else:
            data = json.dumps(body).encode("utf-8")
            content_type = content_type or "application/json"
        headers = [("Content-Type", content_type)] if content_type else []
        headers.extend((fault["headers"] or {}).items())
        return Reply(fault["status"], headers, data)


class Sandbox:
    """The sandbox server, for use in-process: ``Sandbox().start()``, ``.url``, ``.shutdown()``."""

    def __init__(self, host="127.0.0.1", port=0, latency_ms=0, verbose=False, tls_cert=None, tls_key=None):
        """tls_cert, tls_key: PEM files of a server certificate and its key, to serve HTTPS."""
        self.state = SandboxState(latency_ms)
        ssl_context = None
        if tls_cert:
            ssl_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ssl_context.load_cert_chain(tls_cert, tls_key)
        self.httpd = SandboxHTTPServer((host, port), self.state, verbose, ssl_context)
        self.host = host
        self.port = self.httpd.server_address[1]
        url_host = "[%s]" % host if ":" in host else host
        self.url = "%s://%s:%d" % ("https" if tls_cert else "http", url_host, self.port)
        self.datadog_url = self.url
        self.cloudflare_url = self.url + facts.CLOUDFLARE_PREFIX
        self._thread = None

    def start(self):
        """Serve in a daemon thread; returns self."""
        if self._thread is None:
            self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                            name="sandbox-%d" % self.port, daemon=True)
            self._thread.start()
        return self

    def serve_forever(self):
        """Serve in the calling thread until ``shutdown`` (from another thread) or a signal."""
        self.httpd.serve_forever()

    def reset(self):
        self.state.reset()

    def shutdown(self):
        """Stop serving, close open connections and the listening socket."""
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(5)
            self._thread = None
        self.httpd.close_connections()
        self.httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.shutdown()


def make_server(host="127.0.0.1", port=0, latency_ms=0, verbose=False, tls_cert=None, tls_key=None):
    """A bound, not yet started, ``Sandbox``."""
    return Sandbox(host, port, latency_ms, verbose, tls_cert, tls_key)


def _stop(signum, frame):  # pylint: disable=unused-argument
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise KeyboardInterrupt()


def main(argv=None):
    parser = argparse.ArgumentParser(description="Datadog and Cloudflare PagerDuty API sandbox")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free one (default 0)")
    parser.add_argument("--latency-ms", type=float, default=0, help="delay added to every API request, in milliseconds")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    parser.add_argument("--tls-cert", help="serve HTTPS with this PEM certificate (chain)")
    parser.add_argument("--tls-key", help="the PEM private key of --tls-cert (default: in the --tls-cert file)")
    args = parser.parse_args(argv)
    if args.tls_key and not args.tls_cert:
        parser.error("--tls-key needs --tls-cert")
    latency = int(args.latency_ms) if args.latency_ms == int(args.latency_ms) else args.latency_ms
    sandbox = make_server(args.host, args.port, latency, args.verbose, args.tls_cert, args.tls_key)
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print(facts.LISTENING_LINE + sandbox.url, flush=True)
    try:
        sandbox.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.httpd.close_connections()
        sandbox.httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
