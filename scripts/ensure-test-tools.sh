#!/usr/bin/env bash
# `npm test` runs this first, so the README's test command works on a machine that has only Node
# and apt: it installs the Debian tools the tests use as independent readers and writers (and the
# npm packages, if nobody ran `npm ci` yet). Where it cannot install, it says in one line what to.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v sox >/dev/null || need+=(sox)                  # reads our WAVs back; makes test signals
command -v xmllint >/dev/null || need+=(libxml2-utils)    # reads our iXML back
command -v lame >/dev/null || need+=(lame)                # the audio-import specs encode MP3 with it
command -v opusenc >/dev/null || need+=(opus-tools)       # …and Ogg Opus with opusenc
[ -x /usr/bin/chromium ] || need+=(chromium)              # e2e tests drive Debian's Chromium
command -v redis-server >/dev/null || need+=(redis-server) # the render-farm specs start their own Redis
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "test tools: installing ${need[*]} (apt-get)" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "test tools: missing ${need[*]} — install them (Debian/Ubuntu: sudo apt-get install ${need[*]}), then run npm test again" >&2
    exit 1
  fi
fi
if [ ! -d node_modules/vitest ]; then
  echo "test tools: installing npm packages (npm ci)" >&2
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
fi
