# Independent check of examples/generate.sql with R (not needed by make demo or CI):
# OLS of each CX score on the 7 EX measures over the linked rows, against truth.planted_effects.
#   tools/with-cluster.sh sh -c 'psql -X -q -c "CREATE ROLE hr_owner; CREATE ROLE cx_owner" &&
#     psql -X -q -f examples/generate.sql &&
#     psql -X -c "\copy (SELECT t.csat, t.nps, t.effort, s.* FROM cx.transactions t
#       CROSS JOIN LATERAL (SELECT s.* FROM hr.survey s JOIN hr.survey_waves w USING (wave)
#        WHERE s.employee_id = t.handled_by AND w.opened_on <= t.handled_at
#        ORDER BY w.opened_on DESC LIMIT 1) s) TO /tmp/linked.csv CSV HEADER" &&
#     psql -X -c "\copy truth.planted_effects TO /tmp/planted.csv CSV HEADER"'
#   Rscript examples/check_recovery.R /tmp/linked.csv /tmp/planted.csv
# SPDX-License-Identifier: GPL-3.0-or-later
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
p <- read.csv(args[2])
X <- c("engagement", "enablement", "manager_coaching", "training_hours", "tenure_years",
       "workload", "performance")
worst <- 0
for (y in c("csat", "nps", "effort")) {
  m <- lm(as.formula(paste(y, "~", paste(X, collapse = " + "))), d)
  beta <- coef(m)[X] * sapply(d[X], sd) / sd(d[[y]])
  pl <- p[p$outcome == y, ]
  pl <- pl[match(X, pl$measure), ]
  tab <- data.frame(measure = X, planted_raw = pl$effect_raw, ols_raw = round(coef(m)[X], 4),
                    planted_beta = round(pl$std_beta, 4), ols_beta = round(beta, 4),
                    diff = round(beta - pl$std_beta, 4))
  cat("\n", y, ": R2 =", round(summary(m)$r.squared, 3), "\n")
  print(tab, row.names = FALSE)
  worst <- max(worst, abs(beta - pl$std_beta))
}
cat("\nmax |recovered - planted| standardized beta:", round(worst, 4),
    if (worst <= 0.02) "(within 0.02)\n" else "(OUTSIDE 0.02)\n")
