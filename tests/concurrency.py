"""Two sides of a race, each on its own thread and so its own database connection and transaction."""

from __future__ import annotations

import threading
import time

from django.db import connection

HOLD = 0.5  # seconds the first side keeps its transaction open


class Side(threading.Thread):
    """Run a function on its own connection; keep its outcome (a value or the exception) and timing."""

    def __init__(self, target):
        super().__init__(daemon=True)
        self.fn, self.outcome, self.elapsed = target, None, None

    def run(self):
        started = time.monotonic()
        try:
            self.outcome = self.fn()
        except Exception as exc:
            self.outcome = exc
        finally:
            self.elapsed = time.monotonic() - started
            connection.close()


def run_both(first, second):
    """Start both sides, wait for both, and return them; fail if either hangs."""
    a, b = Side(first), Side(second)
    a.start()
    b.start()
    a.join(20)
    b.join(20)
    assert not a.is_alive() and not b.is_alive(), "a side hung"
    return a, b
