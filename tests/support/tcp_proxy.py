"""A TCP proxy of the test's own, to make a server blink without touching it.

It forwards 127.0.0.1:<port> to a target (the shared PostgreSQL, Redis) from an
asyncio loop in a background thread. `cut()` drops every connection open through it
and refuses new ones (accepted, then closed at once, as a restarting server does)
until `restore()`: what the app sees is what a restart or a failover shows it, while
the real server, which other suites on the machine use, runs on untouched.
"""
import asyncio
import threading


class TcpProxy:
    def __init__(self, target_host, target_port):
        self.target = (target_host, target_port)
        self.port = None
        self.connections_cut = 0
        self._loop = asyncio.new_event_loop()
        self._writers = set()
        self._open = True
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

    async def _handle(self, reader, writer):
        if not self._open:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        pair = {writer, up_writer}
        self._writers |= pair

        async def pipe(source, sink):
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                for w in pair:
                    w.transport.abort()
                self._writers -= pair

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
