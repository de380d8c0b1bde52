-- Rule: objects planted in public or pg_temp cannot hijack exlink (functions, operators and
-- tables it uses), and hostile identifiers cannot inject SQL.
\set SHOW_CONTEXT never
\set VERBOSITY terse
SET exlink.allow_unsafe_refresh = on;   -- these publications are snapshots refreshed with the 0.2.0 change ledger (superuser opt-in)
GRANT CREATE ON SCHEMA public TO regress_analyst;
SET ROLE regress_analyst;
-- must fail: functions and operators planted in public shadowing what publish and refresh use
CREATE FUNCTION public.array_agg(text) RETURNS text[] LANGUAGE plpgsql
    AS $$ BEGIN RAISE NOTICE 'hijacked array_agg'; RETURN NULL; END $$;
CREATE FUNCTION public.count(text) RETURNS bigint LANGUAGE plpgsql
    AS $$ BEGIN RAISE NOTICE 'hijacked count'; RETURN 99; END $$;
CREATE FUNCTION public.jsonb_build_array(VARIADIC text[]) RETURNS jsonb LANGUAGE plpgsql
    AS $$ BEGIN RAISE NOTICE 'hijacked jsonb_build_array'; RETURN '[]'; END $$;
CREATE FUNCTION public.greatest_k(int, int) RETURNS int LANGUAGE sql AS 'SELECT 2';
CREATE FUNCTION public.min_group_size() RETURNS integer LANGUAGE sql AS 'SELECT 2';
CREATE FUNCTION public.text_eq_hijack(text, text) RETURNS boolean LANGUAGE plpgsql
    AS $$ BEGIN RAISE NOTICE 'hijacked ='; RETURN true; END $$;
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.text_eq_hijack);
CREATE OPERATOR public.<> (LEFTARG = text, RIGHTARG = text, FUNCTION = public.text_eq_hijack);
CREATE FUNCTION public.float8_lt_hijack(float8, float8) RETURNS boolean LANGUAGE plpgsql
    AS $$ BEGIN RAISE NOTICE 'hijacked <'; RETURN true; END $$;
CREATE OPERATOR public.< (LEFTARG = float8, RIGHTARG = float8, FUNCTION = public.float8_lt_hijack);
CREATE TABLE public.publications (object regclass);
CREATE TABLE public.protected_columns (pattern text, kind text, reason text);
-- ... and in pg_temp (searched first for relations when the path omits it)
CREATE TEMP TABLE protected_columns (pattern text, kind text, reason text);
CREATE FUNCTION pg_temp.unnest(text[]) RETURNS SETOF text LANGUAGE sql AS $$ SELECT 'hijacked' $$;
RESET ROLE;

-- The custodian publishes and refreshes with the planted objects on the search path: no hijack
-- NOTICE, the policy still applies, the cells are right.
SET ROLE regress_custodian;
SET search_path = public, "$user";
SELECT exlink.publish('published.shadow', 'linked.stores', 'employee', '{store}', '{csat}');
REFRESH MATERIALIZED VIEW CONCURRENTLY published.shadow;
SELECT store, members FROM published.shadow ORDER BY store COLLATE "C";
SELECT exlink.publish('published.shadow2', 'linked.cx', 'employee', '{age}', '{csat}', force => true);
SELECT exlink.unpublish('published.shadow');
RESET search_path;
RESET ROLE;

-- must fail: the analyst's own session with the planted objects gets the real guards.
SET ROLE regress_analyst;
SET search_path = pg_temp, public;
SELECT exlink.guarded_count(m) FROM (SELECT 'e' || (i % 3) AS m FROM generate_series(1, 30) i) t;
SELECT count(*) AS cells FROM published.cx_cells WHERE team = 'beta';
RESET search_path;
DROP FUNCTION public.array_agg(text), public.count(text), public.jsonb_build_array(VARIADIC text[]),
              public.greatest_k(int, int), public.min_group_size();
DROP OPERATOR public.= (text, text), public.<> (text, text), public.< (float8, float8);
DROP FUNCTION public.text_eq_hijack(text, text), public.float8_lt_hijack(float8, float8);
DROP TABLE public.publications, public.protected_columns;
RESET ROLE;
REVOKE CREATE ON SCHEMA public FROM regress_analyst;

-- must fail: hostile identifiers (the fixture's "x""; DROP TABLE y; --" source) are quoted:
-- linked.y survived and the publication reads as the analyst.
SELECT count(*) AS y_survives FROM linked.y;
SET ROLE regress_analyst;
SELECT "x""; DROP TABLE y; --", members, round("mean_m""; DROP TABLE y; --"::numeric, 4) AS mean
  FROM published."p""; DROP TABLE y; --" ORDER BY "x""; DROP TABLE y; --" COLLATE "C";
RESET ROLE;
-- must fail: a publication name that is not a plain schema.name
SET ROLE regress_custodian;
SELECT exlink.publish('published.a; DROP TABLE linked.y', 'linked.stores', 'employee', '{store}', '{csat}');
SELECT exlink.publish('a.b.c', 'linked.stores', 'employee', '{store}', '{csat}');
SELECT exlink.publish('nakedname', 'linked.stores', 'employee', '{store}', '{csat}');
-- every creating function (publish, results tables, windows, coverage, alerts) parses its target
-- with this one parser: injected SQL, three parts and NULL refused, quoted identifiers accepted
SELECT exlink.schema_qualified_name('published.x; DROP TABLE linked.y', 'results table');
SELECT exlink.schema_qualified_name('a.b.c', 'alerts table');
SELECT exlink.schema_qualified_name('"Odd Schema"."my.table"', 'test object');
SELECT exlink.schema_qualified_name(NULL, 'test object');
SELECT exlink.publish('published.x', 'linked.stores', 'employee', '{"store; DROP TABLE linked.y"}', '{csat}');
RESET ROLE;
SELECT count(*) AS y_survives FROM linked.y;
