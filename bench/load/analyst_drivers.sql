-- analyst: key drivers of cx over all team cells (standardized betas, Shapley/LMG shares).
SELECT d.name, d.beta, d.lmg_share, d.rank
  FROM (SELECT exlink.driver_weights(exlink.merge(moments), '{ex1,ex2,ex3}') AS m
          FROM published.cells WHERE level = 2) s,
       exlink.drivers(s.m) d;
