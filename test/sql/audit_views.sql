-- audit_view: a view (or materialized view) that reads only publications, through other such
-- views too, and calls only built-in or exlink functions, is guarded (it sees released cells
-- only); reading any other relation or calling another function makes it 'no k guard' again.
-- As the superuser (audit_view is the custodian's tool; its privileges: security_privileges).
SET client_min_messages = warning;
CREATE SCHEMA audit_views;
CREATE TABLE audit_views.linked AS
SELECT 'e' || (i % 40) AS employee, 'T' || (i % 40) % 4 AS team, 1 + i % 5 AS csat, 1 + i % 3 AS pay
  FROM generate_series(1, 400) i;
SELECT exlink.publish('audit_views.cells', 'audit_views.linked', 'employee', '{team}', '{csat,pay}') IS NOT NULL AS published;
CREATE FUNCTION audit_views.leak(integer) RETURNS bigint LANGUAGE sql
    AS 'SELECT count(*) FROM audit_views.linked WHERE csat = $1';
-- guarded: reads the publication only (built-in and exlink functions)
CREATE VIEW audit_views.merged AS
SELECT count(*) AS cells, exlink.n(exlink.merge(moments)) AS n, round(avg(mean_csat)::numeric, 2) AS csat
  FROM audit_views.cells;
CREATE VIEW audit_views.over_view AS SELECT cells, n FROM audit_views.merged;
CREATE MATERIALIZED VIEW audit_views.snapshot AS SELECT team, members FROM audit_views.cells;
CREATE VIEW audit_views.drivers AS
SELECT d.name, d.beta FROM (SELECT exlink.driver_weights(exlink.merge(moments)) AS m FROM audit_views.cells) s,
       exlink.drivers(s.m) d;
-- not guarded: reads the source too, calls a user function, reads a plain table
CREATE VIEW audit_views.with_source AS
SELECT c.team, c.members, (SELECT count(*) FROM audit_views.linked l WHERE l.team = c.team) AS rows
  FROM audit_views.cells c;
CREATE VIEW audit_views.with_function AS SELECT team, audit_views.leak(3) AS leaked FROM audit_views.cells;
CREATE VIEW audit_views.raw AS SELECT team, avg(csat) AS csat FROM audit_views.linked GROUP BY team;
CREATE VIEW audit_views.over_raw AS SELECT m.n, r.csat FROM audit_views.merged m, audit_views.raw r;
RESET client_min_messages;
SELECT c.relname, coalesce(string_agg(a.violation, ', '), 'guarded') AS audit
  FROM pg_class c LEFT JOIN LATERAL exlink.audit_view(c.oid) a ON true
 WHERE c.relnamespace = 'audit_views'::regnamespace AND (c.relkind IN ('v', 'm') OR c.oid IN (SELECT object FROM exlink.publications))
 GROUP BY c.relname ORDER BY c.relname COLLATE "C";
SET client_min_messages = warning;
DELETE FROM exlink.publications WHERE object = 'audit_views.cells'::regclass;
DROP SCHEMA audit_views CASCADE;
RESET client_min_messages;
