-- make load: the database (run by tools/load.sh as a superuser, the custodian here).
-- 3,000 employees (raw IDs emp0..emp2999) in 10 regions: 2,400 in 200 teams of 12, 600 in 150
-- teams of 4 (below k: suppressed until key rotations give their employees new pseudonyms);
-- load.raw is the linked source (pseudonyms only), load.truth the custodian's record of which
-- raw ID and key version each row was made from (for the checker), load.history one line per
-- refresh. In team t0 one employee holds most rows (the dominance rule, where it exists,
-- suppresses it).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS exlink CASCADE;
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'exlink_load_analyst') THEN
        CREATE ROLE exlink_load_analyst LOGIN;
    END IF;
END $$;
CREATE SCHEMA load;
CREATE SCHEMA published;
GRANT USAGE ON SCHEMA published, exlink TO exlink_load_analyst;
SELECT exlink.create_key('linkage');
CREATE TABLE load.raw (
    id bigint PRIMARY KEY, region text NOT NULL, team text NOT NULL, employee text NOT NULL,
    cx float8 NOT NULL, ex1 float8 NOT NULL, ex2 float8 NOT NULL, ex3 float8 NOT NULL);
CREATE SEQUENCE load.raw_id;
CREATE TABLE load.truth (id bigint PRIMARY KEY, raw_id text NOT NULL, seen_version integer NOT NULL);
CREATE TABLE load.history (at timestamptz NOT NULL, cells bigint NOT NULL, min_members bigint);

-- One batch of new rows, of random employees or of one (the insert script: 20 random rows).
CREATE FUNCTION load.add_rows(n integer, one_employee integer DEFAULT NULL) RETURNS void LANGUAGE sql AS $$
    WITH v AS (
        SELECT nextval('load.raw_id') AS id, e,
               (SELECT max(version) FROM exlink.pseudonym_keys WHERE domain = 'linkage') AS seen
          FROM (SELECT coalesce(one_employee, floor(random() * 3000)::int) AS e FROM generate_series(1, n)) s),
    t AS (INSERT INTO load.truth SELECT id, 'emp' || e, seen FROM v)
    INSERT INTO load.raw
    SELECT id, 'r' || (e % 10), CASE WHEN e < 2400 THEN 't' || (e % 200) ELSE 's' || (e % 150) END,
           exlink.pseudonymize('emp' || e, 'linkage'),
           2 + 0.5 * (e % 7) + random(), e % 7 + random(), e % 5 + 2 * random(), random() * 10
      FROM v
$$;
SELECT load.add_rows(100000);
-- team t0: employee emp0 holds most of its rows (a dominated cell, when the rule exists)
SELECT load.add_rows(2000, 0);
ANALYZE load.raw;
SELECT exlink.publish('published.cells', 'load.raw', 'employee', '{region,team}', '{cx,ex1,ex2,ex3}',
                      grant_to => '{exlink_load_analyst}', rollup => true);
