package dev.cellar.agent.progress;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on stderr, drawn only when the agent runs in a terminal (an operator's command); on a
 * machine without a console every call is a no-op and logs stay one line per event.
 */
public class Progress implements AutoCloseable {
    private static final Progress NONE = new Progress();
    private static final long REDRAW_NANOS = 200_000_000;

    private Progress() {
    }

    /** A bar for {@code total} bytes ({@code <= 0}: unknown), or a no-op without a terminal. */
    public static Progress start(String label, long total) {
        return System.console() == null ? NONE : new Bar(System.err, label, total);
    }

    /** {@code bytes} more are done. Safe to call from any one thread at a time. */
    public void advance(long bytes) {
    }

    @Override
    public void close() {
    }

    private static final class Bar extends Progress {
        private final PrintStream out;
        private final String label;
        private final long total;
        private long done;
        private long drawnAt;

        Bar(PrintStream out, String label, long total) {
            this.out = out;
            this.label = label;
            this.total = total;
        }

        @Override
        public synchronized void advance(long bytes) {
            done += bytes;
            long now = System.nanoTime();
            if (now - drawnAt >= REDRAW_NANOS) {
                drawnAt = now;
                draw();
            }
        }

        private void draw() {
            String amount = String.format(Locale.ROOT, "%.1f MiB", done / 1048576.0);
            if (total > 0) {
                int width = 30;
                int filled = (int) Math.min(width, width * done / total);
                out.print("\r" + label + " [" + "#".repeat(filled) + " ".repeat(width - filled) + "] "
                        + Math.min(100, 100 * done / total) + "% " + amount + "   ");
            } else {
                out.print("\r" + label + " " + amount + "   ");
            }
            out.flush();
        }

        @Override
        public synchronized void close() {
            draw();
            out.println();
        }
    }
}
