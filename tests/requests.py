"""Sending a request whose body is made up as the server reads it, to see how much of it the server reads."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.http import HttpResponse
from django.test import Client
from django.test.client import ClientHandler, RequestFactory


class LazyBody:
    """A request body of `size` bytes: `head`, then `fill` repeated, then `tail`; made up as it is read."""

    def __init__(self, size: int, *, head: bytes = b"", fill: bytes = b"x", tail: bytes = b"") -> None:
        self.size, self.head, self.fill, self.tail = size, head, fill, tail
        self.position = 0

    def _byte_range(self, start: int, end: int) -> bytes:
        parts = []
        middle_end = self.size - len(self.tail)
        for index in range(start, end):  # slow path, only for the head and tail
            if index < len(self.head):
                parts.append(self.head[index : index + 1])
            elif index >= middle_end:
                parts.append(self.tail[index - middle_end : index - middle_end + 1])
            else:
                parts.append(self.fill[(index - len(self.head)) % len(self.fill) :][:1])
        return b"".join(parts)

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            n = self.size - self.position
        n = min(n, self.size - self.position)
        start, end = self.position, self.position + n
        self.position = end
        head_end, tail_start = len(self.head), self.size - len(self.tail)
        if start >= head_end and end <= tail_start and len(self.fill) == 1:
            return self.fill * n
        return self._byte_range(start, end)

    def readline(self, limit: int = -1) -> bytes:
        return self.read(limit if limit is not None and limit >= 0 else 65536)


def send(method: str, path: str, body: LazyBody, *, content_type: str, client: Client | None = None) -> HttpResponse:
    """Send the request through Django's whole stack, signed in as `client` is (if given)."""
    environ = RequestFactory()._base_environ(
        PATH_INFO=path,
        REQUEST_METHOD=method,
        CONTENT_TYPE=content_type,
        CONTENT_LENGTH=str(body.size),
        SERVER_NAME="testserver",
        HTTP_HOST="testserver",
    )
    environ["wsgi.input"] = body
    if client is not None:
        environ["HTTP_COOKIE"] = client.cookies.output(header="", sep="; ").strip()
    return ClientHandler(enforce_csrf_checks=False)(environ)


def multipart(
    fields: dict[str, str],
    file_field: str,
    file_name: str,
    file_size: int,
    *,
    fill: bytes = b" ",
    boundary: str = "BoUnDaRy",
) -> LazyBody:
    """A multipart/form-data body with `fields` then one file of `file_size` bytes of `fill`."""
    head = (
        b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            for name, value in fields.items()
        )
        + (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{file_name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
    )
    tail = f"\r\n--{boundary}--\r\n".encode()
    return LazyBody(len(head) + file_size + len(tail), head=head, fill=fill, tail=tail)


def multipart_type(boundary: str = "BoUnDaRy") -> str:
    return f"multipart/form-data; boundary={boundary}"


@contextmanager
def peak_memory() -> Iterator[Callable[[], int]]:
    """Measure the peak of Python memory allocated inside the block, in bytes (tracemalloc)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    peak = {"bytes": 0}
    try:
        yield lambda: peak["bytes"]
    finally:
        peak["bytes"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


MB = 1024 * 1024

__all__ = ["MB", "LazyBody", "multipart", "multipart_type", "peak_memory", "send"]
