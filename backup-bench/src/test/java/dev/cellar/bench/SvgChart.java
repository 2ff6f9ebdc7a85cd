package dev.cellar.bench;

import java.util.List;
import java.util.Locale;

/**
 * A small SVG writer for the fan-in figures: two panels (throughput, p99 latency) over the number of uploaders on a
 * log scale, one line for the server and one for direct PUTs to the bucket. No library: a few dozen elements.
 */
final class SvgChart {
    private static final int W = 360;
    private static final int H = 240;
    private static final int PAD = 48;

    private SvgChart() {
    }

    /** One series: name, colour and its y value per x. */
    record Series(String name, String colour, List<Double> ys) {
    }

    static String fanIn(String title, List<Integer> uploaders, List<Series> rate, List<Series> p99) {
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\""
                        + " font-size=\"11\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
                        + "<text x=\"%d\" y=\"16\" font-size=\"13\">%s</text>\n", 2 * W, H + 30, PAD, escape(title)));
        panel(svg, 0, "snapshots per second", uploaders, rate);
        panel(svg, W, "p99 of one upload (s)", uploaders, p99);
        return svg.append("</svg>\n").toString();
    }

    private static void panel(StringBuilder svg, int left, String label, List<Integer> xs, List<Series> series) {
        double maxY = series.stream().flatMap(s -> s.ys().stream()).filter(Double::isFinite)
                .mapToDouble(Double::doubleValue).max().orElse(1) * 1.1;
        double logMax = Math.log10(Math.max(10, xs.get(xs.size() - 1)));
        int x0 = left + PAD;
        int y0 = H - 10;
        int plotW = W - PAD - 16;
        int plotH = H - 60;
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"40\">%s</text>\n", x0, escape(label)));
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n"
                + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", x0, y0, x0 + plotW, y0,
                x0, y0, x0, y0 - plotH));
        for (int i = 0; i <= 4; i++) {
            double v = maxY * i / 4;
            int y = y0 - (int) (plotH * i / 4.0);
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n",
                    x0 - 4, y + 4, v >= 10 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT,
                            "%.2f", v)));
        }
        for (int x : xs) {
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d</text>\n",
                    px(x, x0, plotW, logMax), y0 + 14, x));
        }
        int legend = 0;
        for (Series s : series) {
            StringBuilder points = new StringBuilder();
            for (int i = 0; i < xs.size(); i++) {
                int px = px(xs.get(i), x0, plotW, logMax);
                int py = y0 - (int) (plotH * s.ys().get(i) / maxY);
                points.append(px).append(',').append(py).append(' ');
                svg.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%d\" r=\"3\" fill=\"%s\"/>\n", px, py,
                        s.colour()));
            }
            svg.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" "
                    + "stroke-width=\"2\"/>\n", points.toString().trim(), s.colour()));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>\n", x0 + 10,
                    58 + 14 * legend++, s.colour(), escape(s.name())));
        }
    }

    private static int px(int x, int x0, int plotW, double logMax) {
        return x0 + 10 + (int) ((plotW - 20) * Math.log10(x) / logMax);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
