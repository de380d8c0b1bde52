#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The dashboard example (examples/dashboard/) in a real browser: builds it (npm ci from the
# committed package-lock.json, offline: tools/deps-dashboard.sh filled npm's cache), loads its
# data (examples/dashboard/setup.sql, small: a period publication whose waves are sealed, with
# results tables, a window and a coverage view; no unsafe setting), serves it reading as the
# analyst's login over TCP with scram, renders it in headless Chromium and compares the text of
# the page's tables with the figures this test computes itself as the custodian from the linked
# rows (exlink.driver_weights, exlink.linked_correlation, count(DISTINCT)) of the latest sealed
# period (and of every period, for the merged window), formatted as the page formats them.
# Needs a cluster listening on TCP: EXLINK_TCP=1 tools/with-cluster.sh (make test does this).
# Without node, npm or chromium it skips (under CI, CI=true, it fails instead).
# EXLINK_DASHBOARD_KEEP=DIR keeps the DOM, the tables' text and a screenshot (page.png) in DIR.
set -uo pipefail
cd "$(dirname "$0")/../.."
top=$(pwd)
app=examples/dashboard
if [ -z "${EXLINK_TCP_HOST:-}" ]; then
    echo "skip: the cluster does not listen on TCP (run under EXLINK_TCP=1 tools/with-cluster.sh)"
    exit 0
fi
chromium=$(command -v chromium || command -v chromium-browser || true)
for need in node npm; do
    command -v $need >/dev/null || missing="${missing:-} $need"
done
[ -n "$chromium" ] || missing="${missing:-} chromium"
if [ -n "${missing:-}" ]; then
    echo "skip: missing${missing} (tools/deps-dashboard.sh installs them)"
    [ "${CI:-}" = true ] && exit 1
    exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/exlink-dashboard.XXXXXX")
chmod 755 "$tmp"
psql=(psql -X -q -v ON_ERROR_STOP=1 -h "$PGHOST" -p "$PGPORT" -U "$PGUSER")   # the superuser, Unix socket
server_pid=
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
    "${psql[@]}" -d postgres -c "SET client_min_messages = warning" \
        -c "DROP DATABASE IF EXISTS exlink_dashboard WITH (FORCE)" \
        -c "DROP ROLE IF EXISTS bi_dashboard, dashboard_analyst, dashboard_admin, dashboard_hr, dashboard_cx" >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

# The safe path: nothing the example runs opts in to the unsafe refresh of snapshots.
if grep -n 'allow_unsafe_refresh' "$app"/*.sql "$app"/*.js examples/generate.sql tools/deps-dashboard.sh tools/run-dashboard.sh; then
    fail "the dashboard's path sets exlink.allow_unsafe_refresh"
fi

# Build: the locked dependencies, from npm's cache only (nothing is downloaded here).
(cd "$app" && npm ci --offline --no-audit --no-fund --silent) >"$tmp/npm.log" 2>&1 \
    || { cat "$tmp/npm.log"; fail "npm ci --offline (tools/deps-dashboard.sh fills the cache)"; }

# Data: small, deterministic.
password="dash-$RANDOM$RANDOM"
PGOPTIONS="-c client_min_messages=warning" "${psql[@]}" -d postgres -v seed=3 -v employees=400 -v teams=40 \
    -v transactions=20000 -v password="$password" -f "$app/setup.sql" >"$tmp/setup.log" 2>&1 \
    || { cat "$tmp/setup.log"; fail "setup.sql"; }
unsafe=$("${psql[@]}" -d exlink_dashboard -At -c "SELECT setting FROM pg_settings WHERE name = 'exlink.allow_unsafe_refresh'")
[ "$unsafe" = off ] || fail "exlink.allow_unsafe_refresh is '$unsafe' in the dashboard's database"

# Serve, as the analyst's login over TCP with a password (scram: with-cluster.sh allows no other).
port=$(( 20000 + RANDOM % 20000 ))
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$(( 20000 + RANDOM % 20000 )); done
PGHOST=$EXLINK_TCP_HOST PGUSER=bi_dashboard PGPASSWORD=$password PGDATABASE=exlink_dashboard \
    DASHBOARD_PORT=$port node "$app/server.js" >"$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.2
done
node -e "fetch('http://127.0.0.1:$port/api/dashboard.json').then(async (r) => { if (!r.ok) { console.error(await r.text()); process.exit(1); } })" \
    || { cat "$tmp/server.log"; fail "the server's JSON"; }

# Render: headless Chromium runs the page's scripts (virtual time lets the fetch and drawing
# finish) and prints the resulting DOM.  As root Chromium needs --no-sandbox.
timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
    --user-data-dir="$tmp/profile" --virtual-time-budget=30000 --dump-dom "http://127.0.0.1:$port/" \
    >"$tmp/dom.html" 2>"$tmp/chromium.log" || { tail -n 20 "$tmp/chromium.log"; fail "chromium"; }
grep -q 'data-ready="true"' "$tmp/dom.html" \
    || { grep -o '<p id="error"[^<]*' "$tmp/dom.html"; cat "$tmp/server.log"; fail "the page did not finish drawing"; }

# The page's tables as lines "table | cell | cell ...", and its charts (Plot's SVG marks).
node - "$tmp/dom.html" >"$tmp/page.txt" <<'JS' || fail "reading the DOM"
const html = require('fs').readFileSync(process.argv[2], 'utf8');
const text = (s) => s.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&nbsp;/g, ' ')
                     .replace(/&amp;/g, '&').trim();
for (const [, id, body] of html.matchAll(/<table id="([^"]+)">([\s\S]*?)<\/table>/g))
    for (const [, row] of body.matchAll(/<tr(?: [^>]*)?>([\s\S]*?)<\/tr>/g))
        console.log([id, ...[...row.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) => text(c[1]))].join(' | '));
const svg = (id) => (html.split(`id="${id}"`)[1] || '').split('</section>')[0];
console.log('chart region-chart dots', (svg('region-chart').match(/<circle/g) || []).length);
console.log('chart correlation-chart cells', (svg('correlation-chart').match(/<rect/g) || []).length);
JS

# The same figures, computed by the custodian from the linked rows (not from the publication or
# the results tables, whose released cells only say which units are shown).
"${psql[@]}" -d exlink_dashboard -At >"$tmp/truth.json" <<'SQL' || fail "the custodian's figures"
SET ROLE dashboard_admin;
WITH names AS (SELECT '{engagement,enablement,manager_coaching,training_hours,workload}'::text[] AS d),
shown AS (SELECT region, team, period, level FROM published.cx),
latest AS (SELECT max(period) AS period FROM shown),
-- the window ending at the latest period: its last 3 periods (the view's 'last 3')
win AS (SELECT DISTINCT period FROM shown ORDER BY period DESC LIMIT 3),
regions AS (
    SELECT l.region, count(DISTINCT l.pseudonym) AS members,
           exlink.driver_weights(l.csat, ARRAY[l.engagement, l.enablement, l.manager_coaching, l.training_hours, l.workload],
                                 l.pseudonym, (SELECT d FROM names)) AS m
      FROM link.linked l
     WHERE l.period = (SELECT period FROM latest)
       AND l.region IN (SELECT region FROM shown WHERE level = 1 AND period = (SELECT period FROM latest)) GROUP BY l.region),
teams AS (
    SELECT l.region, l.team, count(DISTINCT l.pseudonym) AS members,
           exlink.driver_weights(l.csat, ARRAY[l.engagement, l.enablement, l.manager_coaching, l.training_hours, l.workload],
                                 l.pseudonym, (SELECT d FROM names)) AS m
      FROM link.linked l
     WHERE l.period = (SELECT period FROM latest)
       AND (l.region, l.team) IN (SELECT region, team FROM shown WHERE level = 2 AND period = (SELECT period FROM latest))
     GROUP BY l.region, l.team),
-- each region over the window's periods, where it was released in each of them (periods = 3)
merged AS (
    SELECT l.region, count(DISTINCT l.period) AS periods,
           (SELECT max(x.n) FROM (SELECT count(DISTINCT l2.pseudonym) AS n FROM link.linked l2
                                   WHERE l2.region = l.region AND l2.period IN (SELECT period FROM win) GROUP BY l2.period) x) AS members_at_least,
           exlink.driver_weights(l.csat, ARRAY[l.engagement, l.enablement, l.manager_coaching, l.training_hours, l.workload],
                                 l.pseudonym, (SELECT d FROM names)) AS m
      FROM link.linked l
     WHERE l.period IN (SELECT period FROM win)
       AND l.region IN (SELECT region FROM shown WHERE level = 1 AND period IN (SELECT period FROM win)
                        GROUP BY region HAVING count(*) = (SELECT count(*) FROM win))
     GROUP BY l.region),
-- The status codes, by the documented rules (docs/reference.md, publish_results) for q = 5
-- drivers: estimates from 2(q + 1) = 12 members, inference from 2(q + 2) = 14 at least (the
-- release policy may withhold more: see the page's statuses below).
coded AS (
    SELECT 'region' AS unit, r.region, NULL AS team, r.members, r.m FROM regions r
    UNION ALL SELECT 'team', t.region, t.team, t.members, t.m FROM teams t),
codes AS (
    SELECT c.*, CASE
           WHEN NOT EXISTS (SELECT FROM exlink.drivers(c.m) x WHERE x.beta IS NOT NULL)
                THEN CASE WHEN (c.m).status LIKE '%collinear%' THEN 'collinear' ELSE 'undefined' END
           WHEN c.members < 12 THEN 'saturated'
           WHEN c.members < 14 THEN 'withheld'
           WHEN EXISTS (SELECT FROM exlink.drivers(c.m) x WHERE x.ci_low IS NULL) THEN 'no_inference'
           WHEN (c.m).status LIKE '%few clusters%' THEN 'few_clusters'
           ELSE 'ok' END AS code
      FROM coded c),
corr AS (
    SELECT CASE WHEN grouping(l.region) = 1 THEN 'Organisation' ELSE l.region END AS unit, grouping(l.region) AS org,
           json_build_object('engagement', (exlink.linked_correlation(l.csat, l.engagement, l.pseudonym)).r,
                             'enablement', (exlink.linked_correlation(l.csat, l.enablement, l.pseudonym)).r,
                             'manager_coaching', (exlink.linked_correlation(l.csat, l.manager_coaching, l.pseudonym)).r,
                             'training_hours', (exlink.linked_correlation(l.csat, l.training_hours, l.pseudonym)).r,
                             'workload', (exlink.linked_correlation(l.csat, l.workload, l.pseudonym)).r) AS r
      FROM link.linked l WHERE l.period = (SELECT period FROM latest) GROUP BY ROLLUP (l.region)),
-- Every team of the org chart (and any shown team), every period shown.
teamset AS (SELECT region, team FROM link.org_units UNION SELECT region, team FROM shown WHERE level = 2),
periods AS (SELECT DISTINCT period FROM shown),
coverage AS (
    SELECT t.region, t.team, p.period,
           (SELECT count(DISTINCT l.pseudonym) FROM link.linked l
             WHERE l.region = t.region AND l.team = t.team AND l.period = p.period) AS members,
           EXISTS (SELECT 1 FROM shown s WHERE s.level = 2 AND s.region = t.region AND s.team = t.team AND s.period = p.period) AS shown
      FROM teamset t CROSS JOIN periods p)
SELECT json_build_object(
    'drivers', (SELECT d FROM names),
    'merged', (SELECT json_agg(json_build_object('region', r.region, 'periods', r.periods, 'members_at_least', r.members_at_least,
                                                 'has_betas', EXISTS (SELECT FROM exlink.drivers(r.m) x WHERE x.beta IS NOT NULL),
                                                 'rows', (SELECT json_agg(x ORDER BY x.ordinal) FROM exlink.drivers(r.m) x))
                               ORDER BY r.region) FROM merged r),
    'regions', (SELECT json_agg(json_build_object('region', r.region, 'members', r.members, 'status', r.code,
                                                  'rows', (SELECT json_agg(x ORDER BY x.ordinal) FROM exlink.drivers(r.m) x))
                                ORDER BY r.region) FROM codes r WHERE r.unit = 'region'),
    'teams', (SELECT json_agg(json_build_object('region', u.region, 'team', u.team, 'members', t.members, 'status', coalesce(t.code, 'suppressed'),
                                                'rows', coalesce((SELECT json_agg(x ORDER BY x.ordinal) FROM exlink.drivers(t.m) x), '[]'))
                              ORDER BY u.region, u.team)
                FROM teamset u LEFT JOIN codes t ON t.unit = 'team' AND t.region = u.region AND t.team = u.team),
    'correlations', (SELECT json_agg(json_build_object('unit', c.unit, 'r', c.r) ORDER BY c.org DESC, c.unit) FROM corr c),
    'coverage', (SELECT json_agg(c ORDER BY c.region, c.team, c.period) FROM coverage c));
SQL
node - "$tmp/truth.json" "$top/$app/format.js" "$tmp/page.txt" >"$tmp/expected.txt" <<'JS' || fail "formatting the custodian's figures"
const t = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
const { fixed } = require(process.argv[3]);
const ci = (lo, hi) => (lo === null || hi === null ? '—' : `[${fixed(lo, 3)}, ${fixed(hi, 3)}]`);
const line = (...cells) => console.log(cells.join(' | '));
// What each status code shows (docs/reference.md): estimates, and intervals.
const estimates = (s) => ['ok', 'few_clusters', 'withheld', 'no_inference'].includes(s);
const intervals = (s) => ['ok', 'few_clusters'].includes(s);
line('region-drivers', 'region', 'driver', 'beta', '95% CI', 'LMG share %', 'rank', 'members', 'status');
let dots = 0;
for (const r of t.regions)
    for (const d of r.rows) {
        const e = estimates(r.status), i = intervals(r.status);
        line('region-drivers', r.region, d.name, e ? fixed(d.beta, 3) : '—', i ? ci(d.ci_low, d.ci_high) : '—',
             e ? fixed(d.lmg_share, 1) : '—', e ? d.rank ?? '—' : '—', r.members, r.status);
        if (e && d.beta !== null) dots++;
    }
line('team-drivers', 'region', 'team', 'members', ...t.drivers, 'top driver', 'status');
// Inference is withheld at least below 2(q + 2) members; the release policy may withhold it in
// larger cells too (the fourth-order rule over all of a cell's results tables, docs/security.md):
// where the page says withheld and the floor alone would show the interval, the policy's word
// is taken (the figures shown are compared all the same; the team table has no intervals).
const pageStatus = new Map(require('fs').readFileSync(process.argv[4], 'utf8').split('\n')
    .filter((l) => l.startsWith('team-drivers | ')).map((l) => l.split(' | '))
    .map((c) => [`${c[1]}|${c[2]}`, c[c.length - 1]]));
for (const r of t.teams) {
    if (['ok', 'few_clusters', 'no_inference'].includes(r.status) && pageStatus.get(`${r.region}|${r.team}`) === 'withheld')
        r.status = 'withheld';
    const beta = Object.fromEntries(r.rows.map((d) => [d.name, estimates(r.status) ? d.beta : null]));
    const top = estimates(r.status) ? r.rows.find((d) => d.rank === 1) : null;
    line('team-drivers', r.region, r.team, r.members ?? '—', ...t.drivers.map((d) => fixed(beta[d], 3)), top ? top.name : '—', r.status);
}
line('correlations', 'unit', ...t.drivers);
for (const c of t.correlations) line('correlations', c.unit, ...t.drivers.map((d) => fixed(c.r[d], 3)));
// The merged window: estimates over every period's rows; its status by the documented rules on
// members_at_least (2(q + 1) = 12 for estimates, 2(q + 2) = 14 for inference), and no intervals
// without cluster summaries (no_inference).
line('window-drivers', 'region', 'driver', 'beta', 'LMG share %', 'rank', 'periods', 'members at least', 'status');
for (const r of t.merged || []) {
    const status = !r.has_betas ? 'undefined' : r.members_at_least < 12 ? 'saturated' : r.members_at_least < 14 ? 'withheld' : 'no_inference';
    const e = estimates(status);
    for (const d of r.rows)
        line('window-drivers', r.region, d.name, e ? fixed(d.beta, 3) : '—', e ? fixed(d.lmg_share, 1) : '—', e ? d.rank ?? '—' : '—',
             r.periods, r.members_at_least, status);
}
const periods = [...new Set(t.coverage.map((c) => c.period))];
line('coverage', 'region', 'team', ...periods.map((p) => `period ${p}`));
const teams = [...new Set(t.coverage.map((c) => `${c.region}|${c.team}`))];
for (const key of teams) {
    const cells = t.coverage.filter((c) => `${c.region}|${c.team}` === key);
    line('coverage', cells[0].region, cells[0].team,
         ...cells.map((c) => (c.shown ? c.members : 'suppressed')));
}
console.log('chart region-chart dots', dots);
console.log('chart correlation-chart cells', t.correlations.length * t.drivers.length);
JS

if ! diff -u "$tmp/expected.txt" "$tmp/page.txt" >"$tmp/diff"; then
    head -n 60 "$tmp/diff"
    fail "the page's figures differ from the custodian's"
fi
# Positive controls: the page shows what a dashboard must (regions with intervals, a team table,
# suppressed cells marked), so that the comparison above compared something.
count() { grep -c "$1" "$tmp/page.txt" || true; }
regions=$(count '^region-drivers | [^r]')
teams=$(count '^team-drivers | [^r]')
saturated=$(count '^team-drivers .*| saturated$')
withheld=$(count '^team-drivers .*| withheld$')
unpublished=$(count '^team-drivers .*| suppressed$')
intervals=$(count '^region-drivers .*| \[-\?[0-9.]*, -\?[0-9.]*\] |')
suppressed=$(grep -o 'suppressed' "$tmp/page.txt" | wc -l)
echo "page: $regions region-driver rows ($intervals with intervals), $teams teams ($saturated saturated, $withheld withheld, $unpublished suppressed), $suppressed suppressed cells marked"
[ "$regions" -ge 10 ] && [ "$intervals" -eq "$regions" ] || fail "too few region rows with intervals"
merged=$(count '^window-drivers | [^r].*| no_inference$')
echo "page: $merged merged-window region rows with estimates (no_inference)"
[ "$merged" -ge 10 ] || fail "too few merged-window region rows with estimates"
[ "$teams" -ge 10 ] || fail "too few teams"
[ "$saturated" -ge 1 ] && [ "$withheld" -ge 1 ] || fail "no saturated or no withheld team: the status rules were not exercised"
[ "$suppressed" -ge 1 ] && [ "$unpublished" -ge 1 ] || fail "no suppressed cell or team marked"
if [ -n "${EXLINK_DASHBOARD_KEEP:-}" ]; then
    mkdir -p "$EXLINK_DASHBOARD_KEEP"
    cp "$tmp/dom.html" "$tmp/page.txt" "$tmp/expected.txt" "$EXLINK_DASHBOARD_KEEP/"
    timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
        --user-data-dir="$tmp/profile" --virtual-time-budget=30000 --window-size=1200,3000 --hide-scrollbars \
        --screenshot="$EXLINK_DASHBOARD_KEEP/page.png" "http://127.0.0.1:$port/" >/dev/null 2>&1
fi
echo "ok: the dashboard shows the custodian's exact figures"
