-- analyst: correlation of cx with a random EX measure over the merged team cells of a region.
\set r random(0, 9)
\set j random(2, 4)
SELECT (c).r, (c).p_value
  FROM (SELECT exlink.linked_correlation(exlink.merge(moments), 1, :j) AS c
          FROM published.cells WHERE level = 2 AND region = 'r' || :r) s;
