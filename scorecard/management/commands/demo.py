"""Set up the demo council with four years of approved returns ending December 2017."""

import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from scorecard.demo.loader import DEMO_USERS, load_demo


class Command(BaseCommand):
    help = "Load the demo council (December 2017 scorecard) with its users. Refused when debug is off."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="Password for every demo user (default: generated and printed).")

    def handle(self, *args, password=None, **options):
        if not settings.DEBUG:
            raise CommandError(
                "The demo creates users with a known password, so it is refused when DJANGO_DEBUG is off."
            )
        password = password if password is not None else secrets.token_urlsafe(12)
        try:
            validate_password(password)
        except ValidationError as error:
            raise CommandError("The password is too weak: " + " ".join(error.messages)) from None
        result = load_demo(password=password)
        self.stdout.write(f"Demo council loaded ({result['values_written']} values written).")
        self.stdout.write("Sign in at http://127.0.0.1:8000/accounts/login/ as one of:")
        for username, role, _staff, areas in DEMO_USERS:
            where = f" for {', '.join(areas)}" if areas else ""
            self.stdout.write(f"  {username:<12} {role}{where}")
        self.stdout.write(f"Password for all of them: {password}")
