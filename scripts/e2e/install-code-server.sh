#!/usr/bin/env bash
# Installs code-server (VS Code with a real Node extension host) into DEST without downloading any binary:
# Debian's ripgrep seeds @vscode/ripgrep's download cache; node-gyp builds against the local Node headers.
set -euo pipefail
DEST=${1:?usage: install-code-server.sh DEST_DIR}
CS_VERSION=4.100.3
RG_PKG_VERSION=1.15.11   # @vscode/ripgrep version pinned in code-server's lib/vscode/npm-shrinkwrap.json
RG_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
if [ -x "$DEST/node_modules/.bin/code-server" ]; then exit 0; fi
need=()
for p in ripgrep chromium libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config build-essential python3; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"; fi
test -f /usr/include/node/node_api.h || { echo "node headers missing in /usr/include/node"; exit 1; }
mkdir -p "$DEST"; DEST=$(cd "$DEST" && pwd); cd "$DEST"
[ -f package.json ] || echo '{"name":"vscode-host","private":true}' > package.json
export TMPDIR="$DEST/.tmp"
mkdir -p "$TMPDIR/vscode-ripgrep-cache-$RG_PKG_VERSION" "$DEST/.rgstage"
cp /usr/bin/rg "$DEST/.rgstage/rg"
tar czf "$TMPDIR/vscode-ripgrep-cache-$RG_PKG_VERSION/$RG_ASSET" -C "$DEST/.rgstage" rg
npm_config_yes=true npm_config_nodedir=/usr \
  npm install --unsafe-perm --foreground-scripts --no-audit --no-fund "code-server@$CS_VERSION" playwright-core@1.56.1 mocha@11.8.0 > "$DEST/install.log" 2>&1 \
  || { tail -40 "$DEST/install.log"; exit 1; }
test -x "$DEST/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"
"$DEST/node_modules/.bin/code-server" --version
