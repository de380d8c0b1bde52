# The figure of docs/statistics.md §8 from test/data/coverage_study.csv:
#   Rscript test/data/coverage_figure.R     (writes docs/img/coverage.svg; R's cairo svg device)
# SPDX-License-Identifier: GPL-3.0-or-later
d <- read.csv("test/data/coverage_study.csv")
svg("docs/img/coverage.svg", width = 9, height = 4.2, family = "sans")
par(mfrow = c(1, 2), mar = c(4.5, 11, 2.5, 1), cex = 0.8)
y <- rev(seq_len(nrow(d)))
cols <- c(naive = "#c0392b", cr1 = "#2471a3", two = "#7f8c8d")
plot(NA, xlim = c(0, 0.7), ylim = c(0.5, nrow(d) + 0.5), yaxt = "n", xlab = "share of null tests 'significant' at 0.05",
     ylab = "", main = "False positives (null driver)")
axis(2, at = y, labels = d$scenario, las = 1)
abline(v = 0.05, lty = 2)
points(d$fp_naive, y, pch = 19, col = cols["naive"])
points(d$fp_cr1, y, pch = 17, col = cols["cr1"])
points(d$fp_two_stage, y, pch = 15, col = cols["two"])
legend("bottomright", c("independent rows", "clustered (CR1)", "employee means"),
       pch = c(19, 17, 15), col = cols, bty = "n")
plot(NA, xlim = c(0.3, 1), ylim = c(0.5, nrow(d) + 0.5), yaxt = "n", xlab = "coverage of the 95% interval",
     ylab = "", main = "Interval coverage (slope 0.2)")
axis(2, at = y, labels = d$scenario, las = 1)
abline(v = 0.95, lty = 2)
points(d$cover_naive, y, pch = 19, col = cols["naive"])
points(d$cover_cr1, y, pch = 17, col = cols["cr1"])
points(d$cover_two_stage, y, pch = 15, col = cols["two"])
invisible(dev.off())
