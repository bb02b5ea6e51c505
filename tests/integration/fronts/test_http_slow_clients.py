"""Slow and idle clients do not starve the HTTPS listener: with far more
connections that never finish their head (and idle kept-alive ones) than
there are workers (https.max_threads), an authenticated PROPFIND from
another client is still answered, the idle ones still carry requests, and
the slow ones are answered 408 and closed at the header deadline."""

import ssl
import unittest

from harness import GatewayTestCase, basic_auth
from httpraw import RawHttp, status_of

ALICE = ("alice", "alice-pw-slow")
AUTH = ("Authorization: %s\r\n" % basic_auth(*ALICE)).encode()
WORKERS = 8
SLOW = 300
IDLE = 40
HEADER_SECONDS = 15


def propfind(close):
    return (b"PROPFIND /files/ HTTP/1.1\r\nHost: a\r\nDepth: 0\r\n" + AUTH +
            (b"Connection: close\r\n" if close else b"") + b"\r\n")


def nothing_received(connection):
    """Whether the server has sent nothing yet on `connection` (no reply,
    no close): a read that does not wait finds no application data (TLS
    records such as session tickets are taken on the way)."""
    connection.sock.setblocking(False)
    try:
        connection.sock.recv(1)
        return False
    except ssl.SSLWantReadError:
        return True
    except OSError:
        return False
    finally:
        connection.sock.settimeout(60)


class HttpSlowClientsTest(GatewayTestCase, unittest.TestCase):
    USERS = (ALICE,)
    WEB = True
    DEFINES = {
        "https.max_threads": str(WORKERS),
        "https.max_connections_per_address": "1000",
        "https.header_timeout_seconds": str(HEADER_SECONDS),
        "https.keep_alive_seconds": "120",
    }

    def connect(self):
        # The generous timeout only guards against a hang; nothing is timed.
        connection = RawHttp(self.gateway.https_port, tls=True, timeout=60)
        self.addCleanup(connection.close)
        return connection

    def test_slow_and_idle_clients_do_not_starve_a_propfind(self):
        slow = [self.connect().send(b"GET / HTTP/1.1\r\nHost: a\r\n") for _ in range(SLOW)]
        idle = []
        for _ in range(IDLE):
            connection = self.connect().send(propfind(close=False))
            self.assertEqual(status_of(connection.response()), 207)
            idle.append(connection)

        # Another client is answered while every slow one is still held.
        other = self.connect().send(propfind(close=True))
        responses = other.responses_until_close()
        self.assertEqual([status_of(r) for r in responses], [207])
        self.assertIn(b"<D:multistatus", responses[0][2].replace(b"d:", b"D:"))
        self.assertEqual([c for c in slow if not nothing_received(c)], [])

        # Idle kept-alive connections still carry requests.
        for connection in idle[:5]:
            connection.send(propfind(close=False))
            self.assertEqual(status_of(connection.response()), 207)

        # At the header deadline each slow one gets its 408, then the end.
        for connection in slow:
            responses = connection.responses_until_close()
            self.assertEqual([status_of(r) for r in responses], [408])
            self.assertIn(b"not complete within %d seconds" % HEADER_SECONDS,
                          responses[0][2])


if __name__ == "__main__":
    unittest.main()
