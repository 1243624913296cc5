#!/usr/bin/env bash
# Load benchmark: the production server (gunicorn, 2 workers, production settings) on
# PostgreSQL, driven by Locust over loopback only, bounded in time.
#
#   bash bench/load.sh            # about 4 minutes on a 2-core machine
#
# 1. A scratch database (BENCH_DB, default bench_load) on BENCH_PG gets the demo council,
#    30 senior leaders and 50 data entry users (bench/load_users.py); it is dropped at the end.
# 2. Mixed load, BENCH_SECONDS (60): 30 leaders reading the published December 2017
#    scorecard, 50 data entry users opening their completeness page and return form and
#    saving it, each pausing BENCH_THINK_SECONDS (1-3) between pages as people do.
# 3. The same mix with no pauses (saturation), then the ceiling: 30 leaders with no pauses on
#    a trivial signed-in page (home), then on the scorecard page; BENCH_CEILING_SECONDS (20) each.
# Prints requests/s, p50/p95/p99 and errors per phase and page, and the ceiling ratio.
# The load generator runs on the same 2 cores as the server and the database, so it also
# prints the server's CPU time per request (gunicorn workers and PostgreSQL backends, from
# /proc), which holds even when other work shares the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
DB=${BENCH_DB:-bench_load}
SECONDS_MIXED=${BENCH_SECONDS:-60}
SECONDS_CEILING=${BENCH_CEILING_SECONDS:-20}
THINK=${BENCH_THINK_SECONDS:-1-3}
LEADERS=30
ENTRY=50
PY=.venv/bin/python
LOCUST=bench/.venv/bin/locust

[[ "$DB" =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "BENCH_DB must be a plain lower-case name" >&2; exit 2; }
[ -x "$PY" ] || { echo "Run make setup first." >&2; exit 2; }
if [ ! -x "$LOCUST" ]; then
  echo "== installing Locust into bench/.venv (bench/requirements.txt)"
  python3 -m venv bench/.venv
  bench/.venv/bin/pip install --quiet -r bench/requirements.txt
fi

read -r LOAD_BEFORE _ </proc/loadavg
echo "== machine: $(nproc) cores, load average $LOAD_BEFORE before the run"
if awk "BEGIN { exit !($LOAD_BEFORE > 1.0) }"; then
  echo "warning: something else is already using the CPU: the figures below will be pessimistic" >&2
fi

WORK=$(mktemp -d)
PORT=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
SERVER_PID=""
export DATABASE_URL="$PG/$DB"
export DJANGO_SECRET_KEY="bench-only-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
export DJANGO_ALLOWED_HOSTS=127.0.0.1
# Plain HTTP on loopback: no redirect to HTTPS, and cookies the client may send back over HTTP.
export DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_SECURE_COOKIES=0
export DJANGO_STATIC_ROOT="$WORK/static"
export DJANGO_LOG_LEVEL=WARNING

database() {  # database create|drop: the scratch database, via the maintenance database
  $PY - "$1" "$PG/postgres" "$DB" <<'EOF'
import sys, psycopg
action, url, name = sys.argv[1:]
with psycopg.connect(url, autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if action == "create":
        conn.execute(f'CREATE DATABASE "{name}"')
EOF
}

cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  database drop || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== scratch database $DB: migrate, demo council, $LEADERS leaders and $ENTRY data entry users"
database create
$PY manage.py migrate --no-input --verbosity 0
DJANGO_DEBUG=1 $PY manage.py demo --password "bench-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" >/dev/null
$PY bench/load_users.py "$LEADERS" "$ENTRY" >"$WORK/people.json"
$PY manage.py collectstatic --no-input --verbosity 0

echo "== gunicorn, 2 workers, production settings, on 127.0.0.1:$PORT"
# Connections kept for the whole run, so bench/cpu.py sees every database backend that served it.
WEB_CONCURRENCY=2 DATABASE_CONN_MAX_AGE=900 timeout 900 .venv/bin/gunicorn scorecard.wsgi:application \
  --no-control-socket --bind "127.0.0.1:$PORT" --timeout 30 --error-logfile "$WORK/gunicorn.log" &
SERVER_PID=$!
for _ in $(seq 60); do
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null || { cat "$WORK/gunicorn.log"; exit 1; }

cpu() { $PY bench/cpu.py "$SERVER_PID" "$PG/postgres" "$DB"; }

run() {  # run NAME PHASE SECONDS USERS THINK: one bounded Locust run, stats in $WORK/NAME_stats.csv
  cpu >"$WORK/$1_cpu_before"
  BENCH_PHASE=$2 BENCH_PEOPLE="$WORK/people.json" BENCH_THINK_SECONDS=$5 timeout $(($3 + 60)) \
    "$LOCUST" -f bench/locustfile.py --headless --host "http://127.0.0.1:$PORT" --users "$4" \
    --spawn-rate "$4" --run-time "${3}s" --stop-timeout 10 --csv "$WORK/$1" --only-summary \
    --loglevel ERROR >"$WORK/$1.log" 2>&1 || { echo "locust $1 failed:"; tail -20 "$WORK/$1.log"; }
  cpu >"$WORK/$1_cpu_after"
}

echo "== warm-up (10 s), then mixed load with ${THINK}s pauses (${SECONDS_MIXED} s)"
run warmup scorecard 10 "$LEADERS" 0-0
run mixed mixed "$SECONDS_MIXED" $((LEADERS + ENTRY)) "$THINK"
echo "== mixed load without pauses (${SECONDS_CEILING} s)"
run saturated mixed "$SECONDS_CEILING" $((LEADERS + ENTRY)) 0-0
echo "== ceiling: trivial signed-in page, then the scorecard page, $LEADERS users, no pauses (${SECONDS_CEILING} s each)"
run trivial trivial "$SECONDS_CEILING" "$LEADERS" 0-0
run scorecard scorecard "$SECONDS_CEILING" "$LEADERS" 0-0

$PY bench/load_report.py "$WORK" "$THINK"
read -r LOAD_AFTER _ </proc/loadavg
echo "load average after the run: $LOAD_AFTER (before: $LOAD_BEFORE)"
if grep -q "Traceback\|ERROR" "$WORK/gunicorn.log"; then
  echo "gunicorn logged errors:"; grep -m5 "ERROR" "$WORK/gunicorn.log"
fi
