# Coverage study for employee-clustered inference on linked data (docs/statistics.md, "Why
# clustering matters").  Not run by the tests (CI has no R): run it once with
#   Rscript test/data/coverage_study.R [data sets per scenario, default 500]
# R 4.2 (Debian r-base-core) with r-cran-sandwich.  Writes test/data/coverage_study.csv.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Linked data: G employees, m_g transactions each; three EX drivers constant within an
# employee (correlated 0.3 with each other); CX y = 0.2 x1 + 0.1 x2 + 0 x3 + sqrt(icc) u_g +
# sqrt(1 - icc) e_gt.  Per data set, the 95 % interval and the test at alpha = 0.05 of each
# slope from four methods:
#   naive     lm() on the rows, independent-rows standard errors (exlink without a member, and
#             exlink 0.1.0 with one), t on n - 4 df;
#   CR1       sandwich::vcovCL(type = "HC1", cluster = employee): factor G/(G-1) (N-1)/(N-K),
#             t on G - 1 df (exlink 0.2.0 with a member);
#   two-stage lm() on the employees' means (one row per employee), t on G - 4 df;
#   corr      cor.test() of y with x3 on the rows of the pure-null variant (linked_correlation
#             with independent rows).
# Reported: the share of data sets where the null driver x3 is "significant" (false positives),
# the share where any of the three drivers of a pure-null variant (all slopes 0) is, the coverage
# of the 95 % interval of the non-null slope of x1, and the ratio of the mean standard error of
# x1 to the empirical SD of its estimate.
suppressMessages(library(sandwich))
args <- commandArgs(trailingOnly = TRUE)
B <- if (length(args) > 0) as.integer(args[1]) else 500L
set.seed(20261202)

scenarios <- data.frame(
  label = c("200 x 25, ICC 0", "200 x 25, ICC 0.1", "200 x 25, ICC 0.3",
            "100 x 20-200, ICC 0.1", "50 x 25, ICC 0.1", "20 x 25, ICC 0.1", "10 x 25, ICC 0.1"),
  G = c(200, 200, 200, 100, 50, 20, 10),
  mlo = c(25, 25, 25, 20, 25, 25, 25), mhi = c(25, 25, 25, 200, 25, 25, 25),
  icc = c(0, 0.1, 0.3, 0.1, 0.1, 0.1, 0.1))

one <- function(G, mlo, mhi, icc, beta) {
  m <- if (mlo == mhi) rep(mlo, G) else sample(mlo:mhi, G, replace = TRUE)
  S <- matrix(0.3, 3, 3); diag(S) <- 1
  X <- matrix(rnorm(G * 3), G, 3) %*% chol(S)
  u <- rnorm(G)
  g <- rep(seq_len(G), m)
  d <- data.frame(g = g, x1 = X[g, 1], x2 = X[g, 2], x3 = X[g, 3])
  d$y <- drop(as.matrix(d[, c("x1", "x2", "x3")]) %*% beta) + sqrt(icc) * u[g] +
    sqrt(1 - icc) * rnorm(nrow(d))
  fit <- lm(y ~ x1 + x2 + x3, data = d)
  b <- coef(fit)[2:4]
  N <- nrow(d)
  se_naive <- sqrt(diag(vcov(fit)))[2:4]
  se_cr1 <- sqrt(diag(vcovCL(fit, cluster = ~g, type = "HC1")))[2:4]
  em <- aggregate(cbind(y, x1, x2, x3) ~ g, data = d, FUN = mean)
  fit2 <- lm(y ~ x1 + x2 + x3, data = em)
  b2 <- coef(fit2)[2:4]
  se2 <- sqrt(diag(vcov(fit2)))[2:4]
  ct <- cor.test(d$y, d$x3)
  list(b = b, se_naive = se_naive, df_naive = N - 4, se_cr1 = se_cr1, df_cr1 = G - 1,
       b2 = b2, se2 = se2, df2 = G - 4, p_corr = ct$p.value)
}

rej <- function(b, se, df, truth) 2 * pt(-abs((b - truth) / se), df) < 0.05

rows <- list()
for (s in seq_len(nrow(scenarios))) {
  sc <- scenarios[s, ]
  beta <- c(0.2, 0.1, 0)
  acc <- matrix(NA, B, 14)
  for (i in seq_len(B)) {
    r <- one(sc$G, sc$mlo, sc$mhi, sc$icc, beta)
    r0 <- one(sc$G, sc$mlo, sc$mhi, sc$icc, c(0, 0, 0))
    acc[i, ] <- c(
      rej(r$b[3], r$se_naive[3], r$df_naive, 0), rej(r$b[3], r$se_cr1[3], r$df_cr1, 0),
      rej(r$b2[3], r$se2[3], r$df2, 0), r0$p_corr < 0.05,
      any(rej(r0$b, r0$se_naive, r0$df_naive, 0)), any(rej(r0$b, r0$se_cr1, r0$df_cr1, 0)),
      any(rej(r0$b2, r0$se2, r0$df2, 0)),
      !rej(r$b[1], r$se_naive[1], r$df_naive, 0.2), !rej(r$b[1], r$se_cr1[1], r$df_cr1, 0.2),
      !rej(r$b2[1], r$se2[1], r$df2, 0.2),
      r$b[1], r$se_naive[1], r$se_cr1[1], r$se2[1])
  }
  sdb <- sd(acc[, 11])
  rows[[s]] <- data.frame(
    scenario = sc$label, data_sets = B,
    fp_naive = mean(acc[, 1]), fp_cr1 = mean(acc[, 2]), fp_two_stage = mean(acc[, 3]),
    fp_corr_naive = mean(acc[, 4]),
    fp_any3_naive = mean(acc[, 5]), fp_any3_cr1 = mean(acc[, 6]), fp_any3_two_stage = mean(acc[, 7]),
    cover_naive = mean(acc[, 8]), cover_cr1 = mean(acc[, 9]), cover_two_stage = mean(acc[, 10]),
    se_ratio_naive = mean(acc[, 12]) / sdb, se_ratio_cr1 = mean(acc[, 13]) / sdb)
  cat(sprintf("%-24s done\n", sc$label))
}
out <- do.call(rbind, rows)
write.csv(out, "test/data/coverage_study.csv", row.names = FALSE)
print(out, digits = 3)
