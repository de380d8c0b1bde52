-- title: pseudonymize 1M IDs vs pgcrypto encode(hmac(...))
-- target: <= 0.33
-- setup: SET max_parallel_workers_per_gather = 0;
-- setup: CREATE UNLOGGED TABLE IF NOT EXISTS bench_ids AS SELECT 'emp' || g AS id FROM generate_series(1, 1000000) g;
-- setup: DO $$ BEGIN IF NOT EXISTS (SELECT FROM exlink.pseudonym_keys WHERE domain = 'bench') THEN PERFORM exlink.create_key('bench'); END IF; END $$;
-- baseline:
SELECT count(encode(hmac(convert_to(id, 'UTF8'), (SELECT key FROM exlink.pseudonym_keys WHERE domain = 'bench' AND version = 1), 'sha256'), 'hex')) FROM bench_ids;
-- exlink:
SELECT count(exlink.pseudonymize(id, 'bench')) FROM bench_ids;
