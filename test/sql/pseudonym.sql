-- exlink.pseudonymize and key custody: equality with pgcrypto, determinism, domains, rotation,
-- versions, errors, cache invalidation across sessions and transactions, parallel workers.
\set VERBOSITY terse

-- Imported keys of every interesting length: 16 (the minimum), 32, 63, 64 (one SHA-256
-- block), 65 and 200 bytes (longer than a block: HMAC hashes them first).
SELECT n AS len, exlink.create_key('k' || n,
           substr(decode(repeat(encode(sha256(convert_to('key' || n, 'UTF8')), 'hex'), 7), 'hex'), 1, n)) AS version
  FROM unnest(ARRAY[16, 32, 63, 64, 65, 200]) n ORDER BY n;
-- And random keys drawn by pgcrypto's gen_random_bytes.
SELECT exlink.create_key('random-a') AS a, exlink.create_key('random-b') AS b;
SELECT domain, octet_length(key) AS bytes, version, retired IS NULL AS usable
  FROM exlink.pseudonym_keys ORDER BY domain COLLATE "C";

-- IDs: plain, empty, non-ASCII, whitespace, quotes and backslashes, and lengths around the
-- SHA-256 padding boundaries (55, 56, 63, 64, 65 bytes) and a long one.
CREATE TABLE pseu_ids (id text);
INSERT INTO pseu_ids SELECT 'emp' || g FROM generate_series(1, 1000) g;
INSERT INTO pseu_ids VALUES (''), (' '), ('Zoë'), ('Ørsted-Åse'), ('日本語の社員'), ('👩‍💼'),
    (E'tab\there'), ('back\slash'), (E'\\x41'), ('O''Brien'), ('"quoted"'),
    (repeat('a', 55)), (repeat('a', 56)), (repeat('a', 63)), (repeat('a', 64)),
    (repeat('a', 65)), (repeat('é', 40)), (repeat('x', 100000));

-- Byte-for-byte equality with the documented pgcrypto expression, for every key and ID.
SELECT k.domain, count(*) AS ids,
       count(*) FILTER (WHERE exlink.pseudonymize(i.id, k.domain)
                            = encode(hmac(convert_to(i.id, 'UTF8'), k.key, 'sha256'), 'hex')) AS equal
  FROM exlink.pseudonym_keys k CROSS JOIN pseu_ids i
 GROUP BY k.domain ORDER BY k.domain COLLATE "C";

-- Known answer: RFC 4231 test case 1 (key 0x0b * 20 bytes, data "Hi There"), HMAC-SHA-256 =
-- b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7.
SELECT exlink.create_key('rfc4231', decode(repeat('0b', 20), 'hex'));
SELECT exlink.pseudonymize('Hi There', 'rfc4231');

-- Shape: 64 lowercase hex digits; deterministic; NULL in, NULL out.
SELECT count(*) FILTER (WHERE p ~ '^[0-9a-f]{64}$') AS well_formed, count(DISTINCT p) AS distinct_pseudonyms
  FROM (SELECT exlink.pseudonymize(id, 'k32') AS p FROM pseu_ids) s;
SELECT exlink.pseudonymize('emp1', 'k32') = exlink.pseudonymize('emp' || 1, 'k32') AS deterministic;
SELECT exlink.pseudonymize(NULL, 'k32') IS NULL AS null_id,
       exlink.pseudonymize('emp1', NULL) IS NULL AS null_domain,
       exlink.pseudonymize('emp1', 'k32', NULL) IS NULL AS null_version;

-- Determinism across sessions: a new backend gives the same pseudonym.
SELECT exlink.pseudonymize('emp42', 'random-a') AS p42 \gset
\setenv PGDATABASE :DBNAME
\! psql -X -At -c "SELECT exlink.pseudonymize('emp42', 'random-a')" > results/pseudonym_other_session.txt
CREATE TEMP TABLE other_session (p text);
\copy other_session FROM 'results/pseudonym_other_session.txt'
SELECT p = :'p42' AS same_in_other_session FROM other_session;

-- Domains are unrelated: two random keys share no pseudonym over the same IDs.
SELECT count(*) AS shared
  FROM (SELECT exlink.pseudonymize(id, 'random-a') AS p FROM pseu_ids) a
  JOIN (SELECT exlink.pseudonymize(id, 'random-b') AS p FROM pseu_ids) b USING (p);

-- Rotation: a new current version changes pseudonyms; the old version still reproduces the old ones.
CREATE TABLE pseu_v1 AS SELECT id, exlink.pseudonymize(id, 'random-a') AS p FROM pseu_ids;
SELECT exlink.rotate_key('random-a') AS new_version;
SELECT count(*) FILTER (WHERE exlink.pseudonymize(id, 'random-a') = p) AS unchanged_current,
       count(*) FILTER (WHERE exlink.pseudonymize(id, 'random-a', 1) = p) AS reproduced_by_v1,
       count(*) FILTER (WHERE exlink.pseudonymize(id, 'random-a', 2) = exlink.pseudonymize(id, 'random-a')) AS v2_is_current
  FROM pseu_v1;
-- An imported key for a new version (double-blind linkage rotates both sides to the same key).
SELECT exlink.rotate_key('k16', decode(repeat('ab', 32), 'hex')) AS imported_version;
SELECT exlink.pseudonymize('emp1', 'k16') = encode(hmac(convert_to('emp1', 'UTF8'), decode(repeat('ab', 32), 'hex'), 'sha256'), 'hex') AS imported_current;

-- Retiring: a retired version is refused, also when it is the current one.
SELECT exlink.retire_key('random-a', 1);
SELECT exlink.pseudonymize('emp1', 'random-a', 1);
SELECT exlink.pseudonymize('emp1', 'random-a') = exlink.pseudonymize('emp1', 'random-a', 2) AS v2_still_current;
SELECT exlink.retire_key('random-a', 2);
SELECT exlink.pseudonymize('emp1', 'random-a');
SELECT exlink.rotate_key('random-a') AS after_retire;
SELECT exlink.pseudonymize('emp1', 'random-a') = exlink.pseudonymize('emp1', 'random-a', 3) AS v3_current;

-- Errors: clear SQLSTATEs and hints, never an ID or a key in the message.
\set VERBOSITY default
SELECT exlink.pseudonymize('emp-secret-7', 'no-such-domain');
SELECT exlink.pseudonymize('emp-secret-7', 'k32', 9);
SELECT exlink.pseudonymize('emp-secret-7', 'k32', 0);
SELECT exlink.create_key('short', '\x00112233445566778899aabbccddee'::bytea);
SELECT exlink.rotate_key('k32', '\x00'::bytea);
SELECT exlink.create_key('k32');
SELECT exlink.rotate_key('no-such-domain');
SELECT exlink.create_key('');
SELECT exlink.create_key(NULL);
SELECT exlink.retire_key('k32', 7);
\set VERBOSITY terse
SELECT count(*) AS leftover FROM exlink.pseudonym_keys WHERE domain IN ('short', '');

-- Cache invalidation.  In this session, a rotation inside a transaction is seen at once and
-- forgotten on rollback.
SELECT exlink.pseudonymize('emp1', 'k32') AS k32_v1 \gset
BEGIN;
SELECT exlink.rotate_key('k32');
SELECT exlink.pseudonymize('emp1', 'k32') <> :'k32_v1' AS sees_own_rotation;
ROLLBACK;
SELECT exlink.pseudonymize('emp1', 'k32') = :'k32_v1' AS rotation_rolled_back;
SELECT max(version) AS k32_versions FROM exlink.pseudonym_keys WHERE domain = 'k32';
-- Another session rotates and rolls back: this session's cached key stays.
\! psql -X -q -c "BEGIN; SELECT exlink.rotate_key('k32'); ROLLBACK;" > /dev/null
SELECT exlink.pseudonymize('emp1', 'k32') = :'k32_v1' AS other_rollback_ignored;
-- Another session rotates and commits: this session sees the new key, in a new transaction
-- and in a statement of a transaction that was already open.
\! psql -X -q -c "SELECT exlink.rotate_key('k32', decode(repeat('cd', 32), 'hex'))" > /dev/null
SELECT exlink.pseudonymize('emp1', 'k32') = encode(hmac(convert_to('emp1', 'UTF8'), decode(repeat('cd', 32), 'hex'), 'sha256'), 'hex') AS sees_other_rotation;
BEGIN;
SELECT exlink.pseudonymize('emp1', 'k32') IS NOT NULL AS cached;
\! psql -X -q -c "SELECT exlink.rotate_key('k32', decode(repeat('ef', 32), 'hex'))" > /dev/null
SELECT exlink.pseudonymize('emp1', 'k32') = encode(hmac(convert_to('emp1', 'UTF8'), decode(repeat('ef', 32), 'hex'), 'sha256'), 'hex') AS sees_rotation_mid_transaction;
COMMIT;
-- A domain deleted by the table owner and created again with another key.
SELECT exlink.pseudonymize('emp1', 'k200') IS NOT NULL AS cached;
DELETE FROM exlink.pseudonym_keys WHERE domain = 'k200';
SELECT exlink.pseudonymize('emp1', 'k200');
SELECT exlink.create_key('k200', decode(repeat('12', 32), 'hex'));
SELECT exlink.pseudonymize('emp1', 'k200') = encode(hmac(convert_to('emp1', 'UTF8'), decode(repeat('12', 32), 'hex'), 'sha256'), 'hex') AS recreated;
-- A key change made and used inside one PL/pgSQL function (one call site, many statements).
DO $$
DECLARE p1 text; p2 text;
BEGIN
    p1 := exlink.pseudonymize('emp1', 'k64');
    PERFORM exlink.rotate_key('k64');
    p2 := exlink.pseudonymize('emp1', 'k64');
    RAISE NOTICE 'changed inside the function: %', p1 <> p2;
    RAISE NOTICE 'old version reproduced: %', p1 = exlink.pseudonymize('emp1', 'k64', 1);
END $$;

-- Parallel workers read the key (as a data owner, without any privilege on the key table).
GRANT EXECUTE ON FUNCTION exlink.pseudonymize(text, text), exlink.pseudonymize(text, text, integer) TO regress_hr_owner;
CREATE TABLE pseu_par AS
SELECT i.id, encode(hmac(convert_to(i.id, 'UTF8'), k.key, 'sha256'), 'hex') AS p
  FROM pseu_ids i, exlink.pseudonym_keys k WHERE k.domain = 'k65';
GRANT SELECT ON pseu_par TO regress_hr_owner;
SET ROLE regress_hr_owner;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF)
SELECT count(*) FROM pseu_par WHERE exlink.pseudonymize(id, 'k65') = p;
SELECT count(*) AS parallel_equal FROM pseu_par WHERE exlink.pseudonymize(id, 'k65') = p;
SELECT count(*) AS parallel_equal_v1 FROM pseu_par WHERE exlink.pseudonymize(id, 'k65', 1) = p;
RESET ROLE;
-- Workers also see a key created earlier in the same, uncommitted transaction.
BEGIN;
SELECT exlink.create_key('in-transaction', decode(repeat('34', 32), 'hex'));
SELECT count(*) AS parallel_uncommitted_key
  FROM pseu_par WHERE exlink.pseudonymize(id, 'in-transaction')
                    = encode(hmac(convert_to(id, 'UTF8'), decode(repeat('34', 32), 'hex'), 'sha256'), 'hex');
ROLLBACK;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET ROLE;
REVOKE EXECUTE ON FUNCTION exlink.pseudonymize(text, text), exlink.pseudonymize(text, text, integer) FROM regress_hr_owner;

-- pgcrypto moved to another schema after exlink was installed: random keys still work.
CREATE SCHEMA pseu_crypto;
ALTER EXTENSION pgcrypto SET SCHEMA pseu_crypto;
SELECT exlink.create_key('after-move') AS version;
SELECT octet_length(key) AS bytes FROM exlink.pseudonym_keys WHERE domain = 'after-move';
ALTER EXTENSION pgcrypto SET SCHEMA public;
DROP SCHEMA pseu_crypto;

DROP TABLE pseu_ids, pseu_v1, pseu_par;
DELETE FROM exlink.pseudonym_keys;
