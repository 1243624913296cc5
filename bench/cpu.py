"""Print the CPU seconds used so far by the app server and its database backends.

    python bench/cpu.py SERVER_PID DATABASE_URL_OF_MAINTENANCE_DB DB_NAME

SERVER_PID's descendants (gunicorn's master and workers) plus every
PostgreSQL backend connected to DB_NAME, as "app_seconds db_seconds". Taken
before and after a phase, the difference divided by the requests served is
the CPU each request cost, which, unlike wall-clock latency, does not depend
on what else the machine is doing (other test runs, the load generator).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import psycopg

TICK = os.sysconf("SC_CLK_TCK")


def stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces; everything after its closing bracket splits cleanly.
    return text[text.rindex(")") + 2 :].split()


def cpu_seconds(pid: int) -> float:
    fields = stat(pid)
    # utime and stime are fields 14 and 15 of /proc/PID/stat, 12 and 13 after the name.
    return (int(fields[11]) + int(fields[12])) / TICK if fields else 0.0


def descendants(root: int) -> set[int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := stat(int(entry.name))):
            parents[int(entry.name)] = int(fields[1])
    found, frontier = {root}, {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def main(server_pid: int, maintenance_url: str, db_name: str) -> None:
    with psycopg.connect(maintenance_url) as conn:
        backends = [row[0] for row in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [db_name])]
    app = sum(cpu_seconds(pid) for pid in descendants(server_pid))
    db = sum(cpu_seconds(pid) for pid in backends)
    print(f"{app:.2f} {db:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], sys.argv[3])
