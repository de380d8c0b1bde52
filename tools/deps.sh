#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Install exactly the Debian/Ubuntu packages exlink needs that are missing (idempotent).
# As root it installs them; otherwise it prints the one command to run.
#   usage: tools/deps.sh [--fuzz]
set -euo pipefail

PGV=${PG_MAJOR:-15}
need=(make build-essential pkg-config libgsl-dev libssl-dev
      "postgresql-$PGV" "postgresql-server-dev-$PGV" postgresql-contrib)
# Optional extras used by the scheduling docs test; installed when the archive has them.
optional=("postgresql-$PGV-cron")
# --fuzz: also what make fuzz needs (sqlsmith, a random SQL generator).
[ "${1:-}" = --fuzz ] && need+=(sqlsmith)

missing=()
for p in "${need[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
for p in "${optional[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if ! command -v apt-get >/dev/null; then
    echo "exlink: missing ${missing[*]} and no apt-get here; install them with your package manager" >&2
    exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "exlink: missing packages; run:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi

echo "exlink: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
if ! apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"; then
    # The optional packages may be absent from the archive: retry with the required ones only.
    req=()
    for p in "${missing[@]}"; do
        case " ${optional[*]} " in *" $p "*) ;; *) req+=("$p");; esac
    done
    apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${req[@]}"
fi
