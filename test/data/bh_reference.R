# SPDX-License-Identifier: GPL-3.0-or-later
# Reference for exlink's Benjamini-Hochberg adjusted p-values (column p_adjusted of results
# tables, exlink.with_p_adjusted):
#   Rscript test/data/bh_reference.R      (from the repository root; base R only)
# Writes bh_reference.csv: per family (1-4), rows (id) with a p-value (NA: not in the family)
# and p.adjust(p, method = "BH") over the family's non-missing p-values.  Families: 200
# uniform p-values with planted small ones; one with ties (rounded p) and NAs; one where the
# cap at 1 binds; a family of one.
RNGkind("Mersenne-Twister", "Inversion", "Rejection")
set.seed(20261207)
options(digits = 17)
fam <- list(
  c(runif(180), rbeta(20, 0.1, 5)),
  { p <- round(runif(60), 2); p[sample(60, 8)] <- NA; p },
  c(0.9, 0.95, 0.99, 1, 0.97, 0.5),
  0.03)
rows <- do.call(rbind, lapply(seq_along(fam), function(f) {
  p <- fam[[f]]
  adj <- rep(NA_real_, length(p))
  ok <- !is.na(p)
  adj[ok] <- p.adjust(p[ok], method = "BH")
  stopifnot(isTRUE(all.equal(adj, p.adjust(p, method = "BH", n = sum(ok)))))
  data.frame(family = f, id = seq_along(p), p_value = p, p_adjusted = adj)
}))
num <- function(v) ifelse(is.na(v), "", sprintf("%.17g", v))
writeLines(c("family,id,p_value,p_adjusted",
             sprintf("%d,%d,%s,%s", rows$family, rows$id, num(rows$p_value), num(rows$p_adjusted))),
           "test/data/bh_reference.csv")
