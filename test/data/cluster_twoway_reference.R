# SPDX-License-Identifier: GPL-3.0-or-later
# Reference figures for two-way clustering by member and team (Cameron, Gelbach & Miller 2011)
# when members are NOT nested in teams (some employees move between teams), with R's sandwich:
#   Rscript test/data/cluster_twoway_reference.R      (from the repository root)
# Reads cluster_data.csv (written by cluster_reference.R) and writes cluster_twoway_data.csv: the
# rows of its sets with, for every third member, the second half of its rows (in file order) moved
# to the next team (t1 -> t2, ..., t5 -> t1), so those members belong to two teams; then
#  - cluster_twoway_reference.csv: lm(scale(y) ~ scale(X)) with
#    sandwich::vcovCL(fit, cluster = ~ member + team, type = "HC1", multi0 = FALSE)
#    (= V_member + V_team - V_member-x-team, each with G/(G-1), times (N-1)/(N-K)), t on
#    min(G_member, G_team) - 1 df; column fixed: whether the slopes' covariance had a negative
#    eigenvalue, set to 0 (then se from the fixed matrix: crossprod(sqrt(pmax(values, 0)) * t(vectors)),
#    sandwich's fix = TRUE applied to the slopes' block, which exlink reports);
#  - cluster_twoway_reference_correlation.csv: cor(y, x) for x1 and x4 (and Spearman on the ranks
#    of all rows, var rank_x1, rank_x4) with the CR1 linearization variance of r summed per member,
#    per team and per member-x-team cell, combined as above: se(atanh r) = sqrt(V) / (1 - r^2),
#    t = atanh(r) / se on min(G) - 1 df.
suppressPackageStartupMessages(library(sandwich))
out_dir <- "test/data"
data <- read.csv(file.path(out_dir, "cluster_data.csv"), stringsAsFactors = FALSE)
teams <- sort(unique(data$team))
next_team <- setNames(c(teams[-1], teams[1]), teams)
moved <- data
ids <- sort(unique(data$member))
for (i in seq_along(ids)) {
  if (i %% 3 != 0) next
  rows <- which(moved$member == ids[i])
  hi <- rows[seq_along(rows) > length(rows) / 2]
  moved$team[hi] <- next_team[moved$team[hi]]
}
# Set 'fix': 8 members of 'main' (the 2nd to 9th by id) whose two-way covariance has a negative
# eigenvalue (a difference of estimates need not be positive semi-definite).
main_ids <- sort(unique(moved$member[moved$set == "main"]))
fix <- moved[moved$set == "main" & moved$member %in% main_ids[2:9], ]
fix$set <- "fix"
moved <- rbind(moved, fix)
write.csv(moved, file.path(out_dir, "cluster_twoway_data.csv"), row.names = FALSE)
rows <- list(); cors <- list()
for (s in unique(moved$set)) {
  d <- moved[moved$set == s, ]
  Gm <- length(unique(d$member)); Gt <- length(unique(d$team))
  split <- sum(tapply(d$team, d$member, function(t) length(unique(t))) > 1)
  df <- min(Gm, Gt) - 1
  dd <- data.frame(member = d$member, team = d$team, y = as.vector(scale(d$y)),
                   scale(as.matrix(d[, c("x1", "x2", "x3", "x4")])))
  fit <- lm(y ~ x1 + x2 + x3 + x4, data = dd)
  b <- coef(fit)[-1]
  V <- vcovCL(fit, cluster = ~ member + team, type = "HC1", multi0 = FALSE)[-1, -1]
  E <- eigen(V, symmetric = TRUE)
  fixed <- any(E$values < 0)
  if (fixed) V <- crossprod(sqrt(pmax(E$values, 0)) * t(E$vectors))
  se <- sqrt(diag(V)); t <- b / se; q <- qt(0.975, df)
  rows[[length(rows) + 1]] <- data.frame(set = s, ordinal = 1:4, members = Gm, teams = Gt,
                                         split_members = split, fixed = fixed, beta = b, beta_se = se,
                                         t = t, df = df, p_value = 2 * pt(-abs(t), df),
                                         ci_low = b - q * se, ci_high = b + q * se)
  cell <- paste(d$member, d$team, sep = "_")
  Gc <- length(unique(cell))
  for (v in c("x1", "x4", "rank_x1", "rank_x4")) {
    rk <- startsWith(v, "rank_")
    y <- if (rk) rank(d$y) else d$y
    x <- if (rk) rank(d[[sub("rank_", "", v)]]) else d[[v]]
    r <- cor(y, x)
    xc <- x - mean(x); yc <- y - mean(y); Sxx <- sum(xc^2); Syy <- sum(yc^2)
    psi <- xc * yc / sqrt(Sxx * Syy) - r / 2 * (xc^2 / Sxx + yc^2 / Syy)
    vr <- function(g) { G <- length(unique(g)); G / (G - 1) * sum(tapply(psi, g, sum)^2) }
    Vr <- vr(d$member) + vr(d$team) - vr(cell)
    se_z <- if (Vr > 0) sqrt(Vr) / (1 - r^2) else NA
    t <- atanh(r) / se_z
    cors[[length(cors) + 1]] <- data.frame(set = s, var = v, members = Gm, teams = Gt, cells = Gc,
                                           r = r, t = t, df = df, p_value = 2 * pt(-abs(t), df),
                                           ci_low = tanh(atanh(r) - q * se_z), ci_high = tanh(atanh(r) + q * se_z))
  }
}
fmt <- function(df) { for (c in names(df)) if (is.double(df[[c]])) df[[c]] <- sprintf("%.17g", df[[c]]); df }
write.csv(fmt(do.call(rbind, rows)), file.path(out_dir, "cluster_twoway_reference.csv"), row.names = FALSE, quote = FALSE)
write.csv(fmt(do.call(rbind, cors)), file.path(out_dir, "cluster_twoway_reference_correlation.csv"), row.names = FALSE, quote = FALSE)
# cluster_twoway_reference_groups.csv: the Wald test of each driver group (a = x1, x2; b = x3, x4)
# on the two-way covariance of the standardized slopes (eigenvalue-fixed as above):
# F = b_g' V_gg^-1 b_g / r on (r, min(G_member, G_team) - 1) df, the CR1 form of exlink's group
# test (docs/drivers.md).
grows <- list()
for (s in unique(moved$set)) {
  d <- moved[moved$set == s, ]
  df <- min(length(unique(d$member)), length(unique(d$team))) - 1
  dd <- data.frame(member = d$member, team = d$team, y = as.vector(scale(d$y)),
                   scale(as.matrix(d[, c("x1", "x2", "x3", "x4")])))
  fit <- lm(y ~ x1 + x2 + x3 + x4, data = dd)
  b <- coef(fit)[-1]
  V <- vcovCL(fit, cluster = ~ member + team, type = "HC1", multi0 = FALSE)[-1, -1]
  E <- eigen(V, symmetric = TRUE)
  if (any(E$values < 0)) V <- crossprod(sqrt(pmax(E$values, 0)) * t(E$vectors))
  for (g in list(list(name = "a", cols = 1:2), list(name = "b", cols = 3:4))) {
    bg <- b[g$cols]; Vg <- V[g$cols, g$cols]
    f <- as.numeric(t(bg) %*% solve(Vg, bg)) / length(g$cols)
    grows[[length(grows) + 1]] <- data.frame(set = s, grp = g$name, f = f, df1 = length(g$cols), df2 = df,
                                             p = pf(f, length(g$cols), df, lower.tail = FALSE))
  }
}
write.csv(fmt(do.call(rbind, grows)), file.path(out_dir, "cluster_twoway_reference_groups.csv"), row.names = FALSE, quote = FALSE)
