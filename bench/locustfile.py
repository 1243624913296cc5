"""Locust users for bench/load.sh: senior leaders reading the scorecard, data entry users saving returns.

BENCH_PEOPLE names the JSON bench/load_users.py printed. BENCH_PHASE picks
what the users do:

- ``mixed``: leaders open the published December 2017 scorecard; data entry
  users open their month's completeness page, then their return's form, and
  save it with one figure changed (a real write: new version, audit rows).
- ``trivial``: leaders only, the home page: the ceiling.
- ``scorecard``: leaders only, the scorecard page.

BENCH_THINK_SECONDS ("1-3", or "0-0" for none) is the pause between a person's pages.

A response counts as an error unless it is exactly what a person expects:
200 for pages, 302 (saved) for a form post.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from pathlib import Path

from locust import FastHttpUser, between, constant, task

PHASE = os.environ.get("BENCH_PHASE", "mixed")
PEOPLE = json.loads(Path(os.environ["BENCH_PEOPLE"]).read_text())
LOW, HIGH = (float(x) for x in os.environ.get("BENCH_THINK_SECONDS", "1-3").split("-"))
SCORECARD = os.environ.get("BENCH_SCORECARD_PATH", "/scorecard/2017-12/")

_leaders = itertools.cycle(PEOPLE["leaders"])
_entry = iter(PEOPLE["entry"])
_VERSION = re.compile(r'name="version" value="(\d+)"')
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Person(FastHttpUser):
    abstract = True
    wait_time = between(LOW, HIGH) if HIGH > 0 else constant(0)

    def sign_in_as(self, person: dict) -> None:
        self.client.cookiejar.set_cookie(_cookie("sessionid", person["session"]))

    def get(self, path: str, name: str) -> str | None:
        with self.client.get(path, name=name, catch_response=True, allow_redirects=False) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} for {path}")
                return None
            return response.text


class Leader(Person):
    fixed_count = len(PEOPLE["leaders"])

    def on_start(self) -> None:
        self.sign_in_as(next(_leaders))

    @task
    def read(self) -> None:
        if PHASE == "trivial":
            self.get("/", "trivial page (home)")
        else:
            self.get(SCORECARD, "scorecard page")


class DataEntry(Person):
    fixed_count = len(PEOPLE["entry"]) if PHASE == "mixed" else 0

    def on_start(self) -> None:
        me = next(_entry)
        self.sign_in_as(me)
        self.form = f"/returns/{me['month']}/{me['team']}/"
        self.completeness = f"/returns/{me['month']}/"
        self.values = dict(me["values"])

    @task
    def enter_the_return(self) -> None:
        if self.get(self.completeness, "completeness page") is None:
            return
        self.wait()
        page = self.get(self.form, "return form")
        if page is None:
            return
        self.wait()
        version, token = _VERSION.search(page), _CSRF.search(page)
        # One figure moves by one each time, so every save really writes.
        self.values["open_cases"] = self.values.get("open_cases", 100) + random.choice((-1, 1))
        data = {
            "csrfmiddlewaretoken": token.group(1),
            "version": version.group(1),
            "comment": "",
            "action": "save",
            **{code: str(value) for code, value in self.values.items()},
        }
        with self.client.post(
            self.form,
            data=data,
            name="return form save",
            catch_response=True,
            allow_redirects=False,
            headers={"Referer": self.host + self.form},
        ) as response:
            if response.status_code != 302:
                response.failure(f"save answered {response.status_code}")


def _cookie(name: str, value: str):
    from http.cookiejar import Cookie

    return Cookie(0, name, value, None, False, "127.0.0.1", False, False, "/", True, False, None, False, None, None, {})
