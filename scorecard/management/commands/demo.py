"""Set up the demo council with four years of approved returns ending December 2017."""

import re
import secrets
import socket

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from scorecard.demo.loader import DEMO_USERS, load_demo

DEFAULT_ADDRESS = "127.0.0.1:8000"
_ADDRESS = re.compile(r"^(?:(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):)?(?P<port>[0-9]{1,5})$")


def served_url(address: str) -> str:
    """Return the URL a browser opens for runserver's address (PORT, HOST:PORT or [IPv6]:PORT).

    An address listening on every interface (0.0.0.0, [::]) is reached through this machine's name.
    """
    match = _ADDRESS.match(address.strip())
    if not match or not 1 <= int(match["port"]) <= 65535:
        raise ValueError(
            f"{address!r} is not an address to serve on: give PORT, HOST:PORT or [IPv6]:PORT, "
            "for example 127.0.0.1:8000 or 0.0.0.0:8080."
        )
    host = match["host"] or "127.0.0.1"
    if host in ("0.0.0.0", "[::]"):
        host = socket.gethostname()
    return f"http://{host}:{int(match['port'])}"


class Command(BaseCommand):
    help = "Load the demo council (December 2017 scorecard) with its users. Refused when debug is off."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="Password for every demo user (default: generated and printed).")
        parser.add_argument(
            "--address",
            default=DEFAULT_ADDRESS,
            help="Where the demo will be served, as runserver takes it (HOST= of make demo): "
            "PORT, HOST:PORT or [IPv6]:PORT; printed as the address to sign in at.",
        )

    def handle(self, *args, password=None, address=DEFAULT_ADDRESS, **options):
        if not settings.DEBUG:
            raise CommandError(
                "The demo creates users with a known password, so it is refused when DJANGO_DEBUG is off."
            )
        try:
            url = served_url(address)
        except ValueError as error:
            raise CommandError(str(error)) from None
        password = password if password is not None else secrets.token_urlsafe(12)
        try:
            validate_password(password)
        except ValidationError as error:
            raise CommandError("The password is too weak: " + " ".join(error.messages)) from None
        result = load_demo(password=password)
        self.stdout.write(f"Demo council loaded ({result['values_written']} values written).")
        self.stdout.write(f"Sign in at {url}/accounts/login/ as one of:")
        for username, role, _staff, areas in DEMO_USERS:
            where = f" for {', '.join(areas)}" if areas else ""
            self.stdout.write(f"  {username:<12} {role}{where}")
        self.stdout.write(f"Password for all of them: {password}")
