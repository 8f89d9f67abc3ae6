#!/usr/bin/env bash
# The main job on a fresh machine: npm packages, then the demo on the local fleet
# (which installs its Debian packages itself, as root, or says what to install).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run demo -- "$@"
