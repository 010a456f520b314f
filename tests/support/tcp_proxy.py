"""A TCP proxy of the test's own, to make a server blink without touching it.

It forwards 127.0.0.1:<port> to a target (the shared PostgreSQL, Redis) from an
asyncio loop in a background thread. `cut()` drops every connection open through it
and refuses new ones (accepted, then closed at once, as a restarting server does)
until `restore()`: what the app sees is what a restart or a failover shows it, while
the real server, which other suites on the machine use, runs on untouched.

`lose_at(b"COMMIT")` cuts one connection at one query of PostgreSQL's wire protocol
instead, at the moment a test chooses: before the server has it, or after the server
has answered it but before the client hears the answer.
"""
import asyncio
import struct
import threading


def _query_message(sql):
    """A query as a client sends it outside a prepared statement: 'Q', its length, its text."""
    return b"Q" + struct.pack("!I", len(sql) + 5) + sql + b"\0"


def _answered(replies):
    """The command tags the server's bytes so far complete («COMMIT», or «ROLLBACK» when
    the transaction had failed), once they reach its «ready for a query»; else None."""
    tags, at = [], 0
    while len(replies) >= at + 5:
        kind, length = replies[at:at + 1], struct.unpack("!I", replies[at + 1:at + 5])[0]
        if len(replies) < at + 1 + length:
            return None
        if kind == b"C":
            tags.append(replies[at + 5:at + 1 + length].rstrip(b"\0"))
        if kind == b"Z":
            return tags
        at += 1 + length
    return None


class TcpProxy:
    def __init__(self, target_host, target_port):
        self.target = (target_host, target_port)
        self.port = None
        self.connections_cut = 0
        self.refused = 0  # connections refused while cut
        self.withheld = []  # what the server answered to queries lost after it had them
        self._loop = asyncio.new_event_loop()
        self._writers = set()
        self._open = True
        self._trap = None  # (query message, whether the server gets it, then refuse, hold)
        self._server = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        self._server = self._call(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc):
        self.cut()
        self._call(self._close_server())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def _call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    async def _close_server(self):
        self._server.close()
        await self._server.wait_closed()

    def cut(self):
        """Drop every connection through the proxy and refuse new ones."""
        async def drop():
            self._open = False
            for writer in list(self._writers):
                writer.transport.abort()
                self.connections_cut += 1
            self._writers.clear()
        self._call(drop())

    def restore(self):
        async def reopen():
            self._open = True
        self._call(reopen())

    def lose_at(self, sql, server_gets_it, then_refuse=False, server_hears_after=None):
        """The next connection to send the query `sql` (PostgreSQL's simple protocol, as
        psycopg2 sends BEGIN and COMMIT) is cut there, once: with server_gets_it, the query
        is passed on and the server's whole answer awaited (its tags kept in `withheld`),
        then both sides are cut without the client hearing it; without, both are cut
        before the server has it. Other connections, and new ones, carry on as before;
        with then_refuse, new ones are refused from that moment until restore().
        With server_hears_after (seconds, without server_gets_it), only the client's side is
        cut at once: the server keeps its side, its transaction open («in progress»), until
        then, as when a client's host vanishes and the server has not noticed yet."""
        async def arm():
            self._trap = (_query_message(sql), server_gets_it, then_refuse, server_hears_after)
        self._call(arm())

    async def _handle(self, reader, writer):
        if not self._open:
            self.refused += 1
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        pair = {writer, up_writer}
        self._writers |= pair
        withholding = None  # the server's answer to the trapped query, while it comes
        refuse_after = False
        held = set()  # the server's side, kept open a while after the client's was cut

        def drop_pair():
            if refuse_after:
                self._open = False
            for w in pair:
                w.transport.abort()
            self._writers -= pair
            self.connections_cut += 1

        def to_server(data):
            nonlocal withholding, refuse_after
            if self._trap is None or self._trap[0] not in data:
                return data
            _, server_gets_it, refuse_after, hears_after = self._trap
            self._trap = None
            if not server_gets_it and hears_after:
                held.add(up_writer)
                self._loop.call_later(hears_after, up_writer.transport.abort)
                writer.transport.abort()
                self._writers -= pair
                self.connections_cut += 1
                return b""
            if not server_gets_it:
                drop_pair()
                return b""
            withholding = b""
            return data

        def to_client(data):
            nonlocal withholding
            if withholding is None:
                return data
            withholding += data
            tags = _answered(withholding)
            if tags is not None:
                self.withheld.extend(tags)
                drop_pair()
            return b""

        async def pipe(source, sink, passed_on):
            try:
                while data := await source.read(65536):
                    data = passed_on(data)
                    if data:
                        sink.write(data)
                        await sink.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                for w in pair - held:
                    w.transport.abort()
                self._writers -= pair

        await asyncio.gather(pipe(reader, up_writer, to_server),
                             pipe(up_reader, writer, to_client))
