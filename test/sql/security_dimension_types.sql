-- Rule: cells are matched (parent and children, complementary suppression, releases over time)
-- exactly as GROUP BY groups them, by the dimension type's equality, never by the printed value.
-- Each source: under one value of d, spelled two ways, team a (6 members) and team b (3 members,
-- suppressed); a second value holds team c (6).  Printed keys made b an orphan: a and the
-- parent were released, and parent minus a gave b.
\set SHOW_CONTEXT never
SET ROLE regress_custodian;
CREATE SCHEMA dimt;
GRANT USAGE ON SCHEMA dimt TO regress_analyst;
CREATE FUNCTION dimt.fill(tab regclass, v1 text, v2 text, v3 text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format($q$INSERT INTO %s (d, team, employee, x)
        SELECT v::text::%s, t, t || e, (e * 3 + j) %% 7
          FROM (VALUES (%L, 'a', 6), (%L, 'b', 3), (%L, 'c', 6)) AS g(v, t, size),
               generate_series(1, size) AS e, generate_series(1, 2) AS j$q$, tab,
        (SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a WHERE a.attrelid = tab AND a.attname = 'd'), v1, v2, v3);
END $$;
CREATE TABLE dimt.num (d numeric, team text, employee text, x float8);
SELECT dimt.fill('dimt.num', '1.0', '1.00', '2');
CREATE TABLE dimt.ivl (d interval, team text, employee text, x float8);
SELECT dimt.fill('dimt.ivl', '1 day', '24:00:00', '2 days');
CREATE TABLE dimt.chr (d bpchar, team text, employee text, x float8);
SELECT dimt.fill('dimt.chr', 'x', 'x  ', 'y');
CREATE TABLE dimt.flt (d float8, team text, employee text, x float8);
SELECT dimt.fill('dimt.flt', '0', '-0', 'NaN');
CREATE TABLE dimt.nan (d float8, team text, employee text, x float8);
SELECT dimt.fill('dimt.nan', 'NaN', 'NaN', '1');
CREATE COLLATION dimt.ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TABLE dimt.txt (d text COLLATE dimt.ci, team text, employee text, x float8);
SELECT dimt.fill('dimt.txt', 'North', 'NORTH', 'south');
CREATE TABLE dimt.nul (d text, team text, employee text, x float8);
SELECT dimt.fill('dimt.nul', NULL, NULL, 'z');
SELECT exlink.publish('dimt.p_' || t, ('dimt.' || t)::regclass, 'employee', '{d,team}', '{x}', rollup => true,
                      grant_to => '{regress_analyst}')
  FROM unnest('{num,ivl,chr,flt,nan,txt,nul}'::text[]) AS t;
RESET ROLE;

-- must fail: parent minus its released children never isolates team b (fewer than k members)
SET ROLE regress_analyst;
CREATE TEMP TABLE pubs (t text);
INSERT INTO pubs VALUES ('num'), ('ivl'), ('chr'), ('flt'), ('nan'), ('txt'), ('nul');
CREATE FUNCTION pg_temp.residues(t text) RETURNS TABLE (src text, parent text, children text, residue_members bigint)
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE format($q$
        SELECT %L, p.cell, string_agg(c.team, ',' ORDER BY c.team COLLATE "C"), (p.members - coalesce(sum(c.members), 0))::bigint
          FROM dimt.%I p LEFT JOIN dimt.%I c ON c.level = 2 AND c.d IS NOT DISTINCT FROM p.d
         WHERE p.level = 1 GROUP BY p.cell, p.members ORDER BY p.cell COLLATE "C"$q$, t, 'p_' || t, 'p_' || t);
END $$;
SELECT r.* FROM pubs, LATERAL pg_temp.residues(pubs.t) r;
SELECT count(*) AS team_b_released FROM (
    SELECT team FROM dimt.p_num UNION ALL SELECT team FROM dimt.p_ivl UNION ALL SELECT team FROM dimt.p_chr
    UNION ALL SELECT team FROM dimt.p_flt UNION ALL SELECT team FROM dimt.p_nan UNION ALL SELECT team FROM dimt.p_txt
    UNION ALL SELECT team FROM dimt.p_nul) s WHERE team = 'b';
RESET ROLE;

-- Positive control: in the source, GROUP BY puts team b under the same value as team a, with 3 members.
SET ROLE regress_custodian;
SELECT count(DISTINCT d) AS values_of_d, count(DISTINCT employee) FILTER (WHERE team = 'b') AS team_b_members
  FROM dimt.num;
SELECT count(*) AS groups FROM (SELECT d FROM dimt.txt GROUP BY d) g;

-- A dimension type whose equality exlink cannot match is refused at publish.
CREATE TABLE dimt.pt (d point, employee text);
SELECT exlink.publish('dimt.p_pt', 'dimt.pt', 'employee', '{d}');
SELECT exlink.dimension_hash(t) AS hash_function
  FROM unnest('{numeric,interval,bpchar,float8,text,varchar,int4[],point,json}'::regtype[]) AS t;
SELECT exlink.unpublish(object) FROM exlink.publications WHERE object::text LIKE 'dimt.%' ORDER BY object::text COLLATE "C";
DROP SCHEMA dimt CASCADE;
RESET ROLE;
