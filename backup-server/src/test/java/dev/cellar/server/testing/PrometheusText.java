package dev.cellar.server.testing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), for tests of {@code /metrics}: every
 * line must be a comment, {@code # HELP}, {@code # TYPE} or a well-formed sample, label values must be properly
 * quoted and escaped, a family's samples must follow its {@code # TYPE} line without another family in between, and
 * no series may appear twice. Anything else throws, naming the line.
 */
public final class PrometheusText {
    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (.*)");
    private static final Pattern SAMPLE = Pattern.compile("(" + NAME + ")(\\{(.*)})? (\\S+)( -?\\d+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"");
    private static final Pattern FLOAT = Pattern.compile("[+-]?(Inf|NaN|(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?)");

    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    private final List<Sample> samples;
    private final Map<String, String> types;

    private PrometheusText(List<Sample> samples, Map<String, String> types) {
        this.samples = samples;
        this.types = types;
    }

    /** @throws IllegalArgumentException naming the first line that is not valid */
    public static PrometheusText parse(String text) {
        List<Sample> samples = new ArrayList<>();
        Map<String, String> types = new LinkedHashMap<>();
        Set<String> series = new HashSet<>();
        Set<String> closedFamilies = new HashSet<>();
        String family = null;
        String[] lines = text.split("\n", -1);
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition does not end with a line feed");
        }
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            String where = "line " + (i + 1) + " '" + line + "': ";
            Matcher m;
            if ((m = TYPE.matcher(line)).matches()) {
                if (types.containsKey(m.group(1))) {
                    throw new IllegalArgumentException(where + "a second TYPE for " + m.group(1));
                }
                if (family != null) {
                    closedFamilies.add(family);
                }
                family = m.group(1);
                types.put(family, m.group(2));
            } else if (line.startsWith("# HELP ")) {
                if (!HELP.matcher(line).matches()) {
                    throw new IllegalArgumentException(where + "malformed HELP");
                }
            } else if (line.startsWith("#")) {
                if (line.startsWith("# TYPE")) {
                    throw new IllegalArgumentException(where + "malformed TYPE");
                }
            } else if ((m = SAMPLE.matcher(line)).matches()) {
                Sample s = new Sample(m.group(1), labels(m.group(3), where), number(m.group(4), where));
                String owner = familyOf(s.name(), family, types);
                if (owner == null || closedFamilies.contains(owner)) {
                    throw new IllegalArgumentException(where + "a sample outside its family's block");
                }
                if (!series.add(s.name() + new TreeMap<>(s.labels()))) {
                    throw new IllegalArgumentException(where + "the same series twice");
                }
                samples.add(s);
            } else {
                throw new IllegalArgumentException(where + "not a comment, TYPE, HELP or sample");
            }
        }
        return new PrometheusText(List.copyOf(samples), types);
    }

    /** The family a sample belongs to: the current one when the name fits its type, else none. */
    private static String familyOf(String name, String family, Map<String, String> types) {
        if (family == null) {
            return null;
        }
        String type = types.get(family);
        if (name.equals(family)) {
            return type.equals("histogram") ? null : family;
        }
        List<String> suffixes = switch (type) {
            case "histogram" -> List.of("_bucket", "_sum", "_count");
            case "summary" -> List.of("_sum", "_count");
            default -> List.of();
        };
        return suffixes.stream().anyMatch(x -> name.equals(family + x)) ? family : null;
    }

    private static Map<String, String> labels(String text, String where) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (text == null || text.isEmpty()) {
            return labels;
        }
        Matcher m = LABEL.matcher(text);
        int at = 0;
        while (at < text.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new IllegalArgumentException(where + "malformed labels at '" + text.substring(at) + "'");
            }
            String value = unescape(m.group(2));
            if (labels.put(m.group(1), value) != null) {
                throw new IllegalArgumentException(where + "label " + m.group(1) + " twice");
            }
            at = m.end();
            if (at < text.length()) {
                if (text.charAt(at) != ',') {
                    throw new IllegalArgumentException(where + "labels must be separated by commas");
                }
                at++;
            }
        }
        return labels;
    }

    private static String unescape(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\') {
                c = value.charAt(++i) == 'n' ? '\n' : value.charAt(i); // the pattern allows \\, \" and \n only
            }
            out.append(c);
        }
        return out.toString();
    }

    private static double number(String text, String where) {
        if (!FLOAT.matcher(text).matches()) {
            throw new IllegalArgumentException(where + "'" + text + "' is not a number");
        }
        return text.endsWith("Inf") ? (text.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY)
                : Double.parseDouble(text);
    }

    public List<Sample> samples() {
        return samples;
    }

    /** The {@code # TYPE} of a family, or null. */
    public String type(String family) {
        return types.get(family);
    }

    /** Samples named {@code name} whose labels include every pair of {@code labels} (name, value, name, value...). */
    public List<Sample> find(String name, String... labels) {
        return samples.stream().filter(s -> s.name().equals(name)).filter(s -> {
            for (int i = 0; i < labels.length; i += 2) {
                if (!labels[i + 1].equals(s.labels().get(labels[i]))) {
                    return false;
                }
            }
            return true;
        }).toList();
    }

    /** The sum of {@link #find}'s values; 0 when there is no such sample. */
    public double sum(String name, String... labels) {
        return find(name, labels).stream().mapToDouble(Sample::value).sum();
    }

    /** Whether any sample carries the label {@code label}. */
    public boolean anyLabel(String label) {
        return samples.stream().anyMatch(s -> s.labels().containsKey(label));
    }
}
