#!/usr/bin/env bash
# Installs Mesa's software Vulkan driver (lavapipe) and the Vulkan loader from Debian bookworm-backports, so the
# WebGPU execution provider (Dawn on Vulkan) has an adapter on a machine without a GPU. Dawn needs Mesa >= 25;
# bookworm itself has 22.3. The backports suite is added by copying this machine's own Debian source entry (its
# mirror, its keyring), so no mirror address is written into the repository. Run as root; idempotent.
set -euo pipefail

SUITE=bookworm-backports
TARGET=/etc/apt/sources.list.d/lens-bookworm-backports.sources

if [ "$(id -u)" != 0 ]; then
  echo "install-vulkan: needs root (apt-get)" >&2
  exit 1
fi

has_backports() {
  grep -rqsE "(^|[[:space:]])${SUITE}([[:space:]]|$)" /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null
}

# The deb822 stanza (sources.list.d/*.sources) whose Suites list plain "bookworm", with Suites replaced.
backports_from_deb822() {
  local file
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] || continue
    awk -v suite="$SUITE" '
      BEGIN { RS = ""; FS = "\n" }
      {
        found = 0; out = ""
        for (i = 1; i <= NF; i++) {
          line = $i
          if (line ~ /^#/) continue
          if (line ~ /^Suites:/) {
            n = split(substr(line, 8), words, /[ \t]+/)
            for (j = 1; j <= n; j++) if (words[j] == "bookworm") found = 1
            line = "Suites: " suite
          }
          out = out line "\n"
        }
        if (found && out ~ /Types:[^\n]*deb([ \t]|\n)/) { printf "%s", out; exit }
      }' "$file"
  done | awk 'BEGIN { RS = ""; ORS = "\n" } NR == 1 { print }'
}

# The one-line entry (sources.list) for plain "bookworm", as a deb822 stanza for the backports suite.
backports_from_list() {
  [ -f /etc/apt/sources.list ] || return 0
  awk -v suite="$SUITE" '
    /^[[:space:]]*deb[[:space:]]/ {
      line = $0; options = ""
      if (match(line, /\[[^]]*\]/)) { options = substr(line, RSTART + 1, RLENGTH - 2); line = substr(line, 1, RSTART - 1) substr(line, RSTART + RLENGTH) }
      n = split(line, f, /[[:space:]]+/)
      k = (f[1] == "") ? 2 : 1
      if (f[k + 2] != "bookworm") next
      components = ""
      for (i = k + 3; i <= n; i++) components = components (components == "" ? "" : " ") f[i]
      print "Types: deb"; print "URIs: " f[k + 1]; print "Suites: " suite; print "Components: " components
      m = split(options, o, /[[:space:]]+/)
      for (i = 1; i <= m; i++) if (o[i] ~ /^signed-by=/) print "Signed-By: " substr(o[i], 11)
      exit
    }' /etc/apt/sources.list
}

if ! has_backports; then
  stanza="$(backports_from_deb822)"
  [ -n "$stanza" ] || stanza="$(backports_from_list)"
  if [ -z "$stanza" ]; then
    echo "install-vulkan: found no Debian bookworm source entry in /etc/apt to copy for ${SUITE}" >&2
    exit 1
  fi
  printf '%s\n' "$stanza" >"$TARGET"
  echo "install-vulkan: added ${SUITE} to ${TARGET}:"
  sed 's/^/  /' "$TARGET"
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends -t "$SUITE" mesa-vulkan-drivers libvulkan1 >/dev/null

version="$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers)"
major="${version%%.*}"
major="${major#*:}"
if [ "$major" -lt 25 ]; then
  echo "install-vulkan: mesa-vulkan-drivers ${version} is older than 25; Dawn needs Mesa >= 25" >&2
  exit 1
fi
echo "install-vulkan: mesa-vulkan-drivers ${version}, libvulkan1 $(dpkg-query -W -f='${Version}' libvulkan1)"
