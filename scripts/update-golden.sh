#!/usr/bin/env bash
# Rewrites the golden event logs under testdata/golden/ from the current
# code, then shows what changed. Run it after an intended change of
# scheduling or of the event format, and review the diff before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
go test ./examples/... -run 'TestGolden' -count=1 -update
git --no-pager diff --stat -- testdata/golden || true
