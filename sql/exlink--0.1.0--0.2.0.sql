-- exlink upgrade 0.1.0 -> 0.2.0.
-- SPDX-License-Identifier: GPL-3.0-or-later
-- Every change to an SQL object in sql/parts/ since 0.1.0 is repeated here, so that
-- ALTER EXTENSION exlink UPDATE gives the same catalog as a fresh 0.2.0 install
-- (test/shell/upgrade.sh compares them object by object).
\echo Use "ALTER EXTENSION exlink UPDATE TO '0.2.0'" to load this file. \quit
