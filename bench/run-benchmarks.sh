#!/usr/bin/env bash
# Reproduces the tables of BENCHMARKS.md. Run from the repository root.
# Builds orc (JIT and NativeAOT) and the bench program, generates the 10k and 100k workspaces
# under /tmp, then times the whole processes. Needs: .NET 10 SDK, jq (hyperfine optional).
set -euo pipefail
RUNS_SMALL=${RUNS_SMALL:-20}
RUNS_LARGE=${RUNS_LARGE:-10}

# ORC_SRC: the tree to build orc from (default: this one). BENCHMARKS.md used a clean export of a
# commit: git archive HEAD | tar -x -C /tmp/orc-head, then ORC_SRC=/tmp/orc-head.
ORC_SRC=${ORC_SRC:-.}
(cd "$ORC_SRC" && dotnet build -c Release src/Orchestrator.Cli \
  && dotnet publish src/Orchestrator.Cli -c Release -r linux-x64 -p:PublishAot=true -o artifacts/aot)
dotnet build -c Release bench/Orchestrator.Bench

BENCH=bench/Orchestrator.Bench/bin/Release/net10.0/orc-bench
JIT=$ORC_SRC/src/Orchestrator.Cli/bin/Release/net10.0/orc.dll
AOT=$ORC_SRC/artifacts/aot/orc

[ -d /tmp/orc-bench-10k ]  || $BENCH generate --items 10000  --out /tmp/orc-bench-10k  --orc $JIT
[ -d /tmp/orc-bench-100k ] || $BENCH generate --items 100000 --out /tmp/orc-bench-100k --orc $JIT

$BENCH version --orc $JIT --runs $RUNS_SMALL
$BENCH version --orc $AOT --runs $RUNS_SMALL
for n in 10k 100k; do
  runs=$RUNS_SMALL; [ $n = 100k ] && runs=$RUNS_LARGE
  $BENCH ready --orc $JIT --workspace /tmp/orc-bench-$n --runs $runs
  $BENCH ready --orc $AOT --workspace /tmp/orc-bench-$n --runs $runs
  $BENCH exec --runs $runs -- jq -c 'select(.status=="open")' /tmp/orc-bench-$n/ledger/issues.jsonl
  $BENCH profile --workspace /tmp/orc-bench-$n --runs $runs
done

if command -v hyperfine >/dev/null; then
  for n in 10k 100k; do
    hyperfine -N --warmup 2 --runs $RUNS_LARGE \
      "env ORC_WORKSPACE=/tmp/orc-bench-$n $AOT ready --json" \
      "jq -c 'select(.status==\"open\")' /tmp/orc-bench-$n/ledger/issues.jsonl"
  done
fi

# The agent runtime: 20 slings onto a 1,000-file rig, orc agents --json with 30 agents, tmux
# processes in steady state (needs tmux; strace optional for the cross-check).
$BENCH fleet --orc $AOT

# The TUI with 30 live agents: output -> tile, key -> frame, CPU quiet and printing, tmux processes
# in steady state; then orc tui itself in a terminal (needs tmux; strace optional).
$BENCH tui --orc $AOT
