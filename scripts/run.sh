#!/usr/bin/env bash
# Start web, Celery worker and beat together; Ctrl-C stops all three.
set -euo pipefail
BIN=${BIN:-.venv/bin}
PORT=${PORT:-8000}
# Links in the notification e-mails (printed by the console backend) point here.
export SITE_URL=${SITE_URL:-http://127.0.0.1:$PORT}
mkdir -p var/celery/queue var/celery/processed

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "Stopping web, worker and beat..."
  kill "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}
trap stop INT TERM EXIT

"$BIN/celery" -A shop worker --loglevel INFO --concurrency 2 &
pids+=($!)
"$BIN/celery" -A shop beat --loglevel INFO --schedule var/celerybeat-schedule &
pids+=($!)
"$BIN/python" manage.py runserver "127.0.0.1:$PORT" --noreload &
pids+=($!)

echo "Bazaar is serving http://127.0.0.1:$PORT/ (Ctrl-C stops web, worker and beat)"
# Stop everything as soon as any one of the three dies, rather than limp on.
wait -n "${pids[@]}"
