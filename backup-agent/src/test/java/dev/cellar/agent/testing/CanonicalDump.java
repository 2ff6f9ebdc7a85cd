package dev.cellar.agent.testing;

import dev.cellar.core.Hex;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * A database's content as text that two databases share exactly when they hold the same schema and the same rows,
 * whatever their page layout: the header's user values, the schema from {@code sqlite_schema} ordered by type and
 * name, then every row of every table in rowid order (primary-key order for {@code WITHOUT ROWID} tables), each
 * value with its storage class and blobs as hex. Comparing dumps is how WAL-G's end-to-end tests check a restore.
 */
public final class CanonicalDump {
    private CanonicalDump() {
    }

    public static List<String> of(Path database) throws SQLException {
        Properties readOnly = new Properties();
        readOnly.setProperty("open_mode", "1");
        List<String> dump = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + database.toAbsolutePath(), readOnly);
             Statement s = c.createStatement()) {
            for (String pragma : List.of("user_version", "application_id", "encoding", "page_size")) {
                try (ResultSet rs = s.executeQuery("PRAGMA " + pragma)) {
                    rs.next();
                    dump.add("pragma " + pragma + " = " + rs.getString(1));
                }
            }
            List<String[]> tables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery(
                    "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name")) {
                while (rs.next()) {
                    dump.add(rs.getString(1) + " " + rs.getString(2) + " on " + rs.getString(3) + ": " + rs.getString(4));
                    if ("table".equals(rs.getString(1))) {
                        tables.add(new String[] {rs.getString(2), rs.getString(4)});
                    }
                }
            }
            for (String[] table : tables) {
                dumpRows(c, table[0], table[1], dump);
            }
        }
        return dump;
    }

    private static void dumpRows(Connection c, String table, String sql, List<String> dump) throws SQLException {
        boolean withoutRowid = sql != null && sql.toUpperCase(Locale.ROOT).replaceAll("\\s+", " ")
                .contains("WITHOUT ROWID");
        String order;
        String select;
        if (withoutRowid) {
            List<String> pk = new ArrayList<>();
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT name FROM pragma_table_info(" + literal(table)
                         + ") WHERE pk > 0 ORDER BY pk")) {
                while (rs.next()) {
                    pk.add(quote(rs.getString(1)));
                }
            }
            select = "SELECT *";
            order = String.join(", ", pk);
        } else {
            select = "SELECT rowid AS \"(rowid)\", *";
            order = "rowid";
        }
        dump.add("rows of " + table + " by " + order);
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(select + " FROM " + quote(table) + " ORDER BY " + order)) {
            ResultSetMetaData meta = rs.getMetaData();
            while (rs.next()) {
                StringBuilder row = new StringBuilder(table).append(':');
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    row.append(' ').append(meta.getColumnName(i)).append('=').append(value(rs.getObject(i)));
                }
                dump.add(row.toString());
            }
        }
    }

    private static String value(Object v) {
        if (v == null) {
            return "NULL";
        }
        if (v instanceof byte[] blob) {
            return "blob:" + Hex.of(blob);
        }
        if (v instanceof Integer || v instanceof Long) {
            return "int:" + v;
        }
        if (v instanceof Double || v instanceof Float) {
            return "real:" + Double.doubleToRawLongBits(((Number) v).doubleValue()) + "(" + v + ")";
        }
        return "text:" + v;
    }

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    private static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }
}
