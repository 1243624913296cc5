"""Signing in: Django's form and view with every field bounded, and a 400 for text no person types."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.validators import MaxLengthValidator
from django.http import HttpResponse

# Longer than any password a person or a password manager chooses; bounds the work of checking one.
PASSWORD_MAX = 1024


class SignInForm(AuthenticationForm):
    """Django's sign-in form with every field bounded before it reaches a backend.

    Django sets the username's max_length after the field is built, so the
    length is never checked; a long username then reached django-axes, which
    stores at most 255 characters. Here both fields refuse overlong text (and,
    as every CharField does, NUL characters) before anything authenticates.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        username = cast(forms.CharField, self.fields["username"])
        username.validators.append(MaxLengthValidator(username.max_length or 150))
        password = cast(forms.CharField, self.fields["password"])
        password.max_length = PASSWORD_MAX
        password.validators.append(MaxLengthValidator(PASSWORD_MAX))
        password.widget.attrs["maxlength"] = str(PASSWORD_MAX)


class SignInView(LoginView):
    """Django's sign-in page with SignInForm; a field refused outright (too long, a NUL) answers 400.

    Wrong credentials still answer 200 with the same words whether or not the
    username exists (django-axes counts them as before).
    """

    authentication_form = SignInForm

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        if any(name in form.errors for name in ("username", "password")) and form.data.get("username"):
            response.status_code = 400
        return response
