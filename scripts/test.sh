#!/usr/bin/env bash
# `npm test`: the whole suite (unit, app on a real PostgreSQL, browser in Debian's Chromium).
# Uses the embedded PostgreSQL unless TEST_DATABASE_URL names a server (e.g. postgres://postgres@127.0.0.1:5432/postgres).
# It installs what the tests need when it can (root with apt-get); otherwise it stops at once with the exact
# command to run. It never skips a test because a tool is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
# The project's Node 24 (the `node` dev dependency) first, also when this script is run directly.
export PATH="$PWD/node_modules/.bin:$PATH"

bash scripts/ensure-system-deps.sh

# The production build (what `npm start` runs), so tests that start the app the README's way find it current.
node scripts/build.mjs --if-stale

mkdir -p test-results
status=0
# Every project but `load` (the 10-minute soak has its own command: npm run test:load).
projects=(--project unit --project app --project browser --project fuzz --project crash)
[ $# -gt 0 ] && projects=()
node_modules/.bin/vitest run "${projects[@]}" --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@" || status=$?

# A plain closing line that any CI reader understands.
if [ -f test-results/vitest.json ]; then
  node -e '
    const r = require("./test-results/vitest.json");
    const skipped = (r.numPendingTests || 0) + (r.numTodoTests || 0);
    console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
    if (r.numTotalTests === 0) { console.error("No test ran."); process.exit(1); }
    // Belt and braces: fail on any failed test or suite, whatever exit code the runner gave.
    if (r.numFailedTests > 0 || r.numFailedTestSuites > 0 || r.success === false) process.exit(1);
  ' || status=1
fi
exit "$status"
