-- Drop what the tests created cluster-wide.
DROP OWNED BY regress_custodian, regress_hr_owner, regress_cx_owner, regress_analyst CASCADE;
DROP ROLE regress_custodian, regress_hr_owner, regress_cx_owner, regress_analyst;
SELECT count(*) AS leftover_roles FROM pg_roles WHERE rolname LIKE 'regress\_%';
