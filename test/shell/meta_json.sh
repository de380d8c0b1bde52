#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# META.json (PGXN meta spec 1.0.0) is valid JSON, has the required and the project's expected
# keys, and agrees with exlink.control, CHANGELOG.md and debian/changelog on the version.
set -euo pipefail
cd "$(dirname "$0")/../.."
python=/usr/bin/python3; [ -x "$python" ] || python=python3
"$python" - <<'PY'
import json, re, os, sys
meta = json.load(open("META.json"))
control = open("exlink.control").read()
version = re.search(r"^default_version\s*=\s*'([^']+)'", control, re.M).group(1)
errors = []
for key in ("name", "abstract", "description", "version", "release_status", "maintainer", "license",
            "provides", "resources", "prereqs", "meta-spec", "tags"):
    if not meta.get(key):
        errors.append("missing or empty: " + key)
if meta.get("name") != "exlink":
    errors.append("name is not exlink")
if meta.get("version") != version:
    errors.append("version %s differs from exlink.control's %s" % (meta.get("version"), version))
if meta.get("release_status") not in ("stable", "testing", "unstable"):
    errors.append("release_status must be stable, testing or unstable")
if not re.fullmatch(r"\d+\.\d+\.\d+", meta.get("version", "")):
    errors.append("version is not semantic (x.y.z)")
if meta.get("meta-spec", {}).get("version") != "1.0.0":
    errors.append("meta-spec version is not 1.0.0")
ext = meta.get("provides", {}).get("exlink", {})
if ext.get("version") != version:
    errors.append("provides.exlink.version differs from exlink.control")
if ext.get("file") != "sql/exlink--%s.sql" % version:
    errors.append("provides.exlink.file is not the install script of this version")
for f in (ext.get("docfile"),) + tuple(v for k, v in meta.get("resources", {}).items() if k.startswith("x_")):
    if f and not os.path.exists(f):
        errors.append("file named in META.json missing: " + f)
req = meta.get("prereqs", {}).get("runtime", {}).get("requires", {})
if "PostgreSQL" not in req or "pgcrypto" not in req:
    errors.append("runtime prereqs must name PostgreSQL and pgcrypto")
if "## %s" % version not in open("CHANGELOG.md").read():
    errors.append("CHANGELOG.md has no section for " + version)
if os.path.exists("debian/changelog") and not open("debian/changelog").readline().startswith("exlink (%s" % version):
    errors.append("debian/changelog does not start with version " + version)
if errors:
    print("\n".join("FAIL: " + e for e in errors)); sys.exit(1)
print("META.json: valid, version %s (%s), %d keys" % (version, meta["release_status"], len(meta)))
PY
