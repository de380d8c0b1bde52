# SPDX-License-Identifier: GPL-3.0-or-later
# Reference figures for exlink.linked_correlation / exlink.rank_correlation, from R's cor.test.
# Run from the repository root:  Rscript test/data/correlation_reference.R
# Writes test/data/swiss.csv, mtcars.csv, correlation_edge.csv, correlation_reference.csv.
# Pearson: cor.test(x, y, method = "pearson", conf.level = level): r, t, df, p, conf.int.
# Spearman: cor.test(x, y, method = "spearman", exact = FALSE): r = rho, p; R gives no t, df
# or interval, so t = sqrt(n - 2) r / sqrt(1 - r^2) (the statistic R's pspearman passes to
# pt), df = n - 2, and the interval is Fisher z with Bonett & Wright's (2000) variance
# (1 + r^2 / 2) / (n - 3), the choice documented in docs/statistics.md.
out <- "test/data"
num <- function(v) ifelse(is.na(v), "", sprintf("%.17g", v))

sw <- swiss
names(sw) <- c("fertility", "agriculture", "examination", "education", "catholic", "infant_mortality")
sw <- cbind(province = rownames(swiss), sw)
write.csv(sw, file.path(out, "swiss.csv"), row.names = FALSE)
mt <- cbind(model = rownames(mtcars), mtcars)
write.csv(mt, file.path(out, "mtcars.csv"), row.names = FALSE)

# Edge cases: "" is SQL NULL (R NA), "NaN" is NaN; both are dropped by cor.test (complete cases).
edge <- list(
    ties     = list(x = c(1, 2, 2, 3, 4, 4, 4, 5, 6, 7), y = c(2, 1, 3, 3, 5, 4, 6, 6, 8, 7)),
    n3       = list(x = c(1, 2, 3.5), y = c(2, 1, 4)),
    n4       = list(x = c(1, 2, 3, 4.5), y = c(1.5, 1, 4, 3)),
    negative = list(x = c(3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5), y = c(-2, 0.5, -3, 1, -4.5, -8, -1, -6, -4, -2.5, -5)),
    constant = list(x = c(1, 2, 3, 4, 5, 6), y = c(3, 3, 3, 3, 3, 3)),
    nulls_nan = list(x = c("1", "", "3", "4", "NaN", "6", "7", "8", "9.5", "10"),
                     y = c("2", "5", "", "3", "1", "NaN", "6", "9", "7", "12"))
)
lines <- "case,i,x,y"
for (cs in names(edge)) {
    e <- edge[[cs]]
    xs <- if (is.character(e$x)) e$x else sprintf("%.17g", e$x)
    ys <- if (is.character(e$y)) e$y else sprintf("%.17g", e$y)
    lines <- c(lines, sprintf("%s,%d,%s,%s", cs, seq_along(xs), xs, ys))
}
writeLines(lines, file.path(out, "correlation_edge.csv"))
edge_num <- lapply(edge, function(e) list(x = suppressWarnings(as.numeric(e$x)),
                                          y = suppressWarnings(as.numeric(e$y))))

rows <- list()
add <- function(dataset, xcol, ycol, x, y, method, level = 0.95) {
    ok <- complete.cases(x, y)
    x <- x[ok]; y <- y[ok]; n <- length(x)
    r <- t <- df <- p <- lo <- hi <- NA
    if (n >= 3 && sd(x) > 0 && sd(y) > 0) {
        if (method == "pearson") {
            ct <- cor.test(x, y, method = "pearson", conf.level = level)
            r <- unname(ct$estimate); t <- unname(ct$statistic); df <- unname(ct$parameter)
            p <- ct$p.value
            if (n > 3) { lo <- ct$conf.int[1]; hi <- ct$conf.int[2] }
        } else {
            ct <- suppressWarnings(cor.test(x, y, method = "spearman", exact = FALSE))
            r <- unname(ct$estimate); df <- n - 2; p <- ct$p.value
            t <- sqrt(df) * r / sqrt(1 - r^2)
            if (n > 3) {
                se <- sqrt((1 + r^2 / 2) / (n - 3))
                q <- qnorm((1 + level) / 2)
                lo <- tanh(atanh(r) - q * se); hi <- tanh(atanh(r) + q * se)
            }
        }
    }
    rows[[length(rows) + 1]] <<- data.frame(dataset = dataset, xcol = xcol, ycol = ycol,
        method = method, level = level, n = n, r = num(r), t = num(t), df = num(df),
        p_value = num(p), ci_low = num(lo), ci_high = num(hi))
}

pairs <- list(
    list("swiss", "fertility", "agriculture"), list("swiss", "fertility", "education"),
    list("swiss", "examination", "education"), list("swiss", "catholic", "infant_mortality"),
    list("swiss", "agriculture", "catholic"),
    list("mtcars", "mpg", "wt"), list("mtcars", "mpg", "hp"), list("mtcars", "qsec", "drat"),
    list("mtcars", "disp", "cyl"), list("mtcars", "gear", "carb"), list("mtcars", "am", "vs"))
for (pr in pairs) {
    d <- if (pr[[1]] == "swiss") sw else mt
    for (m in c("pearson", "spearman"))
        add(pr[[1]], pr[[2]], pr[[3]], d[[pr[[2]]]], d[[pr[[3]]]], m)
}
# Another confidence level.
add("swiss", "fertility", "education", sw$fertility, sw$education, "pearson", 0.9)
add("mtcars", "mpg", "wt", mt$mpg, mt$wt, "spearman", 0.99)
for (cs in names(edge_num))
    for (m in c("pearson", "spearman"))
        add("edge", cs, cs, edge_num[[cs]]$x, edge_num[[cs]]$y, m)

write.csv(do.call(rbind, rows), file.path(out, "correlation_reference.csv"), row.names = FALSE,
          quote = FALSE)
