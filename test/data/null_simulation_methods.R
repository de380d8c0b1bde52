# SPDX-License-Identifier: GPL-3.0-or-later
# The null simulation behind exlink's choice of clustered correlation test (docs/statistics.md,
# section 7): EX constant within an employee, 1-60 transactions each, employee ICC 0.3, no
# effect.  Rejection at 5 % of the candidate symmetric tests of r and of the (asymmetric) CR2
# slope tests, at G = 30 and G = 100.
#   Rscript test/data/null_simulation_methods.R [data sets per G, default 1000] [seed]
# Base R only; CR2 and its Satterthwaite df by the q x q formulas of docs/statistics.md, which
# equal clubSandwich's (test/data/cluster_reference.R checks exlink against clubSandwich).
args <- commandArgs(TRUE)
reps <- if (length(args) >= 1) as.integer(args[1]) else 1000
set.seed(if (length(args) >= 2) as.integer(args[2]) else 1)
symfun <- function(A, f, tol = 1e-12) {
  ev <- eigen(A, symmetric = TRUE); v <- ev$values
  fv <- ifelse(abs(v) > tol * max(abs(v)), f(v), 0)
  ev$vectors %*% diag(fv, length(v)) %*% t(ev$vectors)
}
cr2 <- function(X, y, g) {              # t and Satterthwaite df of the last coefficient
  M <- solve(crossprod(X)); b <- M %*% crossprod(X, y); e <- drop(y - X %*% b); p <- ncol(X)
  cl <- unique(g); meat <- matrix(0, p, p); u <- M[, p]
  tt <- numeric(length(cl)); w <- matrix(0, p, length(cl)); k <- 0
  for (h in cl) {
    k <- k + 1; i <- g == h; Xg <- X[i, , drop = FALSE]
    F <- symfun(crossprod(Xg), sqrt); Fp <- symfun(crossprod(Xg), function(v) 1 / sqrt(v))
    ev <- eigen(F %*% M %*% F, symmetric = TRUE); lam <- pmin(ev$values, 1)
    ah <- ifelse(lam < 1 - 1e-10, 1 / sqrt(1 - lam), 0)
    Ah <- ev$vectors %*% diag(ah, p) %*% t(ev$vectors); A2 <- ev$vectors %*% diag(ah^2, p) %*% t(ev$vectors)
    st <- F %*% Ah %*% Fp %*% crossprod(Xg, e[i]); meat <- meat + st %*% t(st)
    tt[k] <- drop(t(u) %*% F %*% A2 %*% F %*% u); w[, k] <- F %*% Ah %*% F %*% u
  }
  V <- M %*% meat %*% M; mw <- colSums(w * (M %*% w)); W <- w %*% t(w)
  list(t = b[p] / sqrt(V[p, p]),
       df = sum(tt - mw)^2 / (sum(tt^2) - 2 * sum(tt * mw) + sum(diag(M %*% W %*% M %*% W))))
}
one <- function(G, icc = 0.3) {
  n <- sample(1:60, G, replace = TRUE); g <- rep(1:G, n); N <- length(g)
  x <- rnorm(G)[g]; y <- rnorm(G, sd = sqrt(icc))[g] + rnorm(N, sd = sqrt(1 - icc))
  a <- cr2(cbind(1, x), y, g); b <- cr2(cbind(1, y), x, g)
  r <- cor(x, y); xc <- x - mean(x); yc <- y - mean(y); Sxx <- sum(xc^2); Syy <- sum(yc^2)
  psi <- tapply(xc * yc / sqrt(Sxx * Syy) - r / 2 * (xc^2 / Sxx + yc^2 / Syy), g, sum)
  ng <- as.vector(table(g))
  # linearization, CR1 and with CR2's intercept-only adjustment and Satterthwaite df
  z_cr1 <- atanh(r) * (1 - r^2) / sqrt(G / (G - 1) * sum(psi^2))
  tg <- ng / (1 - ng / N) / N^2; wg <- ng / sqrt(1 - ng / N) / N; mwg <- wg^2 / N
  df_i <- sum(tg - mwg)^2 / (sum(tg^2) - 2 * sum(tg * mwg) + (sum(wg^2) / N)^2)
  z_i <- atanh(r) * (1 - r^2) / sqrt(sum(psi^2 / (1 - ng / N)))
  # delete-one-member jackknife of atanh(r)
  zj <- sapply(1:G, function(h) atanh(cor(x[g != h], y[g != h])))
  z_jk <- atanh(r) / sqrt((G - 1) / G * sum((zj - mean(zj))^2))
  c(linearization_cr1 = 2 * pt(-abs(z_cr1), G - 1) < 0.05,
    linearization_cr2_intercept = 2 * pt(-abs(z_i), df_i) < 0.05,
    cr2_slope_cx_on_ex = 2 * pt(-abs(a$t), a$df) < 0.05,
    cr2_slope_ex_on_cx = 2 * pt(-abs(b$t), b$df) < 0.05,
    jackknife = 2 * pt(-abs(z_jk), G - 1) < 0.05)
}
for (G in c(30, 100)) {
  cat("G =", G, "\n"); print(round(rowMeans(replicate(reps, one(G))), 4))
}
