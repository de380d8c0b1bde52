-- Rule: protected attributes and raw member identifiers are never published; audit_view finds
-- them in any view.  The custodian can extend the policy; analysts cannot (security_privileges).
\set SHOW_CONTEXT never
\set VERBOSITY default
SET ROLE regress_custodian;
-- must fail: a protected dimension, a protected measure, the member column as a dimension
SELECT exlink.publish('published.by_age', 'linked.cx', 'employee', '{region,age}', '{csat}', force => true);
\set VERBOSITY terse
SELECT exlink.publish('published.age_mean', 'linked.cx', 'employee', '{region}', '{age}', force => true);
SELECT exlink.publish('published.by_member', 'linked.cx', 'employee', '{employee}', '{csat}', force => true);
SELECT exlink.publish('published.member_measure', 'linked.cx', 'employee', '{region}', '{employee}', force => true);
-- Names are normalised before matching: case, spaces and punctuation do not hide a column.
CREATE TABLE linked.hr ("Date of Birth" date, "GENDER-code" text, "Marital Status" text, "Trade Union" boolean,
                        "ethnicGroup" text, "staff_id" text, "pseudonym_v2" text, region text, team text,
                        heritage text, score float8, employee text);
SELECT c AS column_name, exlink.policy_violation(c) AS rule
  FROM unnest('{Date of Birth,GENDER-code,Marital Status,Trade Union,ethnicGroup,staff_id,pseudonym_v2,region,team,heritage,score,members,responses,manager,usage,stage,agent,store}'::name[]) c
 ORDER BY c::text COLLATE "C";
SELECT exlink.publish('published.hr', 'linked.hr', 'employee', '{"GENDER-code"}', '{score}');
SELECT exlink.publish('published.hr', 'linked.hr', 'employee', '{staff_id}', '{score}');
-- The custodian extends the policy; the next publish obeys it.
INSERT INTO exlink.protected_columns (pattern, reason) VALUES ('heritage', 'proxy for ethnicity (local policy)');
SELECT exlink.publish('published.hr', 'linked.hr', 'employee', '{heritage}', '{score}');
SELECT exlink.publish('published.hr', 'linked.hr', 'employee', '{region,team}', '{score}', rollup => true);

-- audit_view: publications are clean; hand-made views are not.
SELECT * FROM exlink.audit_view('published.hr');
SELECT * FROM exlink.audit_view('published.cx_cells');
CREATE VIEW linked.leaky AS SELECT employee, "GENDER-code" AS g, region, avg(score) AS score FROM linked.hr GROUP BY 1, 2, 3;
SELECT * FROM exlink.audit_view('linked.leaky');
CREATE VIEW linked.renamed AS SELECT region, "ethnicGroup" AS grp, count(*) AS n FROM linked.hr GROUP BY 1, 2
    HAVING exlink.members_at_least(employee, 5);
SELECT * FROM exlink.audit_view('linked.renamed');
CREATE MATERIALIZED VIEW linked.guarded AS SELECT region, exlink.guarded_avg(score, employee) AS score FROM linked.hr GROUP BY 1;
SELECT * FROM exlink.audit_view('linked.guarded');
-- The guarded (member) forms of the statistics are guards too; their unguarded forms are not.
CREATE VIEW linked.guarded_corr AS SELECT region, exlink.linked_correlation(score, score, employee) AS c FROM linked.hr GROUP BY 1;
SELECT * FROM exlink.audit_view('linked.guarded_corr');
CREATE VIEW linked.guarded_rank AS SELECT region, exlink.rank_correlation(score, score, employee, 0.9) AS c FROM linked.hr GROUP BY 1;
SELECT * FROM exlink.audit_view('linked.guarded_rank');
CREATE VIEW linked.guarded_kda AS SELECT region, exlink.driver_weights(score, ARRAY[score], employee) AS d FROM linked.hr GROUP BY 1;
SELECT * FROM exlink.audit_view('linked.guarded_kda');
CREATE VIEW linked.unguarded_corr AS SELECT region, exlink.linked_correlation(score, score) AS c FROM linked.hr GROUP BY 1;
SELECT violation FROM exlink.audit_view('linked.unguarded_corr');
DROP VIEW linked.guarded_corr, linked.guarded_rank, linked.guarded_kda, linked.unguarded_corr;
SELECT * FROM exlink.audit_view('linked.hr');
SELECT exlink.unpublish('published.hr');
DROP VIEW linked.leaky, linked.renamed;
DROP MATERIALIZED VIEW linked.guarded;
DROP TABLE linked.hr;
DELETE FROM exlink.protected_columns WHERE pattern = 'heritage';
RESET ROLE;
