# R oracle for the rvlms cohort analysis.
#
# Usage (from the repository root):
#   Rscript tests/analysis/oracle/make_oracle.R [OUT.csv]
# Reads the fixed cohorts written by make_inputs.py and writes every figure that
# `rvlms analyze` reports, as computed by R (stats, survival), in long format:
#   cohort, quantity, group, item, value
# (value printed with 17 significant digits; NA where R gives NA). The committed
# expected.csv is this script's output; tests/analysis/test_oracle.py compares rvlms to it.
#
# Conventions matched on the rvlms side (docs/statistics.md):
# - quartiles: quantile(type = 7);
# - Kaplan-Meier: survfit(conf.type = "log-log"), Greenwood variance; percentiles by
#   quantile.survfit (midpoint of a flat segment at exactly S = p, tolerance sqrt(eps));
# - log-rank: survdiff, df = groups with expected events > 0, minus 1 (print.survdiff);
# - Cox: coxph(ties = "efron") run to full convergence (eps 1e-12); Wald CI and p;
#   PH test cox.zph(transform = "km"), per coefficient and global;
# - Kruskal-Wallis: kruskal.test (chi-squared reference, tie-corrected);
# - Fisher: fisher.test (2x2 p, conditional MLE odds ratio and its CI; r x c exact
#   Freeman-Halton p) where rvlms runs the exact test; chisq.test(correct = FALSE) for
#   tables past the exact size limit (2 x c with <= 3 df up to EXACT_2XC_MAX_N patients,
#   otherwise up to EXACT_RXC_MAX_N patients and 12 df);
# - power: Freedman and Schoenfeld event counts, from their closed forms.

suppressPackageStartupMessages(library(survival))

args <- commandArgs(trailingOnly = TRUE)
here <- "tests/analysis/oracle"
out_path <- if (length(args) >= 1) args[[1]] else file.path(here, "expected.csv")

cohort_names <- c("yang24", "synth400", "zhang4", "ties300", "small11", "pair2", "two60")
continuous <- c("age", "size_mm", "operative_time_min", "blood_loss_ml", "rbc_ml",
                "plasma_ml", "los_days", "creatinine_1w_umol_l", "follow_up_months")
categorical <- c("sex", "ivc_level", "vessel_of_origin", "approach", "conversion",
                 "transfused", "icu_admission", "reconstruction", "margin",
                 "fnclcc_grade", "clavien_dindo", "local_recurrence",
                 "distant_metastasis", "dfs_event", "os_event")
binary <- c("transfused", "icu_admission", "dfs_event", "os_event", "conversion",
            "local_recurrence", "distant_metastasis")
vocab <- read.csv(file.path(here, "levels.csv"), stringsAsFactors = FALSE)
EXACT_2XC_MAX_N <- 1000
EXACT_RXC_MAX_N <- 100

# fisher.test's conditional MLE and exact CI of a 2x2 odds ratio, with uniroot run to
# tol 1e-13 instead of fisher.test's .Machine$double.eps^0.25 (about 1.2e-4), so the
# estimate itself is known to 1e-6 (same formulas as stats:::fisher.test, R 4.2).
tight_or <- function(tab, conf.level = 0.95) {
  tol <- 1e-13
  m <- sum(tab[, 1L]); n <- sum(tab[, 2L]); k <- sum(tab[1L, ]); x <- tab[1L, 1L]
  lo <- max(0L, k - n); hi <- min(k, m); support <- lo:hi
  logdc <- dhyper(support, m, n, k, log = TRUE)
  dnhyper <- function(ncp) { d <- logdc + log(ncp) * support; d <- exp(d - max(d)); d / sum(d) }
  mnhyper <- function(ncp) {
    if (ncp == 0) return(lo)
    if (ncp == Inf) return(hi)
    sum(support * dnhyper(ncp))
  }
  pnhyper <- function(q, ncp, upper.tail = FALSE) {
    if (ncp == 1) {
      return(if (upper.tail) phyper(x - 1, m, n, k, lower.tail = FALSE) else phyper(x, m, n, k))
    }
    if (ncp == 0) return(as.numeric(if (upper.tail) q <= lo else q >= lo))
    if (ncp == Inf) return(as.numeric(if (upper.tail) q <= hi else q >= hi))
    sum(dnhyper(ncp)[if (upper.tail) support >= q else support <= q])
  }
  root <- function(f, lower, upper) uniroot(f, c(lower, upper), tol = tol)$root
  mle <- if (x == lo) 0 else if (x == hi) Inf else {
    mu <- mnhyper(1)
    if (mu > x) root(function(t) mnhyper(t) - x, 0, 1)
    else if (mu < x) 1 / root(function(t) mnhyper(1 / t) - x, .Machine$double.eps, 1)
    else 1
  }
  alpha <- (1 - conf.level) / 2
  upper <- if (x == hi) Inf else {
    p <- pnhyper(x, 1)
    if (p < alpha) root(function(t) pnhyper(x, t) - alpha, 0, 1)
    else if (p > alpha) 1 / root(function(t) pnhyper(x, 1 / t) - alpha, .Machine$double.eps, 1)
    else 1
  }
  lower <- if (x == lo) 0 else {
    p <- pnhyper(x, 1, upper.tail = TRUE)
    if (p > alpha) root(function(t) pnhyper(x, t, upper.tail = TRUE) - alpha, 0, 1)
    else if (p < alpha) 1 / root(function(t) pnhyper(x, 1 / t, upper.tail = TRUE) - alpha,
                                 .Machine$double.eps, 1)
    else 1
  }
  c(mle, lower, upper)
}

rows <- list()
emit <- function(cohort, quantity, group, item, value) {
  value <- as.numeric(value)
  rows[[length(rows) + 1]] <<- data.frame(
    cohort = cohort, quantity = quantity, group = group, item = item,
    value = ifelse(is.na(value), "NA", formatC(value, digits = 17, format = "g")),
    stringsAsFactors = FALSE)
}

levels_of <- function(variable, values) {
  if (variable %in% binary) return(c("1", "0"))
  known <- vocab$level[vocab$variable == variable]
  present <- unique(as.character(values[!is.na(values)]))
  c(known[known %in% present], sort(present[!present %in% known]))
}

km_block <- function(cohort, endpoint, group, time, event) {
  if (length(time) == 0) return(invisible())
  fit <- survfit(Surv(time, event) ~ 1, conf.type = "log-log")
  for (i in seq_along(fit$time)) {
    key <- formatC(fit$time[i], digits = 17, format = "g")
    emit(cohort, paste0("km_", endpoint, "_surv"), group, key, fit$surv[i])
    emit(cohort, paste0("km_", endpoint, "_lower"), group, key, fit$lower[i])
    emit(cohort, paste0("km_", endpoint, "_upper"), group, key, fit$upper[i])
  }
  q <- quantile(fit, c(0.25, 0.5, 0.75))
  for (j in 1:3) {
    prob <- c("p25", "p50", "p75")[j]
    emit(cohort, paste0("km_", endpoint, "_quantile"), group, prob, q$quantile[j])
    emit(cohort, paste0("km_", endpoint, "_quantile_lower"), group, prob, q$lower[j])
    emit(cohort, paste0("km_", endpoint, "_quantile_upper"), group, prob, q$upper[j])
  }
  emit(cohort, paste0("km_", endpoint, "_n"), group, "n", length(time))
  emit(cohort, paste0("km_", endpoint, "_n"), group, "events", sum(event))
}

for (cohort in cohort_names) {
  df <- read.csv(file.path(here, paste0(cohort, ".csv")), na.strings = "",
                 stringsAsFactors = FALSE, colClasses = c(case_id = "character"))
  group_order <- levels_of("imaging_type", df$imaging_type)
  g <- factor(df$imaging_type, levels = group_order)
  groups <- c("overall", group_order)

  # descriptive quartiles (type 7), min, max
  for (v in continuous) {
    x <- suppressWarnings(as.numeric(df[[v]]))
    if (all(is.na(x))) next
    for (grp in groups) {
      xs <- if (grp == "overall") x else x[!is.na(g) & g == grp]
      xs <- xs[!is.na(xs)]
      if (length(xs) == 0) next
      q <- quantile(xs, c(0.25, 0.5, 0.75), type = 7, names = FALSE)
      emit(cohort, paste0("describe_", v), grp, "q1", q[1])
      emit(cohort, paste0("describe_", v), grp, "median", q[2])
      emit(cohort, paste0("describe_", v), grp, "q3", q[3])
      emit(cohort, paste0("describe_", v), grp, "min", min(xs))
      emit(cohort, paste0("describe_", v), grp, "max", max(xs))
    }
  }

  # Kaplan-Meier, overall and by group; log-rank across groups
  for (endpoint in c("dfs", "os")) {
    time <- df[[paste0(endpoint, "_months")]]
    event <- df[[paste0(endpoint, "_event")]]
    ok <- !is.na(time) & !is.na(event)
    km_block(cohort, endpoint, "overall", time[ok], event[ok])
    for (grp in group_order) {
      sel <- ok & !is.na(g) & g == grp
      km_block(cohort, endpoint, grp, time[sel], event[sel])
    }
    sel <- ok & !is.na(g)
    present <- droplevels(g[sel])
    if (nlevels(present) >= 2 && sum(event[sel]) > 0) {
      sd <- survdiff(Surv(time[sel], event[sel]) ~ present)
      df_lr <- sum(sd$exp > 0) - 1
      emit(cohort, paste0("logrank_", endpoint), "all", "statistic", sd$chisq)
      emit(cohort, paste0("logrank_", endpoint), "all", "df", df_lr)
      emit(cohort, paste0("logrank_", endpoint), "all", "p",
           if (df_lr > 0) pchisq(sd$chisq, df_lr, lower.tail = FALSE) else NA)
    }
  }

  # Cox model of DFS on imaging type (Efron ties, full convergence) and cox.zph
  sel <- !is.na(df$dfs_months) & !is.na(df$dfs_event) & !is.na(g)
  present <- droplevels(g[sel])
  if (nlevels(present) >= 2 && sum(df$dfs_event[sel]) >= 10 * (nlevels(present) - 1)) {
    fit <- coxph(Surv(df$dfs_months[sel], df$dfs_event[sel]) ~ present, ties = "efron",
                 control = coxph.control(eps = 1e-12, iter.max = 100))
    s <- summary(fit)
    for (k in seq_along(fit$coefficients)) {
      term <- sub("^present", "imaging_type[", names(fit$coefficients)[k])
      term <- paste0(term, "]")
      emit(cohort, "cox_dfs", term, "coef", s$coefficients[k, "coef"])
      emit(cohort, "cox_dfs", term, "se", s$coefficients[k, "se(coef)"])
      emit(cohort, "cox_dfs", term, "hr", s$conf.int[k, "exp(coef)"])
      emit(cohort, "cox_dfs", term, "lower", s$conf.int[k, "lower .95"])
      emit(cohort, "cox_dfs", term, "upper", s$conf.int[k, "upper .95"])
      emit(cohort, "cox_dfs", term, "p", s$coefficients[k, "Pr(>|z|)"])
    }
    emit(cohort, "cox_dfs", "model", "concordance", fit$concordance[["concordance"]])
    zph <- cox.zph(fit, transform = "km", terms = FALSE)
    tab <- zph$table
    for (k in seq_len(nrow(tab))) {
      name <- rownames(tab)[k]
      term <- if (name == "GLOBAL") "GLOBAL" else paste0(sub("^present", "imaging_type[", name), "]")
      emit(cohort, "coxzph_dfs", term, "chisq", tab[k, "chisq"])
      emit(cohort, "coxzph_dfs", term, "p", tab[k, "p"])
    }
  }

  # Kruskal-Wallis across groups
  for (v in continuous) {
    x <- suppressWarnings(as.numeric(df[[v]]))
    keep <- !is.na(x) & !is.na(g)
    if (sum(keep) == 0) next
    gg <- droplevels(g[keep])
    if (nlevels(gg) < 2 || length(unique(x[keep])) < 2) next
    kt <- kruskal.test(x[keep], gg)
    emit(cohort, paste0("kruskal_", v), "all", "statistic", kt$statistic)
    emit(cohort, paste0("kruskal_", v), "all", "df", kt$parameter)
    emit(cohort, paste0("kruskal_", v), "all", "p", kt$p.value)
  }

  # Fisher's exact test (or Pearson chi-squared past the exact size limit)
  for (v in categorical) {
    if (!v %in% names(df)) next
    x <- df[[v]]
    keep <- !is.na(x) & !is.na(g)
    if (sum(keep) == 0) next
    tab <- table(factor(as.character(x[keep]), levels = levels_of(v, x)), g[keep])
    tab <- tab[rowSums(tab) > 0, colSums(tab) > 0, drop = FALSE]
    if (nrow(tab) < 2 || ncol(tab) < 2) next
    n <- sum(tab)
    two_by_two <- nrow(tab) == 2 && ncol(tab) == 2
    small_side <- min(dim(tab)) == 2
    df_tab <- (nrow(tab) - 1) * (ncol(tab) - 1)
    exact <- two_by_two || (small_side && df_tab <= 3 && n <= EXACT_2XC_MAX_N) ||
      (n <= EXACT_RXC_MAX_N && df_tab <= 12)
    if (exact) {
      ft <- fisher.test(tab, workspace = 2e8)
      emit(cohort, paste0("fisher_", v), "all", "p", ft$p.value)
      if (two_by_two) {
        emit(cohort, paste0("fisher_", v), "all", "odds_ratio", ft$estimate)
        emit(cohort, paste0("fisher_", v), "all", "or_lower", ft$conf.int[1])
        emit(cohort, paste0("fisher_", v), "all", "or_upper", ft$conf.int[2])
        tight <- tight_or(tab)
        emit(cohort, paste0("fisher_", v), "all", "odds_ratio_tight", tight[1])
        emit(cohort, paste0("fisher_", v), "all", "or_lower_tight", tight[2])
        emit(cohort, paste0("fisher_", v), "all", "or_upper_tight", tight[3])
      }
    } else {
      ct <- suppressWarnings(chisq.test(tab, correct = FALSE))
      emit(cohort, paste0("chisq_", v), "all", "statistic", ct$statistic)
      emit(cohort, paste0("chisq_", v), "all", "df", ct$parameter)
      emit(cohort, paste0("chisq_", v), "all", "p", ct$p.value)
    }
  }
}

# Power: events required by Freedman (1982) and Schoenfeld (1983)
for (hr in c(0.5, 0.7, 1.5, 2, 3)) {
  for (ratio in c(0.5, 1, 2)) {
    for (pw in c(0.8, 0.9)) {
      z <- qnorm(1 - 0.05 / 2) + qnorm(pw)
      freedman <- (1 / ratio) * ((ratio * hr + 1) / (hr - 1))^2 * z^2
      pi_exp <- ratio / (1 + ratio)
      schoenfeld <- z^2 / (pi_exp * (1 - pi_exp) * log(hr)^2)
      key <- sprintf("hr=%g;ratio=%g;power=%g", hr, ratio, pw)
      emit("power", "events_freedman", key, "exact", freedman)
      emit("power", "events_schoenfeld", key, "exact", schoenfeld)
    }
  }
}
for (hr in c(0.5, 2, 3)) {
  for (n in c(12, 40, 200)) {
    d <- 2 * n * 11 / 24
    key <- sprintf("hr=%g;n_exp=%d;n_con=%d", hr, n, n)
    emit("power", "power_schoenfeld", key, "power",
         pnorm(sqrt(d * 0.25) * abs(log(hr)) - qnorm(1 - 0.05 / 2)))
  }
}

result <- do.call(rbind, rows)
write.csv(result, out_path, row.names = FALSE, quote = TRUE)
cat(sprintf("wrote %d figures to %s (R %s, survival %s)\n", nrow(result), out_path,
            getRversion(), packageVersion("survival")))
