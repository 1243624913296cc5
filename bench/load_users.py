"""Make the load benchmark's people: senior leaders and data entry users, each signed in.

Run by bench/load.sh against its scratch database after `manage.py demo`.
Prints JSON for bench/locustfile.py: a session cookie per user and, for each
data entry user, the one return they own (their team, a month of their own)
with the figures they start from, so no two users ever edit the same return.

Sessions are written straight to the session store, as a sign-in would leave
them: signing 80 people in through the form would measure password hashing
and trip the sign-in lockout, neither of which is the load being studied.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scorecard.settings")

import django

django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402

from lib.months import Month  # noqa: E402
from returns.models import ReturnValue  # noqa: E402
from scorecard import roles  # noqa: E402
from scorecard.middleware import LAST_SEEN_AT, STARTED_AT  # noqa: E402
from teams.models import Membership, Team  # noqa: E402

BASE_MONTH = Month(2017, 12)  # the demo's last approved month: each team's starting figures
FIRST_OPEN = Month(2018, 1)


def signed_in(user: User) -> str:
    """Return the key of a fresh session for `user`, shaped as Django's login() leaves it."""
    session = SessionStore()
    now = int(time.time())
    session.update(
        {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
            STARTED_AT: now,
            LAST_SEEN_AT: now,
        }
    )
    session.create()
    return session.session_key


def make_user(username: str, group: str) -> User:
    user, _ = User.objects.get_or_create(username=username)
    user.set_unusable_password()
    user.save()
    user.groups.set([Group.objects.get(name=group)])
    return user


def main(leaders: int, entry_users: int) -> dict:
    teams = list(Team.objects.filter(active=True).order_by("code"))
    people = {"leaders": [], "entry": []}
    for n in range(1, leaders + 1):
        people["leaders"].append({"session": signed_in(make_user(f"bench.leader{n:02}", roles.LEADERS))})
    for n in range(entry_users):
        team = teams[n % len(teams)]
        month = FIRST_OPEN + n // len(teams)
        user = make_user(f"bench.entry{n + 1:02}", roles.DATA_ENTRY)
        Membership.objects.get_or_create(user=user, team=team)
        start = dict(
            ReturnValue.objects.filter(
                ret__team=team, ret__month=BASE_MONTH.first_day, value__isnull=False
            ).values_list("measure__code", "value")
        )
        people["entry"].append({"session": signed_in(user), "team": team.code, "month": str(month), "values": start})
    return people


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]))))
