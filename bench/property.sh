#!/bin/sh
# The soundness property tests (Tests/GraftTests/PatchPropertyTests.swift)
# with more generated pairs than CI runs: N per shard, two shards (one per
# core). Prints each shard's count of triples, admitted ones and ones
# compared with NEW resumed from the transformed state.
#
#   bench/property.sh [N]        (default 20000 pairs per shard, ~46,000 triples)
set -eu
cd "$(dirname "$0")/.."
N=${1:-20000}
swift build --build-tests >/dev/null
GRAFT_PROPERTY_PAIRS=$N swift test --skip-build --filter 'PatchPropertyTests/soundness' 2>&1 \
  | grep -E '^patch properties|✘|✔ Test "\(i\)'
