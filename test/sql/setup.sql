-- Roles of the confidentiality model, used by every later test (dropped by teardown).
CREATE ROLE regress_custodian LOGIN;
CREATE ROLE regress_hr_owner LOGIN;
CREATE ROLE regress_cx_owner LOGIN;
CREATE ROLE regress_analyst LOGIN PASSWORD 'regress_analyst';   -- for the \! psql sessions on a server with password authentication
GRANT USAGE ON SCHEMA exlink TO regress_custodian, regress_hr_owner, regress_cx_owner, regress_analyst;
SELECT rolname FROM pg_roles WHERE rolname LIKE 'regress\_%' ORDER BY 1 COLLATE "C";
