/* stats.h - timing and summary statistics shared by the benchmark drivers (spawn_api, spawn_raw). */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double bench_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int bench_cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Quantile q (0..1) of sorted v[n], linear interpolation. */
static double bench_quantile(const double *v, size_t n, double q) {
    double pos = q * (double)(n - 1);
    size_t lo = (size_t)pos;
    if (lo + 1 >= n) return v[n - 1];
    return v[lo] + (v[lo + 1] - v[lo]) * (pos - (double)lo);
}

/* Prints "n":N,"median_ms":X,... (no braces) for the samples v[n] in ms; sorts v. */
static void bench_print_stats(double *v, size_t n) {
    double sum = 0, sq = 0, mean;
    size_t i;
    qsort(v, n, sizeof(double), bench_cmp_double);
    for (i = 0; i < n; i++) sum += v[i];
    mean = sum / (double)n;
    for (i = 0; i < n; i++) sq += (v[i] - mean) * (v[i] - mean);
    printf("\"n\":%zu,\"median_ms\":%.4f,\"mean_ms\":%.4f,\"min_ms\":%.4f,\"max_ms\":%.4f,"
           "\"stddev_ms\":%.4f,\"p10_ms\":%.4f,\"p90_ms\":%.4f",
           n, bench_quantile(v, n, 0.5), mean, v[0], v[n - 1],
           n > 1 ? sqrt(sq / (double)(n - 1)) : 0.0, bench_quantile(v, n, 0.1),
           bench_quantile(v, n, 0.9));
}

#endif
