-- title: driver_weights with 20 columns in 8 groups vs the same 20 columns without groups (member, CR2), serial
-- target: <= 1.2
-- setup: SET max_parallel_workers_per_gather = 0;
-- Both queries build the same 20 columns with the basis helpers (5 plain drivers, two piecewise-
-- linear bases, a natural spline, a 3-level categorical, interactions) and keep each employee's
-- moments; the grouped form adds, in the final function, LMG over the 2^8 subsets of groups,
-- the summed relative weights and 8 Wald tests.  Issue 21's target: within 1.2x.
-- baseline:
SELECT exlink.driver_weights(outcome,
           ARRAY[x1, x2, x3, x4, x5] || exlink.piecewise_linear(x6, '{0.33,0.66}') || exlink.piecewise_linear(x7, '{0.5}')
           || exlink.natural_spline(x8, '{0.33,0.66}', '{0,1}')
           || exlink.dummies(CASE WHEN x9 < 0.33 THEN 'a' WHEN x9 < 0.66 THEN 'b' ELSE 'c' END, '{a,b,c}', 'a')
           || ARRAY[x10, x10 * x2, x9 * x3, x4 * x5, x2 * x3],
           employee, NULL, 'cluster') FROM bench_data;
-- exlink:
SELECT exlink.driver_weights(outcome,
           ARRAY[x1, x2, x3, x4, x5] || exlink.piecewise_linear(x6, '{0.33,0.66}') || exlink.piecewise_linear(x7, '{0.5}')
           || exlink.natural_spline(x8, '{0.33,0.66}', '{0,1}')
           || exlink.dummies(CASE WHEN x9 < 0.33 THEN 'a' WHEN x9 < 0.66 THEN 'b' ELSE 'c' END, '{a,b,c}', 'a')
           || ARRAY[x10, x10 * x2, x9 * x3, x4 * x5, x2 * x3],
           employee, NULL, 'cluster',
           '{g1,g1,g2,g2,g2,pl6,pl6,pl6,pl7,pl7,ns8,ns8,ns8,class,class,g7,g7,g8,g8,g8}') FROM bench_data;
