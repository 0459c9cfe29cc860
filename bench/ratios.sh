#!/usr/bin/env bash
# orc against references doing comparable work on the same machine, side by side, in one table:
# orc --version / hook / prime vs git --version, orc ready --json vs jq (10k and 100k items, index
# fresh and stale), orc item create vs git commit. Informational: the figures are printed, not judged.
#
# Run from the repository root. Needs: .NET 10 SDK, git, jq.
#   bench/ratios.sh                 build the NativeAOT orc (3-7 min) and the bench, 10 runs a row
#   RUNS=3 LARGE=0 bench/ratios.sh  CI: 3 runs a row, no 100k ledger (a few minutes in all)
#   ORC=path/to/orc bench/ratios.sh measure that binary instead of building one
# Other settings: ITEMS (10000), LARGE (100000; 0 skips), DIR (/tmp/orc-bench-ratios), OUT (artifacts/aot).
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-10}
ITEMS=${ITEMS:-10000}
LARGE=${LARGE:-100000}
DIR=${DIR:-/tmp/orc-bench-ratios}
OUT=${OUT:-artifacts/aot}

for tool in git jq; do
  command -v "$tool" >/dev/null || { echo "ratios.sh: $tool is needed (apt-get install -y $tool)" >&2; exit 2; }
done

if [ -z "${ORC:-}" ]; then
  echo "ratios.sh: publishing the NativeAOT orc to $OUT (3-7 minutes)" >&2
  dotnet publish src/Orchestrator.Cli -c Release -r linux-x64 -p:PublishAot=true -o "$OUT" -v q >&2
  ORC=$OUT/orc
fi
dotnet build -c Release bench/Orchestrator.Bench -v q >&2

bench/Orchestrator.Bench/bin/Release/net10.0/orc-bench ratios --orc "$ORC" --runs "$RUNS" \
  --items "$ITEMS" --large "$LARGE" --dir "$DIR"
