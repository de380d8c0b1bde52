// How the dashboard writes a figure: fixed decimals, "—" where there is none.  Shared by the page
// (app.js) and by test/shell/dashboard.sh, which formats the figures it computes itself the same
// way before comparing them with the page's text.
// SPDX-License-Identifier: GPL-3.0-or-later
(function (root) {
    function fixed(x, digits) {
        if (x === null || x === undefined || Number.isNaN(x)) return '—';
        const s = Number(x).toFixed(digits);
        return /^-0\.?0*$/.test(s) ? s.slice(1) : s;   // no "-0.000"
    }
    const api = { fixed };
    if (typeof module === 'object' && module.exports) module.exports = api;
    else root.exlinkFormat = api;
})(this);
