#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Install what the dashboard example (examples/dashboard/) and its browser test
# (test/shell/dashboard.sh) need (idempotent): Node.js and npm, Debian's chromium (the headless
# browser the test renders the page in), and the dashboard's locked npm dependencies
# (package-lock.json: node-postgres, d3, Observable Plot) into examples/dashboard/node_modules
# and npm's cache, from which the test builds it offline.  Nothing is fetched when the dashboard
# runs: the page's libraries are served from node_modules.
# As root it installs the Debian packages; otherwise it prints what to run.
set -uo pipefail
cd "$(dirname "$0")/.."

pkgs=()
command -v node >/dev/null || pkgs+=(nodejs)
command -v npm >/dev/null || pkgs+=(npm)
command -v chromium >/dev/null || command -v chromium-browser >/dev/null || pkgs+=(chromium)
if [ ${#pkgs[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
        echo "exlink: the dashboard test will skip; to run it: sudo apt-get install -y ${pkgs[*]}" >&2
    else
        echo "exlink: installing ${pkgs[*]} for the dashboard example"
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null \
            || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null; } \
            || echo "exlink: could not install ${pkgs[*]}; the dashboard test skips" >&2
    fi
fi

# The locked dependencies, unless node_modules already holds exactly the lock.
if command -v npm >/dev/null; then
    lock=examples/dashboard/package-lock.json installed=examples/dashboard/node_modules/.package-lock.json
    if ! [ -f "$installed" ] || [ "$installed" -ot "$lock" ]; then
        (cd examples/dashboard && npm ci --no-audit --no-fund --silent) \
            || echo "exlink: npm ci in examples/dashboard failed; the dashboard test fails to build it" >&2
    fi
fi
exit 0
