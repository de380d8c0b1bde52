#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Build exlink (tools/with-cluster.sh installs it into its private server copy).
set -euo pipefail
cd "$(dirname "$0")/.."
make -s -j"$(nproc 2>/dev/null || echo 2)" ${EXLINK_CFLAGS:+EXLINK_CFLAGS="$EXLINK_CFLAGS"}
