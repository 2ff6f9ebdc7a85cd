package dev.cellar.server.alert;

import java.util.regex.Pattern;

/**
 * Removes what looks like a credential from text that leaves the server in an alert. The reasons are built from
 * the bucket and from agents' error texts, which should never hold a token; this is the second line.
 */
final class Redaction {
    private static final Pattern TENANT_TOKEN = Pattern.compile("cellar\\.[A-Za-z0-9_-]+\\.\\d+\\.[A-Za-z0-9_-]+"
            + "\\.[A-Za-z0-9_-]+");
    private static final Pattern BEARER = Pattern.compile("(?i)bearer\\s+\\S+");
    private static final Pattern URL_USER_INFO = Pattern.compile("(?i)(https?://)[^/@\\s]+@");

    private Redaction() {
    }

    static String apply(String text) {
        if (text == null) {
            return null;
        }
        String out = TENANT_TOKEN.matcher(text).replaceAll("[token removed]");
        out = BEARER.matcher(out).replaceAll("Bearer [removed]");
        return URL_USER_INFO.matcher(out).replaceAll("$1[removed]@");
    }
}
