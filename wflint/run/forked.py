"""Worker processes forked from this one, the pipes to them, and a lock they
share: the part of multiprocessing that parallel.py uses, without its cost.

Importing multiprocessing and making its first lock (which imports tempfile,
random, socket...) took 20-30 ms of every parallel run, before any worker
started, which is time no core spends linting. A fork, two pipes and
length-prefixed messages are all a run needs. Where there is no fork
(Windows), parallel.py spawns its workers through multiprocessing instead.

Each object here has the methods of its multiprocessing counterpart that
parallel.py calls, under the same names: `Channel` those of a
`Connection`, `Worker` those of a `Process`, `Lock` those of a `Lock`.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from typing import List

_HEADER = 8                 # bytes of a message's length, before the message
_CHUNK = 1 << 20            # the most read in one call while a long message comes in

# The parent's ends of every channel to a live worker: a new worker closes
# them, so that each pipe is held open only by the two processes it joins (a
# worker's end of file then says its peer is gone).
_parent_ends: List[int] = []


class Channel:
    """One end of a two-way link between the parent and a worker: one pipe
    each way; messages are bytes (pickled objects for send/recv) with their
    length in front."""

    def __init__(self, reading: int, writing: int):
        self._in, self._out = reading, writing

    def fileno(self) -> int:
        return self._in

    def send_bytes(self, data: bytes) -> None:
        view = memoryview(len(data).to_bytes(_HEADER, "little") + data) if len(data) < 65536 else None
        if view is None:  # long: no copy to put the header in front
            self._write(memoryview(len(data).to_bytes(_HEADER, "little")))
            view = memoryview(data)
        self._write(view)

    def _write(self, view: memoryview) -> None:
        while view:
            view = view[os.write(self._out, view):]

    def recv_bytes(self) -> bytes:
        size = int.from_bytes(self._read(_HEADER), "little")
        return bytes(self._read(size))

    def _read(self, size: int):
        first = os.read(self._in, min(size, _CHUNK)) if size else b""
        if len(first) == size:
            return first
        if not first:
            raise EOFError("the other process is gone")
        buffer = bytearray(size)
        buffer[:len(first)] = first
        view, got = memoryview(buffer), len(first)
        while got < size:
            count = os.readv(self._in, [view[got:got + _CHUNK]])
            if not count:
                raise EOFError("the other process is gone")
            got += count
        return buffer

    def send(self, message) -> None:
        import pickle
        self.send_bytes(pickle.dumps(message, pickle.HIGHEST_PROTOCOL))

    def recv(self):
        import pickle
        return pickle.loads(self.recv_bytes())

    def poll(self) -> bool:
        """Whether a message (or the end) is there to read, without waiting."""
        import select
        return bool(select.select([self._in], [], [], 0)[0])

    def close(self) -> None:
        for fd in (self._in, self._out):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
                if fd in _parent_ends:
                    _parent_ends.remove(fd)
        self._in = self._out = -1


class Lock:
    """A lock for processes forked after it is made: the one byte in a pipe
    is its key (os.read takes it, waiting while another process holds it)."""

    def __init__(self):
        self._take, self._give = os.pipe()
        os.write(self._give, b"k")

    def __enter__(self):
        os.read(self._take, 1)
        return self

    def __exit__(self, *exc) -> None:
        os.write(self._give, b"k")

    def close(self) -> None:
        """Close this process's ends of the pipe (the run is over)."""
        for fd in (self._take, self._give):
            try:
                os.close(fd)
            except OSError:
                pass
        self._take = self._give = -1


class Worker:
    """A forked process running ``target(channel, *args)``."""

    def __init__(self, target, args=()):
        self.pid = 0
        self.exitcode = None
        self._target, self._args = target, args

    def start(self) -> Channel:
        """Fork; returns the parent's end of the channel to the worker."""
        down_read, down_write = os.pipe()   # parent -> worker
        up_read, up_write = os.pipe()       # worker -> parent
        for stream in (sys.stdout, sys.stderr):  # what is buffered would be written by both processes
            try:
                stream.flush()
            except (AttributeError, OSError, ValueError):
                pass
        try:
            pid = os.fork()
        except OSError:
            for fd in (down_read, down_write, up_read, up_write):
                os.close(fd)
            raise
        if pid == 0:  # the worker
            code = 1
            try:
                for fd in _parent_ends + [down_write, up_read]:
                    os.close(fd)
                del _parent_ends[:]
                self._target(Channel(down_read, up_write), *self._args)
                code = 0
            finally:
                # Never back into the parent's code: no atexit handlers, no
                # buffers flushed twice, whatever happened.
                os._exit(code)
        self.pid = pid
        os.close(down_read)
        os.close(up_write)
        _parent_ends.extend((up_read, down_write))
        return Channel(up_read, down_write)

    def _reap(self, flags: int) -> bool:
        if self.exitcode is None and self.pid:
            try:
                pid, status = os.waitpid(self.pid, flags)
            except ChildProcessError:
                self.exitcode = -1
                return True
            if pid:
                self.exitcode = os.waitstatus_to_exitcode(status)
        return self.exitcode is not None

    def is_alive(self) -> bool:
        return not self._reap(os.WNOHANG)

    def join(self, timeout: float) -> None:
        """Wait at most ``timeout`` seconds for the worker to end."""
        deadline = time.monotonic() + timeout
        pause = 0.0005
        while not self._reap(os.WNOHANG) and time.monotonic() < deadline:
            time.sleep(pause)
            pause = min(pause * 2, 0.05)

    def kill(self) -> None:
        if self.exitcode is None and self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
