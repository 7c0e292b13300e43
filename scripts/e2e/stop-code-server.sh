#!/usr/bin/env bash
# stop-code-server.sh STATE_DIR: stops the whole process group (server, extension hosts, watchers, our worker).
STATE=${1:?}; PID=$(cat "$STATE/code-server.pid" 2>/dev/null) || exit 0
kill -TERM -- "-$PID" 2>/dev/null || true
for _ in $(seq 1 20); do kill -0 -- "-$PID" 2>/dev/null || exit 0; sleep 0.25; done
kill -KILL -- "-$PID" 2>/dev/null || true
