-- title: baseline: avg of 11 columns vs count(*)
-- baseline:
SELECT count(*) FROM bench_data;
-- exlink:
SELECT avg(outcome), avg(x1), avg(x2), avg(x3), avg(x4), avg(x5), avg(x6), avg(x7), avg(x8), avg(x9), avg(x10) FROM bench_data;
