"""Request bodies: refused early when too large, kept in memory only, and never taken from a signed-out user.

`RequestSizeLimitMiddleware` answers 413 from the `Content-Length` header
alone, before a byte of the body is read, for every URL: up to
REQUEST_MAX_BYTES for a signed-in user (an import file and its form), and
REQUEST_MAX_BYTES_SIGNED_OUT (enough for the sign-in form) otherwise. Django
reads no more than `Content-Length` says, so a body without one is never read.
gunicorn's sync workers then close the connection without reading the rest.

`MemoryOnlyUploadHandler` is the only upload handler (FILE_UPLOAD_HANDLERS):
an uploaded file stays in memory, never on local disk, is refused past
IMPORT_MAX_BYTES, and is refused outright before sign-in.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from scorecard.security import log_security_event


def declared_length(request: HttpRequest) -> int:
    """Return the body length the request declares (0 when it declares none or nonsense, as Django reads it)."""
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def body_limit(request: HttpRequest) -> int:
    """Return the largest body this request may send: far less before sign-in."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return settings.REQUEST_MAX_BYTES
    return settings.REQUEST_MAX_BYTES_SIGNED_OUT


class RequestSizeLimitMiddleware:
    """Refuse a request before any view sees it when it is too large or carries a NUL character.

    In order: a NUL in the path, query or cookies (400, before the session is
    looked up); a declared body over its limit (413, reading none of it); a
    NUL in any form field, or a file sent before sign-in (400). No text with a NUL then reaches the database
    (PostgreSQL refuses it with an error) or a library.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request.path, request.META.get("QUERY_STRING", ""), request.GET, request.COOKIES):
            return refused(request, "nul_character")
        length, limit = declared_length(request), body_limit(request)
        if length > limit:
            log_security_event(request, "request_too_large", length=length, limit=limit)
            return too_large(request, limit)
        if request.method == "POST" and length:
            if _has_nul(request.POST):
                return refused(request, "nul_character")
            if getattr(request, "upload_refused_signed_out", False):
                return refused(request, "file_before_sign_in")
        return self.get_response(request)


def _has_nul(*parts: object) -> bool:
    """Return True if any text (or key or value of a mapping, or item of a multi-value dict) holds a NUL."""
    for part in parts:
        if isinstance(part, str):
            if "\x00" in part:
                return True
        elif hasattr(part, "lists"):
            if any("\x00" in key or any("\x00" in value for value in values) for key, values in part.lists()):
                return True
        elif isinstance(part, dict) and any("\x00" in str(key) or "\x00" in str(value) for key, value in part.items()):
            return True
    return False


def refused(request: HttpRequest, why: str) -> HttpResponse:
    """The 400 page for a request refused before any view, recorded as a security event."""
    # Rendered as for a signed-out visitor: a hostile session cookie is never looked up.
    request.user = AnonymousUser()
    log_security_event(request, "request_refused", reason=why)
    return render(request, "400.html", status=400)


def too_large(request: HttpRequest, limit: int) -> HttpResponse:
    """The 413 page: what the limit is, and what to do."""
    signed_in = bool(getattr(request, "user", None) and request.user.is_authenticated)
    return render(request, "413.html", {"limit_mb": limit / (1024 * 1024), "signed_in": signed_in}, status=413)


class MemoryOnlyUploadHandler(FileUploadHandler):
    """Keep an uploaded file in memory up to IMPORT_MAX_BYTES; refuse it before sign-in or past the limit.

    A refusal stops reading the body there (the connection is dropped rather
    than drained) and marks the request: `upload_too_large` (bytes received) or
    `upload_refused_signed_out`.
    """

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            self.request.upload_refused_signed_out = True  # type: ignore[union-attr]
            raise StopUpload(connection_reset=True)
        self.file = io.BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if start + len(raw_data) > settings.IMPORT_MAX_BYTES:
            self.request.upload_too_large = start + len(raw_data)  # type: ignore[union-attr]
            raise StopUpload(connection_reset=True)
        self.file.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.file.seek(0)
        return InMemoryUploadedFile(
            file=self.file,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
