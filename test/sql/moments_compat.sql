-- exlink.moments values written by exlink 0.1.0 (test/data/moments-0.1.0.txt and .bin, made with
-- the 0.1.0 library: see test/data/README.md) stay readable, in text and binary form, with the
-- same figures, and work with today's functions.
CREATE TABLE compat_text (label text, m exlink.moments);
CREATE TABLE compat_bin (label text, m exlink.moments);
\copy compat_text FROM 'test/data/moments-0.1.0.txt'
\copy compat_bin FROM 'test/data/moments-0.1.0.bin' WITH (FORMAT binary)

-- the same values from both forms (compared through the current binary form)
SELECT t.label, exlink.moments_send(t.m) = exlink.moments_send(b.m) AS same
  FROM compat_text t JOIN compat_bin b USING (label) ORDER BY t.label COLLATE "C";

-- the figures 0.1.0 gave for them
SELECT label, exlink.n(m), exlink.members(m), exlink.means(m)
  FROM compat_text ORDER BY label COLLATE "C";

-- today's functions on them: a correlation, a merge, a subset, a text round trip
SELECT label, round(((exlink.linked_correlation(m, 1, 2)).r)::numeric, 9) AS r
  FROM compat_text WHERE label IN ('p3', 'p12', 'merged') ORDER BY label COLLATE "C";
SELECT exlink.n(exlink.merge(m)) AS n, exlink.means(exlink.merge(m)) AS means
  FROM compat_bin WHERE label LIKE 'p3%';
SELECT label, exlink.means(exlink.subset(m, '{1}')) AS first_mean
  FROM compat_bin WHERE label IN ('p3', 'p12') ORDER BY label COLLATE "C";
SELECT count(*) AS text_round_trip_equal
  FROM compat_text WHERE exlink.moments_send(m::text::exlink.moments) = exlink.moments_send(m);

DROP TABLE compat_text, compat_bin;
