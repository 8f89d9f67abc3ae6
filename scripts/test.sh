#!/usr/bin/env bash
# The whole test suite on a fresh machine: npm packages, lint, unit tests, integration tests on
# the local fleet (which installs its Debian packages itself), and the container suite (which
# starts its own Docker engine). Prints one closing line "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

# The HTML report is checked in headless Chromium (Debian's chromium); the fleet and the container
# suite install their own packages. Without root the HTML check skips and says why.
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || echo "test.sh: could not install chromium; the HTML report check will skip"
  else
    echo "test.sh: chromium is not installed (apt-get install chromium); the HTML report check will skip"
  fi
fi

# The importer's unit tests check dbwave's reading of Ansible inventories against the real
# ansible-inventory (Debian's ansible-core): they need it, and fail without it rather than skip.
if ! command -v ansible-inventory >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ansible-core >/dev/null) \
      || echo "test.sh: could not install ansible-core; the Ansible import tests will fail"
  else
    echo "test.sh: ansible-inventory is not installed (apt-get install ansible-core); the Ansible import tests will fail"
  fi
fi

# The Prometheus alert rules in dashboards/ are checked and unit-tested with promtool, from
# Debian's prometheus package (the unit suite fails without it, naming the package).
if ! command -v promtool >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null) \
      || echo "test.sh: could not install prometheus (promtool); the alert rule tests will fail"
  else
    echo "test.sh: promtool is not installed (apt-get install prometheus); the alert rule tests will fail"
  fi
fi

results=$(mktemp -d)
status=0
suite() {
  local name=$1 config=$2
  echo "=== ${name} ==="
  npx vitest run --config "$config" --reporter=default --reporter=json --outputFile="${results}/${name}.json" || status=1
}

echo "=== lint ==="
npm run lint || status=1
suite unit vitest.config.ts
suite integration vitest.integration.config.ts
if [ -f vitest.containers.config.ts ]; then
  suite containers vitest.containers.config.ts
fi

node -e '
  const fs = require("node:fs");
  let passed = 0, failed = 0, skipped = 0;
  for (const file of fs.readdirSync(process.argv[1])) {
    const r = JSON.parse(fs.readFileSync(process.argv[1] + "/" + file, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  }
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$results"
exit $status
