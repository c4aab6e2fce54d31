#!/usr/bin/env bash
# Runs every libFuzzer target of Fuzz/ for a bounded time each, over a working corpus seeded
# from Tests/Fuzz/<target>/, and fails if any finds a crash or a property failure (its input is
# kept in .build-fuzz/artifacts/). Prints the executions per target.
#   scripts/fuzz.sh SECONDS
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
scratch=.build-fuzz
(cd Fuzz && swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library \
  --scratch-path "../$scratch")
mkdir -p "$scratch/artifacts"
status=0
summary="$scratch/fuzz-summary.txt"
: > "$summary"
for target in FuzzAddresses FuzzPorts FuzzSegments FuzzHTTP; do
  corpus="$scratch/corpus/$target"
  mkdir -p "$corpus"
  log="$scratch/$target.log"
  # -timeout: a single input running over 10 s counts as a hang; -rss_limit_mb bounds memory.
  if "$scratch/release/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -print_final_stats=1 -artifact_prefix="$scratch/artifacts/$target-" \
       "$corpus" "Tests/Fuzz/$target" >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    echo "$target: $runs executions in ${seconds} s, 0 crashes" | tee -a "$summary"
  else
    echo "$target: FAILED (see $log; the input is in $scratch/artifacts/)" | tee -a "$summary"
    grep -E 'Fatal error|precondition|ERROR' "$log" | head -5
    status=1
  fi
done
exit $status
