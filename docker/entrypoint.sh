#!/bin/sh
# Container entrypoint: prepare the per-container metrics folder, then run the command.
set -eu

if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
  # prometheus_client multiprocess mode: the folder must exist before Python starts and
  # must not hold a previous run's samples (they would be added to this run's).
  mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
  find "$PROMETHEUS_MULTIPROC_DIR" -mindepth 1 -delete
fi

exec "$@"
