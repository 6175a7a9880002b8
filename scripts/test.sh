#!/usr/bin/env bash
# `npm test`: the test tools, then the checks (types, lint with the layer rules, format), then the
# two test lanes, unit first (test-lanes.config.ts). Stops at the first step that fails and prints
# how long each step took.
set -euo pipefail
cd "$(dirname "$0")/.."

times=()
step() {
  local name=$1 started=$SECONDS
  shift
  echo "── $name: $*"
  if ! "$@"; then
    echo "── $name FAILED after $((SECONDS - started)) s"
    exit 1
  fi
  times+=("$name $((SECONDS - started)) s")
  echo "── $name: $((SECONDS - started)) s"
}

step tools bash scripts/ensure-test-tools.sh
step typecheck npm run --silent typecheck
step lint npm run --silent lint
step format npm run --silent format:check
step unit-lane npm run --silent test:unit
step e2e-lane npm run --silent test:e2e
echo "── times: $(IFS=,; echo "${times[*]}" | sed 's/,/, /g')"
