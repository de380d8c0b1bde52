#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A short fixed-seed slice of exlink's input fuzzer (make fuzz runs it for minutes): damaged
# exlink.moments text and binary values, wild arrays, labels, k and levels fed to every exlink
# function; fails on a crash or an internal error (XX000) raised by exlink.
set -euo pipefail
cd "$(dirname "$0")/../.."
FUZZ_OUT="$PWD/results/fuzz-slice" FUZZ_PHASES=inputs FUZZ_SEED=${FUZZ_SEED:-7} \
    FUZZ_INPUT_CASES=${FUZZ_INPUT_CASES:-100} tools/fuzz.sh
q() { psql -X -q -At "$@"; }
q -d postgres -c "DROP DATABASE IF EXISTS exlink_fuzz" -c "DROP DATABASE IF EXISTS exlink_fuzz_ascii" >/dev/null
