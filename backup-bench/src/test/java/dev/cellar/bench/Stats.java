package dev.cellar.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Repeated measurements of one thing: median and spread (min–max), or percentiles of many samples. */
record Stats(List<Double> values) {
    Stats {
        values = List.copyOf(values);
    }

    static Stats of(List<Double> values) {
        return new Stats(values);
    }

    double median() {
        List<Double> s = sorted();
        int n = s.size();
        if (n == 0) {
            return Double.NaN;
        }
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    double min() {
        return sorted().isEmpty() ? Double.NaN : sorted().get(0);
    }

    double max() {
        return sorted().isEmpty() ? Double.NaN : sorted().get(values.size() - 1);
    }

    /** The p-th percentile (0–100) by nearest rank. */
    double percentile(double p) {
        List<Double> s = sorted();
        if (s.isEmpty()) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100 * s.size());
        return s.get(Math.max(0, Math.min(s.size() - 1, rank - 1)));
    }

    /** "12.34 (11.90–13.02)": median and spread, in the unit of the values. */
    String describe() {
        return String.format(Locale.ROOT, "%.2f (%.2f–%.2f)", median(), min(), max());
    }

    private List<Double> sorted() {
        List<Double> s = new ArrayList<>(values);
        Collections.sort(s);
        return s;
    }
}
