#!/usr/bin/env bash
# Takes a PNG screenshot of a weft HTML timeline with headless Chromium.
#
#   scripts/screenshot.sh TIMELINE.html OUT.png [WIDTHxHEIGHT]
#
# Without arguments it makes a real run first: the planted bug of
# examples/register (a read from one replica) on the first failing seed,
# writes that run's timeline, and shoots docs/timeline.png from it.
set -euo pipefail
cd "$(dirname "$0")/.."

browser="${WEFT_CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
if [[ -z "$browser" ]]; then
	echo "screenshot.sh: chromium not found; install it (apt-get install -y --no-install-recommends chromium) or set WEFT_CHROMIUM" >&2
	exit 1
fi

if [[ $# -eq 0 ]]; then
	dir="$(mktemp -d)"
	trap 'rm -rf "$dir"' EXIT
	# The run fails (exit status 1): that is the point.
	go run ./examples/register -bug -trace "$dir" >"$dir/out.txt" || true
	page="$(ls "$dir"/*.html | head -n 1)"
	if [[ -z "$page" ]]; then
		echo "screenshot.sh: the run wrote no timeline:" >&2
		cat "$dir/out.txt" >&2
		exit 1
	fi
	set -- "$page" docs/timeline.png
	cat "$dir/out.txt"
fi

page="$1"
out="$2"
size="${3:-1600x900}"
mkdir -p "$(dirname "$out")"
profile="$(mktemp -d)"
trap 'rm -rf "$profile" ${dir:+"$dir"}' EXIT
"$browser" --headless --no-sandbox --disable-gpu --no-first-run --hide-scrollbars \
	--user-data-dir="$profile" --virtual-time-budget=10000 \
	--window-size="${size/x/,}" --screenshot="$(realpath "$out")" "file://$(realpath "$page")" 2>/dev/null
echo "screenshot.sh: wrote $out from $page"
