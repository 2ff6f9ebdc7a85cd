package dev.cellar.core;

import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes as operators write them in configuration: {@code 1073741824}, {@code 512MiB}, {@code 8G}, {@code 64KB}
 * (powers of 1024 either way), so that agent and server read the same text the same way.
 */
public final class ByteSize {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([KMGT]i?B?|B)?", Pattern.CASE_INSENSITIVE);

    private ByteSize() {
    }

    /** The number of bytes, or empty when the text is not a size or does not fit in a long. */
    public static OptionalLong parse(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            return OptionalLong.empty();
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
        int shift = switch (unit.charAt(0)) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            case 'T' -> 40;
            default -> 0;
        };
        if (n != 0 && Long.numberOfLeadingZeros(n) <= shift) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(n << shift);
    }
}
