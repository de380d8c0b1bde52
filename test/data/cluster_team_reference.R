# SPDX-License-Identifier: GPL-3.0-or-later
# Reference figures for driver_weights clustered by a coarser unit than the member (the team of
# cluster_data.csv, in which every member belongs to one team), with R's sandwich and
# clubSandwich:
#   Rscript test/data/cluster_team_reference.R      (from the repository root)
# Reads cluster_data.csv (written by cluster_reference.R) and writes cluster_team_reference.csv:
# for set 'main' (set 'few' has too few teams for a meaningful test, but is written too),
# lm(scale(y) ~ scale(X)) with
#  - method cr2: clubSandwich::vcovCR(fit, cluster = team, type = "CR2"), coef_test and
#    conf_int with test = "Satterthwaite";
#  - method cr1: sandwich::vcovCL(fit, cluster = ~team, type = "HC1") (G/(G-1) (N-1)/(N-K)),
#    t on G - 1 df, G = the number of teams;
#  - method member_cr2: the CR2 standard errors by member, for the ratio team / member;
# and cluster_team_reference_correlation.csv: cor(y, x) for x1 and x4 with the delete-one-team
# jackknife of atanh(r) (method jackknife) and the CR1 linearization by team (method cr1), as
# cluster_reference.R computes them by member: t = atanh(r) / se, on G - 1 df for cr1 and on the
# mean CR2 Satterthwaite df of the two slopes (by team) for the jackknife; methods
# rank_jackknife and rank_cr1: the same for Spearman's rho, on rank(y) and rank(x) of all rows
# (average ranks; deleting a team keeps the other rows' ranks, as cluster_reference.R does).
suppressPackageStartupMessages({ library(sandwich); library(clubSandwich) })
out_dir <- "test/data"
data <- read.csv(file.path(out_dir, "cluster_data.csv"), stringsAsFactors = FALSE)
stopifnot(all(tapply(data$team, data$member, function(t) length(unique(t))) == 1))
rows <- list(); cors <- list()
for (s in unique(data$set)) {
  d <- data[data$set == s, ]
  G <- length(unique(d$team))
  X <- as.matrix(d[, c("x1", "x2", "x3", "x4")])
  fit <- lm(scale(d$y) ~ scale(X))
  b <- coef(fit)[-1]
  V2 <- vcovCR(fit, cluster = d$team, type = "CR2")
  ct <- coef_test(fit, vcov = V2, test = "Satterthwaite")[-1, ]
  ci <- conf_int(fit, vcov = V2, test = "Satterthwaite", level = 0.95)[-1, ]
  rows[[length(rows) + 1]] <- data.frame(set = s, method = "cr2", ordinal = 1:4, clusters = G,
                                         beta = b, beta_se = ct$SE, t = ct$tstat, df = ct$df_Satt,
                                         p_value = ct$p_Satt, ci_low = ci$CI_L, ci_high = ci$CI_U)
  V1 <- vcovCL(fit, cluster = d$team, type = "HC1", cadjust = TRUE)[-1, -1]
  se <- sqrt(diag(V1)); t <- b / se
  rows[[length(rows) + 1]] <- data.frame(set = s, method = "cr1", ordinal = 1:4, clusters = G,
                                         beta = b, beta_se = se, t = t, df = G - 1,
                                         p_value = 2 * pt(-abs(t), G - 1),
                                         ci_low = b - qt(0.975, G - 1) * se,
                                         ci_high = b + qt(0.975, G - 1) * se)
  Vm <- vcovCR(fit, cluster = d$member, type = "CR2")
  cm <- coef_test(fit, vcov = Vm, test = "Satterthwaite")[-1, ]
  Gm <- length(unique(d$member))
  rows[[length(rows) + 1]] <- data.frame(set = s, method = "member_cr2", ordinal = 1:4, clusters = Gm,
                                         beta = b, beta_se = cm$SE, t = cm$tstat, df = cm$df_Satt,
                                         p_value = cm$p_Satt, ci_low = NA, ci_high = NA)
  teams <- unique(d$team)
  for (v in c("x1", "x4", "rank_x1", "rank_x4")) {
    rk <- startsWith(v, "rank_")
    y <- if (rk) rank(d$y) else d$y
    x <- if (rk) rank(d[[sub("rank_", "", v)]]) else d[[v]]
    r <- cor(y, x)
    zg <- sapply(teams, function(g) { keep <- d$team != g; atanh(cor(y[keep], x[keep])) })
    se_jk <- sqrt((G - 1) / G * sum((zg - mean(zg))^2))
    xc <- x - mean(x); yc <- y - mean(y); Sxx <- sum(xc^2); Syy <- sum(yc^2)
    psi <- tapply(xc * yc / sqrt(Sxx * Syy) - r / 2 * (xc^2 / Sxx + yc^2 / Syy), d$team, sum)
    se_cr1 <- sqrt(G / (G - 1) * sum(psi^2)) / (1 - r^2)
    # the jackknife's t: on the mean of the CR2 Satterthwaite df of the two slopes, by team
    satt_df <- function(yy, xx) {   # on scaled data (the offset of 1e4 costs digits)
      yy <- as.vector(scale(yy)); xx <- as.vector(scale(xx))
      f <- lm(yy ~ xx)
      coef_test(f, vcov = vcovCR(f, cluster = d$team, type = "CR2"), test = "Satterthwaite")$df_Satt[2]
    }
    df_jk <- (satt_df(y, x) + satt_df(x, y)) / 2
    for (m in c("jackknife", "cr1")) {
      se_z <- if (m == "jackknife") se_jk else se_cr1
      df <- if (m == "jackknife") df_jk else G - 1
      t <- atanh(r) / se_z; q <- qt(0.975, df)
      cors[[length(cors) + 1]] <- data.frame(set = s, method = if (rk) paste0("rank_", m) else m,
                                             var = sub("rank_", "", v), clusters = G, r = r, t = t,
                                             df = df, p_value = 2 * pt(-abs(t), df),
                                             ci_low = tanh(atanh(r) - q * se_z), ci_high = tanh(atanh(r) + q * se_z))
    }
  }
}
fmt <- function(df) { for (c in names(df)) if (is.double(df[[c]])) df[[c]] <- sprintf("%.17g", df[[c]]); df }
write.csv(fmt(do.call(rbind, rows)), file.path(out_dir, "cluster_team_reference.csv"), row.names = FALSE, quote = FALSE)
write.csv(fmt(do.call(rbind, cors)), file.path(out_dir, "cluster_team_reference_correlation.csv"), row.names = FALSE, quote = FALSE)
