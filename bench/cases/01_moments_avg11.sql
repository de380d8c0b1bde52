-- title: moments of 11 columns vs avg() of 11 columns
-- baseline:
SELECT avg(outcome), avg(x1), avg(x2), avg(x3), avg(x4), avg(x5), avg(x6), avg(x7), avg(x8), avg(x9), avg(x10) FROM bench_data;
-- exlink:
SELECT exlink.moments(ARRAY[outcome, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10]) FROM bench_data;
