"""Medians and distribution-free confidence intervals for pair ratios."""


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    if n == 0:
        return None
    mid = n // 2
    return xs[mid] if n % 2 else (xs[mid - 1] + xs[mid]) / 2


def _binom_cdf(k, n):
    """P(X <= k) for X ~ Binomial(n, 1/2)."""
    total = 0
    c = 1
    for i in range(k + 1):
        total += c
        c = c * (n - i) // (i + 1)
    return total / 2 ** n


def median_ci(xs, level=0.95):
    """(low, high, coverage) for the median of xs from order statistics.

    The interval [x(k), x(n-k+1)] covers the true median with probability
    1 - 2 P(Binom(n, 1/2) < k), whatever the distribution; k is the largest
    value keeping that coverage at or above `level`. With too few samples
    for `level`, the full range and its (lower) coverage are returned.
    """
    xs = sorted(xs)
    n = len(xs)
    if n == 0:
        return None, None, 0.0
    alpha = (1 - level) / 2
    k = 1
    while k + 1 <= n // 2 and _binom_cdf(k, n) <= alpha:
        k += 1
    coverage = 1 - 2 * _binom_cdf(k - 1, n)
    return xs[k - 1], xs[n - k], coverage


def summarize(xs):
    """Median, CI and raw values of a list of samples (None dropped)."""
    xs = [x for x in xs if x is not None]
    lo, hi, cov = median_ci(xs)
    return {'median': median(xs), 'ci_low': lo, 'ci_high': hi,
            'ci_coverage': round(cov, 3), 'n': len(xs), 'samples': xs}
