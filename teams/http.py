"""Types for views and the services they call: who is asking."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest

# request.user: signed in, or not (a policy predicate answers both).
AnyUser = User | AnonymousUser


class AuthenticatedHttpRequest(HttpRequest):
    """An HttpRequest whose user is signed in (LoginRequiredMiddleware guards every page but sign-in).

    Views that record the user as a service's actor take this type.
    """

    user: User
