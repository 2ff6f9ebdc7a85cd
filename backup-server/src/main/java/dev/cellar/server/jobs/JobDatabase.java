package dev.cellar.server.jobs;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Where the clustered job store lives: a PostgreSQL JDBC URL and its credentials. {@link #toString()} never shows
 * the password.
 */
public record JobDatabase(String jdbcUrl, String user, String password) {

    /**
     * Reads {@code jdbc:postgresql://host/db} or the {@code postgres://user:password@host:5432/db} form that Fly
     * Postgres and most hosts hand out; credentials in that URL are used unless {@code user} is given.
     *
     * @throws IllegalArgumentException with a message that never repeats the URL (it may hold a password)
     */
    public static JobDatabase parse(String url, String user, String password) {
        if (url.startsWith("jdbc:postgresql://")) {
            return new JobDatabase(url, user, password);
        }
        if (!url.startsWith("postgres://") && !url.startsWith("postgresql://")) {
            throw new IllegalArgumentException("must be a PostgreSQL URL such as jdbc:postgresql://host:5432/cellar "
                    + "or postgres://user:password@host:5432/cellar");
        }
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("is not a valid URL");
        }
        if (uri.getHost() == null || uri.getRawPath() == null || uri.getRawPath().length() < 2) {
            throw new IllegalArgumentException("must name a host and a database, as in postgres://host:5432/cellar");
        }
        String jdbc = "jdbc:postgresql://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        String fromUrlUser = null;
        String fromUrlPassword = null;
        if (uri.getRawUserInfo() != null) {
            String[] info = uri.getRawUserInfo().split(":", 2);
            fromUrlUser = decode(info[0]);
            fromUrlPassword = info.length == 2 ? decode(info[1]) : null;
        }
        return user != null ? new JobDatabase(jdbc, user, password)
                : new JobDatabase(jdbc, fromUrlUser, password != null ? password : fromUrlPassword);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** Host, port and database only, for logs. */
    public String describe() {
        String rest = jdbcUrl.substring("jdbc:".length());
        int query = rest.indexOf('?');
        return query < 0 ? rest : rest.substring(0, query);
    }

    @Override
    public String toString() {
        return "JobDatabase[" + describe() + ", user=" + user + "]";
    }
}
