# SPDX-License-Identifier: GPL-3.0-or-later
# Reference figures for exlink's clustered inference, computed with R's sandwich and clubSandwich:
#   Rscript test/data/cluster_reference.R      (from the repository root; needs r-cran-sandwich
#   and r-cran-clubsandwich)
# Writes cluster_data.csv (the input rows) and the expected figures:
#  - cluster_reference_drivers.csv: for each set, lm(scale(y) ~ scale(X)) with
#    vcovCL(fit, cluster = ~member, type = "HC1") (cadjust = TRUE: G/(G-1) (N-1)/(N-K));
#    beta, SE = sqrt(diag(V)), t = beta / SE, p = 2 pt(-|t|, G - 1), interval
#    beta -+ qt(0.975, G - 1) SE; and the same with independent rows (summary(lm)).
#  - cluster_reference_vcov.csv: the CR1 covariance matrix of the standardized betas.
#  - cluster_reference_cr2.csv / cluster_reference_cr2_vcov.csv: the default (CR2) figures:
#    clubSandwich::vcovCR(fit, cluster = member, type = "CR2") of lm(scale(y) ~ scale(X)),
#    coef_test(test = "Satterthwaite") (t, df, p) and conf_int(test = "Satterthwaite").
#  - cluster_reference_correlation.csv: CR1 (inference => 'cr1', merged cells): r = cor(y, x);
#    se_z = sqrt(V) / (1 - r^2), V the cluster-robust linearization variance of r,
#    G/(G-1) sum_g psi_g^2 with psi_g = Q_g[xy] / sqrt(Sxx Syy) - r/2 (Q_g[xx] / Sxx + Q_g[yy] / Syy),
#    Q_g the member's sums of products about the overall means (base R, by the formula;
#    docs/statistics.md); t = atanh(r) / se_z, p = 2 pt(-|t|, G - 1), interval
#    tanh(atanh(r) -+ qt((1 + level)/2, G - 1) se_z).
#  - cluster_reference_jackknife.csv: the default for correlations: the same with se_z the
#    delete-one-member jackknife of atanh(r), se_z^2 = (G-1)/G sum_g (z_(g) - mean z)^2, each
#    z_(g) = atanh(cor()) of the rows without member g, and t on the mean of the CR2
#    Satterthwaite df of the two slopes (coef_test of lm(y ~ x) and of lm(x ~ y), vcovCR by
#    member, type "CR2") instead of G - 1.
#  - cluster_reference_spearman.csv, cluster_reference_spearman_jackknife.csv: the same for
#    Spearman's rho, i.e. on rank(y) and rank(x) of all rows (average ranks for ties), the
#    ranks taken as data: exlink.rank_correlation with a member.
# The EX columns carry an offset of 1e4 (uncentred sums of squares lose every digit there).
suppressPackageStartupMessages(library(sandwich))
suppressPackageStartupMessages(library(clubSandwich))
RNGkind("Mersenne-Twister", "Inversion", "Rejection")
options(digits = 17)
out_dir <- "test/data"

make_set <- function(name, G, max_rows, icc_sd) {
  size <- sample(1:max_rows, G, replace = TRUE)
  member <- rep(sprintf("%s-e%03d", name, 1:G), size)
  team <- rep(sprintf("t%d", (1:G) %% 5), size)
  g <- rep(1:G, size)
  # EX: constant within an employee (x1..x3), x4 varies by row (a shift-level measure).
  ex <- matrix(rnorm(G * 3), G, 3)
  ex[, 2] <- 0.5 * ex[, 1] + ex[, 2]
  x1 <- ex[g, 1]; x2 <- ex[g, 2]; x3 <- ex[g, 3]
  x4 <- rnorm(length(g)) + 0.3 * x1
  u <- rnorm(G, sd = icc_sd)[g]
  y <- 0.4 * x1 + 0.2 * x2 + 0 * x3 + 0.1 * x4 + u + rnorm(length(g))
  data.frame(set = name, member = member, team = team,
             y = round(y, 6),
             x1 = round(x1, 6) + 10000, x2 = round(x2, 6) + 10000,
             x3 = round(x3, 6) + 10000, x4 = round(x4, 6) + 10000)
}

set.seed(20261201)
data <- rbind(make_set("main", 80, 40, 0.8), make_set("few", 12, 30, 0.5))
write.csv(data, file.path(out_dir, "cluster_data.csv"), row.names = FALSE, quote = TRUE)

drivers <- list(); vcovs <- list(); cors <- list(); spearman <- list()
cr2 <- list(); cr2_vcovs <- list(); jk <- list(); spearman_jk <- list()
for (s in unique(data$set)) {
  d <- data[data$set == s, ]
  G <- length(unique(d$member)); n <- nrow(d)
  X <- as.matrix(d[, c("x1", "x2", "x3", "x4")])
  fit <- lm(scale(d$y) ~ scale(X))
  V <- vcovCL(fit, cluster = d$member, type = "HC1", cadjust = TRUE)[-1, -1]
  b <- coef(fit)[-1]
  se <- sqrt(diag(V)); t <- b / se
  sm <- summary(fit)$coefficients[-1, ]
  drivers[[s]] <- data.frame(set = s, ordinal = 1:4, clusters = G, df = G - 1, beta = b,
                             beta_se = se, t = t, p_value = 2 * pt(-abs(t), G - 1),
                             ci_low = b - qt(0.975, G - 1) * se, ci_high = b + qt(0.975, G - 1) * se,
                             iid_beta_se = sm[, 2], iid_t = sm[, 3], iid_p_value = sm[, 4],
                             iid_df = n - 5,
                             iid_ci_low = b - qt(0.975, n - 5) * sm[, 2],
                             iid_ci_high = b + qt(0.975, n - 5) * sm[, 2])
  vcovs[[s]] <- data.frame(set = s, i = rep(1:4, 4), j = rep(1:4, each = 4), v = as.vector(V))
  V2 <- vcovCR(fit, cluster = d$member, type = "CR2")
  ct <- coef_test(fit, vcov = V2, test = "Satterthwaite")[-1, ]
  ci <- conf_int(fit, vcov = V2, test = "Satterthwaite", level = 0.95)[-1, ]
  cr2[[s]] <- data.frame(set = s, ordinal = 1:4, clusters = G, beta = b, beta_se = ct$SE,
                         t = ct$tstat, df = ct$df_Satt, p_value = ct$p_Satt,
                         ci_low = ci$CI_L, ci_high = ci$CI_U)
  cr2_vcovs[[s]] <- data.frame(set = s, i = rep(1:4, 4), j = rep(1:4, each = 4),
                               v = as.vector(as.matrix(V2)[-1, -1]))
  satt_df <- function(y, x) {   # on scaled data, as the CR2 figures above (the offset costs digits)
    y <- as.vector(scale(y)); x <- as.vector(scale(x))
    f <- lm(y ~ x)
    coef_test(f, vcov = vcovCR(f, cluster = d$member, type = "CR2"), test = "Satterthwaite")$df_Satt[2]
  }
  cluster_cor <- function(y, x, v, level, jackknife) {
    r <- cor(y, x)
    df <- G - 1
    if (jackknife) {
      zg <- sapply(unique(d$member), function(g) { keep <- d$member != g; atanh(cor(y[keep], x[keep])) })
      se_z <- sqrt((G - 1) / G * sum((zg - mean(zg))^2))
      df <- (satt_df(y, x) + satt_df(x, y)) / 2
    } else {
      xc <- x - mean(x); yc <- y - mean(y)
      Sxx <- sum(xc^2); Syy <- sum(yc^2)
      psi <- tapply(xc * yc / sqrt(Sxx * Syy) - r / 2 * (xc^2 / Sxx + yc^2 / Syy), d$member, sum)
      se_z <- sqrt(G / (G - 1) * sum(psi^2)) / (1 - r^2)
    }
    t <- atanh(r) / se_z
    q <- qt((1 + level) / 2, df)
    data.frame(set = s, var = v, level = level, n = n, clusters = G,
               r = r, t = t, df = df,
               p_value = 2 * pt(-abs(t), df),
               ci_low = tanh(atanh(r) - q * se_z),
               ci_high = tanh(atanh(r) + q * se_z))
  }
  for (v in c("x1", "x4")) {
    for (level in c(0.95, 0.9)) {
      cors[[length(cors) + 1]] <- cluster_cor(d$y, d[[v]], v, level, FALSE)
      spearman[[length(spearman) + 1]] <- cluster_cor(rank(d$y), rank(d[[v]]), v, level, FALSE)
      jk[[length(jk) + 1]] <- cluster_cor(d$y, d[[v]], v, level, TRUE)
      spearman_jk[[length(spearman_jk) + 1]] <- cluster_cor(rank(d$y), rank(d[[v]]), v, level, TRUE)
    }
  }
}
fmt <- function(df) { for (c in names(df)) if (is.double(df[[c]])) df[[c]] <- sprintf("%.17g", df[[c]]); df }
write.csv(fmt(do.call(rbind, drivers)), file.path(out_dir, "cluster_reference_drivers.csv"), row.names = FALSE, quote = FALSE)
write.csv(fmt(do.call(rbind, vcovs)), file.path(out_dir, "cluster_reference_vcov.csv"), row.names = FALSE, quote = FALSE)
write.csv(fmt(do.call(rbind, cors)), file.path(out_dir, "cluster_reference_correlation.csv"), row.names = FALSE, quote = FALSE)
write.csv(fmt(do.call(rbind, spearman)), file.path(out_dir, "cluster_reference_spearman.csv"), row.names = FALSE, quote = FALSE)
write.csv(fmt(do.call(rbind, cr2)), file.path(out_dir, "cluster_reference_cr2.csv"), row.names = FALSE, quote = FALSE)
write.csv(fmt(do.call(rbind, cr2_vcovs)), file.path(out_dir, "cluster_reference_cr2_vcov.csv"), row.names = FALSE, quote = FALSE)
write.csv(fmt(do.call(rbind, jk)), file.path(out_dir, "cluster_reference_jackknife.csv"), row.names = FALSE, quote = FALSE)
write.csv(fmt(do.call(rbind, spearman_jk)), file.path(out_dir, "cluster_reference_spearman_jackknife.csv"), row.names = FALSE, quote = FALSE)

# An edge case for CR2: member m1 is the only one with x1 = 1 (one row), so its leverage is 1
# and CR2's adjustment is the pseudo-inverse there; members of 1 to 6 rows.  Written to
# cluster_edge.csv with the clubSandwich figures of two models in cluster_reference_edge.csv.
set.seed(3)
G <- 8; n <- c(1, 3, 5, 2, 4, 6, 2, 3); g <- rep(1:G, n)
edge <- data.frame(member = paste0("m", g), y = rnorm(sum(n)), x1 = ifelse(g == 1, 1, 0),
                   x2 = rnorm(G)[g], x3 = rnorm(sum(n)))
edge$y <- round(edge$y + rnorm(G)[g], 6); edge$x2 <- round(edge$x2, 6); edge$x3 <- round(edge$x3, 6)
write.csv(edge, file.path(out_dir, "cluster_edge.csv"), row.names = FALSE, quote = TRUE)
edge_ref <- list()
for (m in list(c("x2", "x3"), c("x1", "x2"))) {
  fit <- lm(scale(edge$y) ~ scale(as.matrix(edge[, m])))
  V <- vcovCR(fit, cluster = edge$member, type = "CR2")
  ct <- coef_test(fit, vcov = V, test = "Satterthwaite")[-1, ]
  edge_ref[[length(edge_ref) + 1]] <- data.frame(model = paste(m, collapse = "+"), ordinal = 1:2,
                                                 beta = coef(fit)[-1], beta_se = ct$SE, t = ct$tstat,
                                                 df = ct$df_Satt, p_value = ct$p_Satt)
}
write.csv(fmt(do.call(rbind, edge_ref)), file.path(out_dir, "cluster_reference_edge.csv"), row.names = FALSE, quote = FALSE)
