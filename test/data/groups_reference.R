# SPDX-License-Identifier: GPL-3.0-or-later
# Reference figures for exlink's driver groups (issue 21), with R's lm, sandwich and clubSandwich:
#   Rscript test/data/groups_reference.R      (from the repository root)
# Writes groups_data.csv (the input rows: member, y, tenure, class, hours, engagement, segment)
# and groups_reference.csv: for the model
#   y ~ tenure + class (factor, reference A) + hours (piecewise linear, knots 10 and 20:
#   hours, (hours - 10)+, (hours - 20)+) + engagement + segment (B vs A) + engagement:segment
# in six groups (tenure, class, hours, engagement, segment, engagement_x_segment):
#  - lmg: the exact Shapley value of R² with the groups as players: R² of lm() on every union of
#    groups (2^6 subsets), weights s! (g-1-s)! / g!;
#  - relative_weight: the sum of the group's columns' Johnson (2000) relative weights;
#  - the Wald F that the group's betas are all zero: independent rows, anova() of the nested
#    lm (F on (r, n - k - 1)); CR1, vcovCL(type = "HC1") on (r, G - 1); CR2,
#    clubSandwich::Wald_test(vcovCR(type = "CR2"), test = "HTZ") (Hotelling T^2 approximation,
#    F on (r, nu - r + 1)).
suppressPackageStartupMessages(library(sandwich))
suppressPackageStartupMessages(library(clubSandwich))
RNGkind("Mersenne-Twister", "Inversion", "Rejection")
set.seed(20261207)
out_dir <- "test/data"

G <- 60
size <- sample(2:14, G, replace = TRUE)
member <- rep(sprintf("e%03d", 1:G), size)
n <- length(member)
eff <- rep(rnorm(G, sd = 0.5), size)
tenure <- round(rep(runif(G, 0, 10), size), 6)
class <- rep(sample(c("A", "B", "C"), G, replace = TRUE, prob = c(0.5, 0.3, 0.2)), size)
hours <- round(rep(runif(G, 0, 40), size), 6)
engagement <- round(rnorm(n, 3.5, 0.8), 6)
segment <- sample(c("A", "B"), n, replace = TRUE)
y <- 50 + 0.8 * tenure + ifelse(class == "B", 3, ifelse(class == "C", 5, 0)) +
  0.6 * pmin(hours, 20) + 2 * engagement + ifelse(segment == "B", 1.5 * engagement - 2, 0) +
  eff + rnorm(n, sd = 3)
y <- round(y, 6)
d <- data.frame(member, y, tenure, class, hours, engagement, segment)
write.csv(d, file.path(out_dir, "groups_data.csv"), row.names = FALSE)

X <- cbind(tenure = tenure, classB = as.numeric(class == "B"), classC = as.numeric(class == "C"),
           hours = hours, hours_10 = pmax(hours - 10, 0), hours_20 = pmax(hours - 20, 0),
           engagement = engagement, segmentB = as.numeric(segment == "B"),
           engagement_x_segmentB = engagement * as.numeric(segment == "B"))
groups <- c("tenure", "class", "class", "hours", "hours", "hours", "engagement", "segment",
            "engagement_x_segment")
gnames <- unique(groups)
g <- length(gnames)
k <- ncol(X)

# The model as lm() with factor() and the piecewise terms, to check the columns are that model.
fit_formula <- lm(y ~ tenure + factor(class) + hours + pmax(hours - 10, 0) + pmax(hours - 20, 0) +
                    engagement * factor(segment))
fit <- lm(y ~ X)
stopifnot(abs(summary(fit)$r.squared - summary(fit_formula)$r.squared) < 1e-12)
r2_full <- summary(fit)$r.squared

r2_of <- function(cols) if (length(cols) == 0) 0 else summary(lm(y ~ X[, cols, drop = FALSE]))$r.squared
r2s <- numeric(2^g)
for (mask in 0:(2^g - 1)) {
  in_set <- bitwAnd(mask, 2^(0:(g - 1))) > 0
  r2s[mask + 1] <- r2_of(which(groups %in% gnames[in_set]))
}
lmg <- numeric(g)
for (t in 1:g) for (mask in 0:(2^g - 1)) {
  if (bitwAnd(mask, 2^(t - 1)) > 0) next
  s <- sum(bitwAnd(mask, 2^(0:(g - 1))) > 0)
  w <- factorial(s) * factorial(g - 1 - s) / factorial(g)
  lmg[t] <- lmg[t] + w * (r2s[mask + 1 + 2^(t - 1)] - r2s[mask + 1])
}
stopifnot(abs(sum(lmg) - r2_full) < 1e-12)

R <- cor(X); rxy <- cor(X, y)
e <- eigen(R, symmetric = TRUE)
L <- e$vectors %*% diag(sqrt(e$values)) %*% t(e$vectors)
bstar <- solve(L, rxy)
rw_col <- as.vector((L^2) %*% (bstar^2))
rw <- sapply(gnames, function(n) sum(rw_col[groups == n]))

b <- coef(fit)[-1]
V_cr1 <- vcovCL(fit, cluster = ~member, type = "HC1", cadjust = TRUE)[-1, -1]
V_cr2 <- vcovCR(fit, cluster = member, type = "CR2")
wald <- function(cols, V, df2) {
  f <- as.numeric(t(b[cols]) %*% solve(V[cols, cols, drop = FALSE], b[cols])) / length(cols)
  c(f, length(cols), df2, pf(f, length(cols), df2, lower.tail = FALSE))
}
rows <- list()
for (t in 1:g) {
  cols <- which(groups == gnames[t])
  without <- lm(y ~ X[, -cols, drop = FALSE])
  a <- anova(without, fit)
  iid <- c(a$F[2], a$Df[2], a$Res.Df[2], a$`Pr(>F)`[2])
  cr1 <- wald(cols, V_cr1, G - 1)
  cs <- Wald_test(fit, constraints = constrain_zero(cols + 1), vcov = V_cr2, test = "HTZ")
  cr2 <- c(cs$Fstat, cs$df_num, cs$df_denom, cs$p_val)
  rows[[t]] <- data.frame(group = gnames[t], lmg = lmg[t], lmg_share = 100 * lmg[t] / r2_full,
                          relative_weight = rw[t], relative_weight_share = 100 * rw[t] / r2_full,
                          iid_f = iid[1], iid_df1 = iid[2], iid_df2 = iid[3], iid_p = iid[4],
                          cr1_f = cr1[1], cr1_df1 = cr1[2], cr1_df2 = cr1[3], cr1_p = cr1[4],
                          cr2_f = cr2[1], cr2_df1 = cr2[2], cr2_df2 = cr2[3], cr2_p = cr2[4])
}
ref <- do.call(rbind, rows)
ref$r2 <- r2_full
fmt <- function(x) if (is.numeric(x)) sprintf("%.17g", x) else x
ref[] <- lapply(ref, fmt)
write.csv(ref, file.path(out_dir, "groups_reference.csv"), row.names = FALSE, quote = FALSE)
print(ref)

# The response curve of hours (piecewise linear, knots 10 and 20) and the engagement slope by
# segment, from the raw lm() with the CR2 covariance (clubSandwich), t on the smallest
# Satterthwaite df of the slopes (exlink's model df):
#  - effect(x) = sum_j b_j (B_j(x) - mean(B_j)), se = sqrt(d' V d), d = B(x) - mean(B);
#  - slope(x) = sum_j b_j B_j'(x) with B'(x) = (1, x >= 10, x >= 20);
#  - flat_from: the smallest grid x from which every slope's lower bound is <= 0;
#  - segments: engagement's slope in A (b_eng) and B (b_eng + b_int), the difference b_int.
ct <- coef_test(fit, vcov = V_cr2, test = "Satterthwaite")
df_min <- min(ct$df[-1])
b_raw <- coef(fit)[-1]
V_raw <- as.matrix(V_cr2)[-1, -1]
tq <- qt(0.975, df_min)
combo <- function(w) {
  est <- sum(w * b_raw); se <- sqrt(as.numeric(t(w) %*% V_raw %*% w))
  c(est, se, est - tq * se, est + tq * se, 2 * pt(-abs(est / se), df_min))
}
hcols <- 4:6
grid <- c(0, 5, 10, 15, 20, 25, 30, 35, 40)
mB <- colMeans(X[, hcols])
curve <- t(sapply(grid, function(x) {
  w <- numeric(k); w[hcols] <- c(x, max(x - 10, 0), max(x - 20, 0)) - mB
  e <- combo(w)
  w <- numeric(k); w[hcols] <- c(1, x >= 10, x >= 20)
  s <- combo(w)
  c(x = x, predicted = mean(y) + e[1], effect = e[1], effect_low = e[3], effect_high = e[4],
    slope = s[1], slope_low = s[3], slope_high = s[4], slope_p = s[5])
}))
curve <- as.data.frame(curve)
flat <- sapply(seq_along(grid), function(i) all(curve$slope_low[i:length(grid)] <= 0))
curve$flat_from <- if (any(flat)) min(grid[flat]) else NA
curve[] <- lapply(curve, fmt)
write.csv(curve, file.path(out_dir, "groups_reference_curve.csv"), row.names = FALSE, quote = FALSE)
seg <- rbind(c(combo(c(0, 0, 0, 0, 0, 0, 1, 0, 0)), rep(NA, 5)),
             c(combo(c(0, 0, 0, 0, 0, 0, 1, 0, 1)), combo(c(0, 0, 0, 0, 0, 0, 0, 0, 1))))
seg <- data.frame(segment = c("A", "B"), slope = seg[, 1], slope_low = seg[, 3], slope_high = seg[, 4],
                  difference = seg[, 6], difference_low = seg[, 8], difference_high = seg[, 9],
                  difference_p = seg[, 10])
seg[] <- lapply(seg, fmt)
write.csv(seg, file.path(out_dir, "groups_reference_segments.csv"), row.names = FALSE, quote = FALSE)
print(curve); print(seg)

# splines::ns(x, knots = c(10, 20), Boundary.knots = c(0, 40)) at points inside and beyond the
# boundary, and its first derivative (the same construction with splineDesign(derivs = 1),
# constant beyond the boundary): groups_reference_ns.csv.
suppressPackageStartupMessages(library(splines))
ns_knots <- c(10, 20); ns_bd <- c(0, 40)
xs <- c(-5, 0, 3.5, 10, 12.25, 20, 31, 40, 47)
ns_basis <- ns(xs, knots = ns_knots, Boundary.knots = ns_bd)
Ak <- sort(c(rep(ns_bd, 4), ns_knots))
const <- splineDesign(Ak, ns_bd, 4, c(2, 2))[, -1]
qrc <- qr(t(const))
d1 <- t(sapply(xs, function(x) splineDesign(Ak, min(max(x, ns_bd[1]), ns_bd[2]), 4, 1)))[, -1]
ns_d1 <- t(qr.qty(qrc, t(d1)))[, -(1:2)]
nsref <- data.frame(x = xs)
for (j in 1:ncol(ns_basis)) nsref[[paste0("b", j)]] <- ns_basis[, j]
for (j in 1:ncol(ns_d1)) nsref[[paste0("d", j)]] <- ns_d1[, j]
nsref[] <- lapply(nsref, fmt)
write.csv(nsref, file.path(out_dir, "groups_reference_ns.csv"), row.names = FALSE, quote = FALSE)
print(nsref)

# The same model with hours as ns(hours, knots = c(10, 20), Boundary.knots = c(0, 40)): the
# hours group's LMG and CR2 HTZ test, and its response curve as above (slope = the basis's
# derivative times b): groups_reference_ns_curve.csv.
Hn <- ns(hours, knots = ns_knots, Boundary.knots = ns_bd)
Xn <- cbind(X[, 1:3], Hn, X[, 7:9])
fitn <- lm(y ~ Xn)
gn <- c(1, 2, 2, 3, 3, 3, 4, 5, 6)
r2n <- function(gs) { cols <- which(gn %in% gs); if (length(cols) == 0) 0 else summary(lm(y ~ Xn[, cols, drop = FALSE]))$r.squared }
lmg_h <- 0
for (mask in 0:(2^6 - 1)) {
  if (bitwAnd(mask, 4) > 0) next
  gs <- which(bitwAnd(mask, 2^(0:5)) > 0); s <- length(gs)
  lmg_h <- lmg_h + factorial(s) * factorial(5 - s) / factorial(6) * (r2n(c(gs, 3)) - r2n(gs))
}
Vn <- vcovCR(fitn, cluster = member, type = "CR2")
wn <- Wald_test(fitn, constraints = constrain_zero(5:7), vcov = Vn, test = "HTZ")
ctn <- coef_test(fitn, vcov = Vn, test = "Satterthwaite")
dfn <- min(ctn$df[-1]); tqn <- qt(0.975, dfn)
bn <- coef(fitn)[-1]; Vnr <- as.matrix(Vn)[-1, -1]
combon <- function(w) { est <- sum(w * bn); se <- sqrt(as.numeric(t(w) %*% Vnr %*% w))
  c(est, est - tqn * se, est + tqn * se) }
mBn <- colMeans(Hn)
gridn <- c(0, 5, 10, 15, 20, 25, 30, 35, 40)
dHn <- function(x) { d <- splineDesign(Ak, x, 4, 1)[, -1, drop = FALSE]; t(qr.qty(qrc, t(d)))[, -(1:2)] }
ncurve <- as.data.frame(t(sapply(gridn, function(x) {
  w <- numeric(9); w[4:6] <- as.vector(ns(x, knots = ns_knots, Boundary.knots = ns_bd)) - mBn
  e <- combon(w)
  w <- numeric(9); w[4:6] <- dHn(x)
  s <- combon(w)
  c(x = x, effect = e[1], effect_low = e[2], effect_high = e[3], slope = s[1], slope_low = s[2], slope_high = s[3])
})))
ncurve$lmg_hours <- lmg_h
ncurve$f_hours <- wn$Fstat
ncurve$p_hours <- wn$p_val
ncurve[] <- lapply(ncurve, fmt)
write.csv(ncurve, file.path(out_dir, "groups_reference_ns_curve.csv"), row.names = FALSE, quote = FALSE)
print(ncurve)

# The HTZ test with the members nested in coarser clusters (teams of three consecutive members,
# 20 teams): clubSandwich's Wald_test(vcovCR(cluster = team, type = "CR2"), test = "HTZ") per
# group of the first model: groups_reference_htz_team.csv.
team <- sprintf("t%02d", (as.integer(substr(member, 2, 4)) - 1) %/% 3)
V_team <- vcovCR(fit, cluster = team, type = "CR2")
htz_team <- do.call(rbind, lapply(1:g, function(t) {
  cols <- which(groups == gnames[t])
  w <- Wald_test(fit, constraints = constrain_zero(cols + 1), vcov = V_team, test = "HTZ")
  data.frame(group = gnames[t], f = w$Fstat, df1 = w$df_num, df2 = w$df_denom, p = w$p_val)
}))
htz_team[] <- lapply(htz_team, fmt)
write.csv(htz_team, file.path(out_dir, "groups_reference_htz_team.csv"), row.names = FALSE, quote = FALSE)
print(htz_team)
