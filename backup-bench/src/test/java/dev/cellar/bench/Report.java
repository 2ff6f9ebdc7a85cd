package dev.cellar.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The harness's results as Markdown: one table per section, each Cellar figure beside its reference, the ratio and
 * the target it is judged against. Written as it goes, so an interrupted run still leaves what it measured.
 */
final class Report {
    private final Path file;
    private final StringBuilder text = new StringBuilder();

    Report(Path file) {
        this.file = file;
    }

    void heading(String title) {
        line("\n### " + title + "\n");
    }

    void line(String line) {
        text.append(line).append('\n');
        System.out.println(line);
        flush();
    }

    void tableHeader() {
        line("| measurement | Cellar | reference | ratio | target | |\n|---|---|---|---|---|---|");
    }

    /** A row comparing medians: ratio = cellar / reference, judged against {@code limit}. */
    void compare(String what, Stats cellar, Stats reference, String unit, double limit) {
        double ratio = cellar.median() / reference.median();
        if (Double.isInfinite(limit)) {
            line(String.format(Locale.ROOT, "| %s | %s %s | %s %s | %.2f× | (no target) | |", what, cellar.describe(),
                    unit, reference.describe(), unit, ratio));
            return;
        }
        line(String.format(Locale.ROOT, "| %s | %s %s | %s %s | %.2f× | ≤ %.2f× | %s |", what, cellar.describe(), unit,
                reference.describe(), unit, ratio, limit, verdict(ratio <= limit)));
    }

    /** A row with an absolute target: {@code value} against {@code limit} in the same unit. */
    void absolute(String what, String value, double measured, String target, boolean met) {
        line(String.format(Locale.ROOT, "| %s | %s | | | %s | %s |", what, value, target,
                Double.isNaN(measured) ? "n/a" : verdict(met)));
    }

    /** A row without a target: a reference figure or one the reader needs to judge the others. */
    void info(String what, String cellar, String reference) {
        line(String.format(Locale.ROOT, "| %s | %s | %s | | | |", what, cellar, reference));
    }

    static String verdict(boolean met) {
        return met ? "met" : "**missed**";
    }

    private void flush() {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
