package dev.cellar.core;

import java.util.regex.Pattern;

/** Tenant, database and machine names: {@code ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$}. */
public final class Names {
    private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$");

    private Names() {
    }

    public static boolean isValid(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** Explains why a name is refused, in words an operator can act on. */
    public static String problem(String kind, String name) {
        if (name == null || name.isEmpty()) {
            return kind + " name is empty";
        }
        if (name.length() > 64) {
            return kind + " name is " + name.length() + " characters long; at most 64 are allowed";
        }
        return kind + " name '" + printable(name) + "' is not allowed: use letters, digits, '_' and '-', "
                + "starting with a letter or digit";
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return b.toString();
    }
}
