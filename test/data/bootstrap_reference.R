# SPDX-License-Identifier: GPL-3.0-or-later
# References for issue 18, item 5 (driver_weights' unstandardized slopes and bootstrap intervals):
#   Rscript test/data/bootstrap_reference.R     (from the repository root; needs r-cran-clubsandwich)
# On the rows of cluster_data.csv (cluster_reference.R):
#  - bootstrap_reference_raw.csv: lm(y ~ x1 + x2 + x3 + x4) on the drivers' units (centred), CR2
#    (clubSandwich::vcovCR(cluster = member, type = "CR2")), conf_int(test = "Satterthwaite"):
#    b, its standard error and 95% interval per driver.
#  - bootstrap_reference_quantiles.csv: the distribution of the relative-weight and LMG shares
#    (% of R²) under the cluster bootstrap exlink uses (members drawn with replacement, all the
#    rows of each drawn member), from 4000 draws of set "main": quantiles 0.005, 0.025, 0.06,
#    0.94, 0.975 and 0.995 per driver, to check exlink's 999-draw percentile interval against
#    (its ends must fall within [q0.005, q0.06] and [q0.94, q0.995]: outside with negligible
#    probability for 999 draws).  Relative weights by Johnson (2000), LMG over all orders.
suppressPackageStartupMessages(library(clubSandwich))
RNGkind("Mersenne-Twister", "Inversion", "Rejection")
set.seed(20261207)
options(digits = 17)
data <- read.csv("test/data/cluster_data.csv")
fmt <- function(df) { for (c in names(df)) if (is.double(df[[c]])) df[[c]] <- sprintf("%.17g", df[[c]]); df }

raw <- list()
for (s in unique(data$set)) {
  d <- data[data$set == s, ]
  # The drivers centred (scale = FALSE): the same slopes, hat matrix and CR2 as lm(y ~ x1 + ...),
  # without the 1e4 offset that costs the QR of the raw columns about 8 digits.
  X <- scale(as.matrix(d[, c("x1", "x2", "x3", "x4")]), scale = FALSE)
  fit <- lm(d$y ~ X)
  V <- vcovCR(fit, cluster = d$member, type = "CR2")
  ci <- conf_int(fit, vcov = V, test = "Satterthwaite", level = 0.95)[-1, ]
  raw[[s]] <- data.frame(set = s, ordinal = 1:4, b = coef(fit)[-1], b_se = ci$SE,
                         b_ci_low = ci$CI_L, b_ci_high = ci$CI_U)
}
write.csv(fmt(do.call(rbind, raw)), "test/data/bootstrap_reference_raw.csv", row.names = FALSE, quote = FALSE)

shares <- function(R) {
  q <- nrow(R) - 1
  rxx <- R[1:q, 1:q]; rxy <- R[1:q, q + 1]
  e <- eigen(rxx, symmetric = TRUE)
  L <- e$vectors %*% diag(sqrt(e$values)) %*% t(e$vectors)
  bstar <- solve(L, rxy)
  rw <- as.vector((L^2) %*% bstar^2)
  r2 <- function(S) if (length(S) == 0) 0 else as.numeric(t(rxy[S]) %*% solve(rxx[S, S, drop = FALSE], rxy[S]))
  lmg <- numeric(q)
  for (j in 1:q) {
    others <- setdiff(1:q, j)
    for (k in 0:(q - 1)) {
      sets <- if (k == 0) list(integer(0)) else combn(others, k, simplify = FALSE)
      for (S in sets) lmg[j] <- lmg[j] + (r2(c(S, j)) - r2(S)) / (q * choose(q - 1, k))
    }
  }
  total <- sum(rw)
  c(100 * rw / total, 100 * lmg / total)
}
d <- data[data$set == "main", ]
members <- unique(d$member)
rows_of <- split(seq_len(nrow(d)), d$member)
Z <- as.matrix(d[, c("x1", "x2", "x3", "x4", "y")])
draws <- t(replicate(4000, {
  pick <- sample(members, length(members), replace = TRUE)
  shares(cor(Z[unlist(rows_of[pick]), ]))
}))
probs <- c(0.005, 0.025, 0.06, 0.94, 0.975, 0.995)
q <- 4
out <- do.call(rbind, lapply(1:q, function(j) {
  rw <- quantile(draws[, j], probs); lm_ <- quantile(draws[, q + j], probs)
  data.frame(ordinal = j, share = c("relative_weight", "lmg"),
             q005 = c(rw[1], lm_[1]), q025 = c(rw[2], lm_[2]), q06 = c(rw[3], lm_[3]),
             q94 = c(rw[4], lm_[4]), q975 = c(rw[5], lm_[5]), q995 = c(rw[6], lm_[6]))
}))
write.csv(fmt(out), "test/data/bootstrap_reference_quantiles.csv", row.names = FALSE, quote = FALSE)
