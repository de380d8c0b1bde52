# SPDX-License-Identifier: GPL-3.0-or-later
# Reference figures for exlink.driver_weights, computed independently with base R:
#   Rscript test/data/drivers_reference.R      (from the repository root)
# Writes the input data sets (drivers_<set>.csv: outcome y, drivers x1..xq) and the expected
# figures (drivers_reference_model.csv, drivers_reference_drivers.csv).
#  - betas, SE, t, p: lm() on standardized data (scale()), summary(lm)$coefficients;
#  - R², adjusted R²: summary(lm);
#  - condition number: kappa(cor(X), exact = TRUE) (2-norm condition number of R_xx);
#  - Pratt: beta_j * cor(y, x_j);
#  - Johnson (2000) relative weights by the published formula (eigen(), symmetric square root);
#  - LMG by full enumeration of the 2^q subsets (R² of each subset from solve(), no sweeps),
#    averaged with the Shapley weights s!(q-1-s)!/q! (relaimpo is not needed).
RNGkind("Mersenne-Twister", "Inversion", "Rejection")
options(digits = 17)
out_dir <- "test/data"

lmg_enum <- function(R, r) {
  q <- length(r)
  masks <- 0:(2^q - 1)
  r2 <- numeric(2^q)
  for (mask in masks[-1]) {
    S <- which(bitwAnd(mask, 2^(0:(q - 1))) > 0)
    r2[mask + 1] <- sum(r[S] * solve(R[S, S, drop = FALSE], r[S]))
  }
  size <- sapply(masks, function(m) sum(bitwAnd(m, 2^(0:(q - 1))) > 0))
  w <- factorial(0:(q - 1)) * factorial((q - 1):0) / factorial(q)
  sapply(1:q, function(j) {
    bit <- 2^(j - 1)
    without <- masks[bitwAnd(masks, bit) == 0]
    sum(w[size[without + 1] + 1] * (r2[without + bit + 1] - r2[without + 1]))
  })
}

johnson <- function(R, r) {
  e <- eigen(R, symmetric = TRUE)
  lstar <- e$vectors %*% diag(sqrt(e$values)) %*% t(e$vectors)
  bstar <- solve(lstar, r)
  as.vector(lstar^2 %*% bstar^2)
}

reference <- function(name, y, X) {
  q <- ncol(X)
  colnames(X) <- paste0("x", 1:q)
  write.csv(data.frame(y = y, X), file.path(out_dir, paste0("drivers_", name, ".csv")),
            row.names = FALSE)
  d <- data.frame(y = as.vector(scale(y)), scale(X))
  fit <- summary(lm(y ~ ., data = d))
  co <- fit$coefficients[-1, , drop = FALSE]
  R <- cor(X)
  r <- as.vector(cor(X, y))
  model <- data.frame(set = name, n = length(y), r2 = fit$r.squared, adj_r2 = fit$adj.r.squared,
                      condition_number = kappa(R, exact = TRUE))
  drivers <- data.frame(set = name, ordinal = 1:q, beta = co[, 1], beta_se = co[, 2],
                        t = co[, 3], p_value = co[, 4], pratt = co[, 1] * r,
                        relative_weight = johnson(R, r), lmg = lmg_enum(R, r))
  list(model = model, drivers = drivers)
}

sets <- list()
sets$swiss <- reference("swiss", swiss$Fertility,
                        as.matrix(swiss[, c("Agriculture", "Examination", "Education",
                                            "Catholic", "Infant.Mortality")]))
sets$mtcars <- reference("mtcars", mtcars$mpg,
                         as.matrix(mtcars[, c("cyl", "disp", "hp", "drat", "wt", "qsec")]))

# Synthetic, q = 12: correlated drivers (a shared factor and an AR(1)-like chain), n = 400.
set.seed(20261123)
n <- 400; q <- 12
f <- rnorm(n)
X <- matrix(0, n, q)
X[, 1] <- f + rnorm(n)
for (j in 2:q) X[, j] <- 0.5 * X[, j - 1] + 0.4 * f + rnorm(n)
X <- round(X, 6)
b <- c(0.8, -0.5, 0.3, 0, 0.2, 0, 0.6, -0.1, 0, 0.4, 0.05, 0)
y <- round(as.vector(X %*% b + rnorm(n, sd = 1.5)), 6)
sets$synth12 <- reference("synth12", y, X)

# Synthetic, q = 20 (accuracy of the exact LMG walk at its intended size), n = 300.
n <- 300; q <- 20
f <- rnorm(n)
X <- matrix(0, n, q)
X[, 1] <- f + rnorm(n)
for (j in 2:q) X[, j] <- 0.6 * X[, j - 1] + 0.3 * f + rnorm(n)
X <- round(X, 6)
b <- rep(c(0.5, -0.3, 0.2, 0, 0.1), 4)
y <- round(as.vector(X %*% b + rnorm(n, sd = 2)), 6)
sets$synth20 <- reference("synth20", y, X)

full <- function(df) {   # all 17 significant digits, not write.csv's 15
  for (col in names(df)) if (is.double(df[[col]])) df[[col]] <- sprintf("%.17g", df[[col]])
  df
}
write.csv(full(do.call(rbind, lapply(sets, `[[`, "model"))),
          file.path(out_dir, "drivers_reference_model.csv"), row.names = FALSE, quote = FALSE)
write.csv(full(do.call(rbind, lapply(sets, `[[`, "drivers"))),
          file.path(out_dir, "drivers_reference_drivers.csv"), row.names = FALSE, quote = FALSE)
print(sets$swiss$drivers[, c("ordinal", "lmg")], digits = 4)
