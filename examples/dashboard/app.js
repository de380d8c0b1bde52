// The dashboard page: reads /api/dashboard.json (the server's plain SELECTs over a period
// publication's results tables, window results and coverage views) and draws it.  Every figure
// shown is one exlink released when a period was sealed; the page only picks rows (by level) and
// formats them (format.js).
// SPDX-License-Identifier: GPL-3.0-or-later
'use strict';
const { fixed } = window.exlinkFormat;

function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
}

function fillTable(table, header, rows) {
    table.replaceChildren(el('thead', {}, el('tr', {}, ...header.map(([text, cls]) => el('th', cls ? { class: cls } : {}, text)))),
                          el('tbody', {}, ...rows));
}

function interval(lo, hi) {
    return lo === null || hi === null ? '—' : `[${fixed(lo, 3)}, ${fixed(hi, 3)}]`;
}

function regionDrivers(data) {
    const rows = data.driverRows.filter((r) => r.level === 1);
    document.getElementById('region-chart').append(Plot.plot({
        marginLeft: 130, width: 760, height: 60 + 22 * rows.length,
        x: { label: 'standardized beta (95% CI)', grid: true },
        y: { label: null },
        fy: { label: null },
        marks: [
            Plot.ruleX([0]),
            Plot.ruleY(rows.filter((r) => r.ci_low !== null), { fy: 'region', y: 'driver', x1: 'ci_low', x2: 'ci_high', stroke: '#888' }),
            Plot.dot(rows.filter((r) => r.beta !== null), { fy: 'region', y: 'driver', x: 'beta', fill: 'steelblue', r: 4 }),
        ],
    }));
    fillTable(document.getElementById('region-drivers'),
              [['region', 'label'], ['driver', 'label'], ['beta'], ['95% CI'], ['LMG share %'], ['rank'], ['members'], ['status', 'label']],
              rows.map((r) => el('tr', {},
                  el('td', { class: 'label' }, r.region), el('td', { class: 'label' }, r.driver),
                  el('td', {}, fixed(r.beta, 3)), el('td', {}, interval(r.ci_low, r.ci_high)),
                  el('td', {}, fixed(r.lmg_share, 1)), el('td', {}, r.rank ?? '—'), el('td', {}, r.members),
                  el('td', { class: 'status', title: r.status_detail ?? '' }, r.status))));
}

function teamDrivers(data) {
    const teams = new Map();
    // Every team of the org chart (the coverage view), suppressed ones too, then their results.
    for (const c of data.cells.filter((c) => c.level === 2 && c.period === data.period))
        teams.set(`${c.region}\u0000${c.team}`, { region: c.region, team: c.team, members: c.members, status: c.status,
                                                  detail: c.status === 'suppressed' ? 'not published: too few employees, or hidden to protect another team' : '',
                                                  beta: {}, top: null });
    for (const r of data.driverRows.filter((r) => r.level === 2)) {
        const t = teams.get(`${r.region}\u0000${r.team}`);
        t.status = r.status;
        t.detail = r.status_detail;
        t.beta[r.driver] = r.beta;
        if (r.rank === 1) t.top = r.driver;
    }
    fillTable(document.getElementById('team-drivers'),
              [['region', 'label'], ['team', 'label'], ['members'], ...data.drivers.map((d) => [d]), ['top driver', 'label'], ['status', 'label']],
              [...teams.values()].map((t) => el('tr', t.status === 'suppressed' ? { class: 'suppressed' } : {},
                  el('td', { class: 'label' }, t.region), el('td', { class: 'label' }, t.team), el('td', {}, t.members ?? '—'),
                  ...data.drivers.map((d) => el('td', {}, fixed(t.beta[d], 3))),
                  el('td', { class: 'label' }, t.top ?? '—'), el('td', { class: 'status', title: t.detail ?? '' }, t.status))));
}

function correlations(data) {
    const rows = data.correlationRows.map((r) => ({ ...r, unit: r.level === 0 ? 'Organisation' : r.region }));
    const units = [...new Set(rows.map((r) => r.unit))];
    document.getElementById('correlation-chart').append(Plot.plot({
        marginLeft: 110, width: 760, height: 40 + 26 * units.length,
        x: { label: null, domain: data.drivers, axis: 'top' },
        y: { label: null, domain: units },
        color: { type: 'diverging', domain: [-0.5, 0.5], scheme: 'RdBu', legend: true, label: 'r' },
        marks: [
            Plot.cell(rows, { x: 'driver', y: 'unit', fill: 'r', title: (r) => `r ${fixed(r.r, 3)}, 95% CI ${interval(r.ci_low, r.ci_high)}` }),
            Plot.text(rows, { x: 'driver', y: 'unit', text: (r) => fixed(r.r, 2) }),
        ],
    }));
    const byUnit = new Map(units.map((u) => [u, {}]));
    for (const r of rows) byUnit.get(r.unit)[r.driver] = r;
    fillTable(document.getElementById('correlations'),
              [['unit', 'label'], ...data.drivers.map((d) => [d])],
              units.map((u) => el('tr', {}, el('td', { class: 'label' }, u),
                  ...data.drivers.map((d) => {
                      const r = byUnit.get(u)[d];
                      return el('td', { title: r ? `95% CI ${interval(r.ci_low, r.ci_high)}` : '' }, r ? fixed(r.r, 3) : '—');
                  }))));
}

// The regions over the window ending at the latest period (every wave merged): estimates only,
// no intervals (a merge of cells without cluster summaries has none: status no_inference).
function windowDrivers(data) {
    fillTable(document.getElementById('window-drivers'),
              [['region', 'label'], ['driver', 'label'], ['beta'], ['LMG share %'], ['rank'], ['periods'], ['members at least'], ['status', 'label']],
              data.windowRows.map((r) => el('tr', {},
                  el('td', { class: 'label' }, r.region), el('td', { class: 'label' }, r.driver),
                  el('td', {}, fixed(r.beta, 3)), el('td', {}, fixed(r.lmg_share, 1)), el('td', {}, r.rank ?? '—'),
                  el('td', {}, r.periods), el('td', {}, r.members_at_least),
                  el('td', { class: 'status', title: r.status_detail ?? '' }, r.status))));
}

// Team x period, from the coverage view: every team of the org chart and every period the
// publication shows; a cell that is not published says "suppressed" (no count: a team with no
// employees that period looks the same as one with fewer than k).
function coverage(data) {
    const periods = [...new Set(data.cells.map((c) => c.period))].sort((a, b) => a - b);
    const teams = new Map();
    for (const c of data.cells) {
        const key = `${c.region}\u0000${c.team}`;
        if (!teams.has(key)) teams.set(key, { region: c.region, team: c.team, cells: new Map() });
        teams.get(key).cells.set(c.period, c);
    }
    const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);   // the database's order (C)
    const sorted = [...teams.values()].sort((a, b) => cmp(a.region, b.region) || cmp(a.team, b.team));
    fillTable(document.getElementById('coverage'),
              [['region', 'label'], ['team', 'label'], ...periods.map((p) => [`period ${p}`])],
              sorted.map((t) => el('tr', {}, el('td', { class: 'label' }, t.region), el('td', { class: 'label' }, t.team),
                  ...periods.map((p) => {
                      const c = t.cells.get(p);
                      return c && c.status === 'ok' ? el('td', {}, c.members) : el('td', { class: 'suppressed' }, 'suppressed');
                  }))));
}

async function main() {
    const response = await fetch('api/dashboard.json');
    const data = await response.json();
    if (!response.ok) throw new Error(data.error || response.statusText);
    document.getElementById('outcome').textContent = data.outcome;
    for (const e of document.querySelectorAll('.period')) e.textContent = data.period;
    document.getElementById('source').textContent =
        `Publication ${data.publication} (sealed periods); results tables ${data.driversTable} and ${data.correlationsTable}`
        + `${data.windowTable ? `; window results ${data.windowTable}` : ''}; coverage ${data.coverage}.`;
    regionDrivers(data);
    teamDrivers(data);
    correlations(data);
    windowDrivers(data);
    coverage(data);
    document.body.dataset.ready = 'true';
}

main().catch((e) => {
    const p = document.getElementById('error');
    p.hidden = false;
    p.textContent = `Could not load the dashboard: ${e.message}`;
    document.body.dataset.ready = 'error';
});
