#!/usr/bin/env bash
# start-code-server.sh CS_DIR STATE_DIR PORT WORKSPACE: starts code-server in its own process group and waits for it.
set -euo pipefail
CS=${1:?}; STATE=${2:?}; PORT=${3:?}; WS=${4:?}
mkdir -p "$STATE/user-data/User" "$STATE/extensions"
printf 'bind-addr: 127.0.0.1:%s\nauth: none\ncert: false\n' "$PORT" > "$STATE/config.yaml"
cat > "$STATE/user-data/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "update.mode": "none",
  "security.workspace.trust.enabled": false,
  "git.enabled": false
}
JSON
setsid "$CS/node_modules/.bin/code-server" --config "$STATE/config.yaml" \
  --auth none --bind-addr "127.0.0.1:$PORT" --disable-telemetry --disable-update-check \
  --disable-workspace-trust --disable-getting-started-override \
  --user-data-dir "$STATE/user-data" --extensions-dir "$STATE/extensions" "$WS" \
  > "$STATE/code-server.log" 2>&1 < /dev/null &
echo $! > "$STATE/code-server.pid"
for _ in $(seq 1 120); do
  if curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz"; then echo "code-server up on $PORT"; exit 0; fi
  sleep 0.5
done
echo "code-server did not come up"; cat "$STATE/code-server.log"; exit 1
