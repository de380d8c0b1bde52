# Reference values of exlink's alerts (sql/parts/70_alerts.sql, exlink.alert_statistics) computed
# independently in R on a fixed fixture of released cells (per period, unit and measure: rows n,
# mean, standard error).  Writes alerts_cells.csv (the fixture) and alerts_reference.csv (the
# expected statistics); test/sql/alerts.sql compares exlink's figures with them to 1e-9.
#   Rscript test/data/alerts_reference.R   (from the repository root)
set.seed(20)
level <- 0.05; lambda <- 0.2
units <- sprintf("U%02d", 1:14); periods <- c("2025-01-01", "2025-02-01", "2025-03-01", "2025-04-01")
cells <- expand.grid(unit = units, period = periods, measure = c("cx", "ex"), stringsAsFactors = FALSE)
size <- setNames(round(runif(length(units), 30, 200)), units)
cells$n <- size[cells$unit] + sample(-5:5, nrow(cells), replace = TRUE)
cells$mean <- round(5 + rnorm(nrow(cells), 0, 0.4) + ifelse(cells$unit == "U03" & cells$period >= "2025-03-01", -0.6, 0), 6)
cells$se <- round(runif(nrow(cells), 1.2, 2.2) / sqrt(cells$n), 6)
cells <- cells[!(cells$unit == "U09" & cells$period == "2025-02-01"), ]   # a unit hidden in one period
cells$prank <- match(cells$period, periods)
cells <- cells[order(cells$period, cells$unit, cells$measure), ]
write.csv(cells[, c("period", "prank", "unit", "measure", "n", "mean", "se")], "test/data/alerts_cells.csv", row.names = FALSE)

zq <- qnorm(1 - level / 2); q9 <- qnorm(0.9)
cw <- 0.8 - 2 * q9 * dnorm(q9) + 0.2 * q9^2           # E[Z^2] winsorized at the 10th and 90th percentiles
phi_hat <- function(z0) {                               # winsorized mean of z^2, consistent at the normal
  q <- quantile(z0, c(0.1, 0.9), type = 7)
  mean(pmin(pmax(z0, q[1]), q[2])^2) / cw
}
out <- list()
lv <- do.call(rbind, lapply(split(cells, list(cells$period, cells$measure), drop = TRUE), function(d) {
  d$target <- sum(d$n * d$mean) / sum(d$n); d }))
for (m in c("cx", "ex")) for (p in periods) {
  d <- lv[lv$period == p & lv$measure == m, ]
  z0 <- (d$mean - d$target) / d$se; I <- length(z0); w <- 1 / d$se^2
  # level: additive tau^2, Spiegelhalter's (2005) winsorized DerSimonian-Laird estimate
  tau2 <- if (I >= 10) max(0, (I * phi_hat(z0) - (I - 1)) / (sum(w) - sum(w^2) / sum(w))) else 0
  sdv <- sqrt(d$se^2 + tau2)
  out[[length(out) + 1]] <- data.frame(period = p, unit = d$unit, measure = m, kind = "level", figure = d$mean, target = d$target,
    limit_low = d$target - zq * sdv, limit_high = d$target + zq * sdv, z = (d$mean - d$target) / sdv, phi = 1, tau2 = tau2)
  k <- match(p, periods)
  if (k > 1) {
    prev <- lv[lv$period == periods[k - 1] & lv$measure == m, ]
    j <- merge(d, prev, by = "unit", suffixes = c("", ".p"))
    fig <- j$mean - j$mean.p; tgt <- j$target - j$target.p; se <- sqrt(j$se^2 + j$se.p^2)
    z0 <- (fig - tgt) / se
    phi <- if (length(z0) >= 10) phi_hat(z0) else 1        # multiplicative, not bounded below by 1
    out[[length(out) + 1]] <- data.frame(period = p, unit = j$unit, measure = m, kind = "change", figure = fig, target = tgt,
      limit_low = tgt - zq * sqrt(phi) * se, limit_high = tgt + zq * sqrt(phi) * se, z = z0 / sqrt(phi), phi = phi, tau2 = 0)
  }
}
res <- do.call(rbind, out)
# drift: EWMA of each unit's change z-scores, recursively; sd for MA(1) changes of correlation -1/2
ch <- res[res$kind == "change", ]; ch <- ch[order(ch$unit, ch$measure, ch$period), ]
dr <- list()
for (key in unique(paste(ch$unit, ch$measure))) {
  d <- ch[paste(ch$unit, ch$measure) == key, ]; e <- 0
  for (i in seq_len(nrow(d))) {
    e <- lambda * d$z[i] + (1 - lambda) * e
    w <- lambda * (1 - lambda)^((i - 1):0)
    sd <- sqrt(sum(w^2) - sum(w[-1] * w[-length(w)]))
    dr[[length(dr) + 1]] <- data.frame(period = d$period[i], unit = d$unit[i], measure = d$measure[i], kind = "drift", figure = e, target = 0,
      limit_low = -zq * sd, limit_high = zq * sd, z = e / sd, phi = d$phi[i], tau2 = 0)
  }
}
res <- rbind(res, do.call(rbind, dr))
res$p_value <- 2 * pnorm(-abs(res$z))
res$p_adjusted <- ave(res$p_value, res$period, FUN = function(p) p.adjust(p, method = "BH"))
res <- res[order(res$period, res$unit, res$measure, res$kind), ]
write.csv(res[, c("period", "unit", "measure", "kind", "figure", "target", "limit_low", "limit_high", "z", "p_value", "p_adjusted", "phi", "tau2")],
          "test/data/alerts_reference.csv", row.names = FALSE)
