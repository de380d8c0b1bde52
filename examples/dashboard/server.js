// The dashboard's server: serves the page and its libraries from this folder (nothing is fetched
// from the network at run time) and one JSON document read from PostgreSQL as the analyst's login
// over TCP (node-postgres; host, port, database, user and password from the PG* environment
// variables or ~/.pgpass).  It reads only a period publication's results tables, its window
// results and coverage views, with plain SELECTs: every figure is computed and guarded by exlink
// when a period is sealed, none here.
//   DASHBOARD_PUBLICATION  the period publication (default published.cx)
//   DASHBOARD_COVERAGE     its coverage view (exlink.publish_coverage; default published.cx_coverage)
//   DASHBOARD_WINDOW       a window results view (exlink.publish_window_results; default
//                          published.cx_waves_drivers; empty: none)
//   DASHBOARD_PORT         the port on 127.0.0.1 (default 8080)
// SPDX-License-Identifier: GPL-3.0-or-later
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');
const { Pool } = require('pg');

const publication = process.env.DASHBOARD_PUBLICATION || 'published.cx';
const coverage = process.env.DASHBOARD_COVERAGE || 'published.cx_coverage';
const windowResults = process.env.DASHBOARD_WINDOW ?? 'published.cx_waves_drivers';
const port = Number(process.env.DASHBOARD_PORT || 8080);
const pool = new Pool({ max: 2 });

const files = {
    '/': ['index.html', 'text/html; charset=utf-8'],
    '/app.js': ['app.js', 'text/javascript; charset=utf-8'],
    '/format.js': ['format.js', 'text/javascript; charset=utf-8'],
    '/style.css': ['style.css', 'text/css; charset=utf-8'],
    '/vendor/d3.min.js': ['node_modules/d3/dist/d3.min.js', 'text/javascript; charset=utf-8'],
    '/vendor/plot.umd.min.js': ['node_modules/@observablehq/plot/dist/plot.umd.min.js', 'text/javascript; charset=utf-8'],
};

async function dashboard() {
    const client = await pool.connect();
    try {
        // The objects' names as PostgreSQL spells them (quoted where needed): also refuses a name
        // that is not a relation.
        const name = async (n) => (await client.query('SELECT $1::regclass::text AS name', [n])).rows[0].name;
        const pub = await name(publication);
        const cov = await name(coverage);
        const win = windowResults ? await name(windowResults) : null;
        // Its results tables: exlink.result_tables names them to every role (names, no figures).
        const tables = (await client.query(
            `SELECT object::text AS name, statistic, outcome, drivers::text[] AS drivers
               FROM exlink.result_tables WHERE publication = $1::regclass ORDER BY object::text`, [pub])).rows;
        const drivers = tables.find((t) => t.statistic === 'drivers');
        const correlations = tables.find((t) => t.statistic === 'correlations');
        if (!drivers || !correlations)
            throw new Error(`publication ${pub} needs a drivers and a correlations results table`);
        // The latest sealed period: the charts show it; the coverage table shows every period.
        const period = (await client.query(`SELECT max(period) AS period FROM ${drivers.name}`)).rows[0].period;
        // level: how many dimensions a row groups by (0 organisation, 1 region, 2 team).  The
        // coverage view lists every team of the org chart per period, shown ('ok', with its
        // members) or 'suppressed' (no figures).
        const cells = (await client.query(
            `SELECT period, region, team, level, status, members FROM ${cov} WHERE level = 2 ORDER BY period, region, team`)).rows;
        // Results tables: integer counts, float8 figures, a status code and booleans (has_betas,
        // inference_shown): nothing to convert.
        const driverRows = (await client.query(
            `SELECT region, team, level, members, driver, beta, ci_low, ci_high, lmg_share, rank, r2,
                    has_betas, inference_shown, status, status_detail
               FROM ${drivers.name} WHERE period = $1 AND level IN (1, 2) ORDER BY level, region, team, ordinal`, [period])).rows;
        const correlationRows = (await client.query(
            `SELECT region, level, members, driver, r, ci_low, ci_high, has_r, inference_shown, status, status_detail
               FROM ${correlations.name} WHERE period = $1 AND level IN (0, 1) ORDER BY level, region, ordinal`, [period])).rows;
        // The window ending at the latest period: each region's cells merged over the window.
        const windowRows = win ? (await client.query(
            `SELECT window_start, window_end, region, periods, members_at_least, driver, beta, lmg_share, rank,
                    has_betas, inference_shown, status, status_detail
               FROM ${win} WHERE window_end = $1 AND level = 1 ORDER BY region, ordinal`, [period])).rows : [];
        return { publication: pub, coverage: cov, outcome: drivers.outcome, drivers: drivers.drivers, period,
                 driversTable: drivers.name, correlationsTable: correlations.name, windowTable: win,
                 cells, driverRows, correlationRows, windowRows };
    } finally {
        client.release();
    }
}

const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (url.pathname === '/api/dashboard.json') {
        try {
            const body = JSON.stringify(await dashboard());
            res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
            res.end(body);
        } catch (e) {
            console.error(e.message);
            res.writeHead(500, { 'Content-Type': 'application/json' });
            res.end(JSON.stringify({ error: e.message }));
        }
        return;
    }
    const f = files[url.pathname];
    if (!f) {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('not found');
        return;
    }
    fs.readFile(path.join(__dirname, f[0]), (err, data) => {
        if (err) {
            res.writeHead(500, { 'Content-Type': 'text/plain' });
            res.end(`missing ${f[0]}: run npm ci in examples/dashboard`);
            return;
        }
        res.writeHead(200, { 'Content-Type': f[1] });
        res.end(data);
    });
});
server.listen(port, '127.0.0.1', () => console.log(`dashboard: http://127.0.0.1:${port}/ (publication ${publication})`));
for (const sig of ['SIGINT', 'SIGTERM'])
    process.on(sig, () => { server.close(); pool.end().finally(() => process.exit(0)); });
