package dev.cellar.agent.restore;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Replaces the schema and rows of a connection's {@code main} database with those of an attached image, with SQL
 * inside the caller's write transaction, so that the replacement commits (or rolls back) as one transaction of that
 * connection. SQLite's backup API copies pages faster but cannot run in a connection that holds a transaction:
 * this is what lets the pre-restore copy and the install share one write lock.
 *
 * <p>What the image holds comes across as it is: tables with their rowids (also where no {@code INTEGER PRIMARY
 * KEY} names them), {@code WITHOUT ROWID} tables, the content of virtual tables' shadow tables (FTS5, R*Tree),
 * indexes, views, triggers (created after the rows, so they do not fire), {@code sqlite_sequence}, the planner's
 * statistics, {@code user_version} and {@code application_id}. The one difference: where the target had a {@code
 * sqlite_sequence} and the image has none, it stays, empty (SQLite does not let it be dropped). The target keeps
 * its page size, encoding and journal mode. The caller's connection must have foreign keys off: the rows are
 * consistent as a whole, not one by one.
 */
final class ContentSwap {
    private static final List<String> HEADER_VALUES = List.of("user_version", "application_id");
    private static final List<String> ROWID_NAMES = List.of("rowid", "_rowid_", "oid");

    private final Statement s;
    private final String source;

    private ContentSwap(Statement s, String source) {
        this.s = s;
        this.source = source;
    }

    /** Runs inside the caller's transaction; on an exception the caller rolls back and the target is untouched. */
    static void replace(Connection c, String source) throws SQLException {
        try (Statement s = c.createStatement()) {
            ContentSwap swap = new ContentSwap(s, source);
            swap.dropAll();
            swap.createAndFill();
        }
    }

    private void dropAll() throws SQLException {
        for (SchemaObject o : objects("main")) {
            if (o.type.equals("trigger") || o.type.equals("view")) {
                s.execute("DROP " + o.type.toUpperCase(Locale.ROOT) + " main." + quote(o.name));
            }
        }
        // a virtual table drops its shadow tables with it, so the remaining tables are listed afterwards
        for (TableInfo t : tables("main")) {
            if (t.kind.equals("virtual")) {
                s.execute("DROP TABLE main." + quote(t.name));
            }
        }
        for (TableInfo t : tables("main")) {
            if (t.name.equalsIgnoreCase("sqlite_sequence")) {
                s.execute("DELETE FROM main." + quote(t.name)); // SQLite does not let it be dropped
            } else if (!t.name.equalsIgnoreCase("sqlite_schema")) {
                s.execute("DROP TABLE main." + quote(t.name));
            }
        }
    }

    private void createAndFill() throws SQLException {
        List<SchemaObject> objects = objects(source);
        List<TableInfo> tables = tables(source);
        for (TableInfo t : tables) {
            if (t.kind.equals("table") && !t.internal() || t.kind.equals("virtual")) {
                s.execute(sqlOf(objects, t.name));
            }
        }
        for (TableInfo t : tables) {
            if (t.kind.equals("shadow")) {
                s.execute("DELETE FROM main." + quote(t.name)); // made by its virtual table's creation
                copyRows(t);
            } else if (t.kind.equals("table") && !t.internal()) {
                copyRows(t);
            }
        }
        for (TableInfo t : tables) {
            if (t.internal() && !t.name.equalsIgnoreCase("sqlite_schema")) {
                copyInternal(t.name);
            }
        }
        for (TableInfo t : tables("main")) { // ANALYZE may have made statistics tables that the image has not
            if (isStatistics(t.name) && tables.stream().noneMatch(i -> i.name.equalsIgnoreCase(t.name))) {
                s.execute("DROP TABLE main." + quote(t.name));
            }
        }
        // indexes after the rows: built by one sort each instead of row by row
        for (String type : List.of("index", "view", "trigger")) {
            for (SchemaObject o : objects) {
                if (o.type.equals(type) && o.sql != null) {
                    s.execute(o.sql);
                }
            }
        }
        for (String value : HEADER_VALUES) {
            try (ResultSet r = s.executeQuery("PRAGMA " + source + "." + value)) {
                s.execute("PRAGMA main." + value + " = " + r.getLong(1));
            }
        }
    }

    /**
     * Rows with their rowid. A table whose rowid is its {@code INTEGER PRIMARY KEY}, a {@code WITHOUT ROWID} table
     * and a shadow table take {@code INSERT … SELECT *}, which SQLite turns into a copy of whole records (its
     * transfer optimization); others name the rowid, as no {@code SELECT *} does.
     */
    private void copyRows(TableInfo t) throws SQLException {
        List<String> columns = new ArrayList<>();
        boolean generated = false;
        try (ResultSet r = s.executeQuery("SELECT name, hidden FROM pragma_table_xinfo(" + literal(t.name) + ", "
                + literal(source) + ") ORDER BY cid")) {
            while (r.next()) {
                if (r.getInt(2) == 0) {
                    columns.add(r.getString(1));
                } else {
                    generated = true; // computed from the others: never inserted
                }
            }
        }
        String from = source + "." + quote(t.name);
        String into = "main." + quote(t.name);
        if (!generated && (t.withoutRowid || t.kind.equals("shadow") || rowidIsAColumn(t.name))) {
            s.executeUpdate("INSERT INTO " + into + " SELECT * FROM " + from);
            return;
        }
        List<String> names = new ArrayList<>();
        if (!t.withoutRowid) {
            rowidName(columns).ifPresent(names::add);
        }
        columns.forEach(name -> names.add(quote(name)));
        String list = String.join(", ", names);
        s.executeUpdate("INSERT INTO " + into + " (" + list + ") SELECT " + list + " FROM " + from);
    }

    /** A rowid table with a primary key but no index for it: the key is an {@code INTEGER PRIMARY KEY}, the rowid. */
    private boolean rowidIsAColumn(String table) throws SQLException {
        String args = "(" + literal(table) + ", " + literal(source) + ")";
        try (ResultSet r = s.executeQuery("SELECT (SELECT count(*) FROM pragma_table_info" + args + " WHERE pk > 0) = 1"
                + " AND (SELECT count(*) FROM pragma_index_list" + args + " WHERE origin = 'pk') = 0")) {
            return r.getBoolean(1);
        }
    }

    /** The first of SQLite's names for the rowid that no column takes; none when all three are columns. */
    private static Optional<String> rowidName(List<String> columns) {
        return ROWID_NAMES.stream()
                .filter(name -> columns.stream().noneMatch(c -> c.equalsIgnoreCase(name)))
                .findFirst();
    }

    /**
     * {@code sqlite_sequence} exists in the target once an {@code AUTOINCREMENT} table does; the planner's
     * statistics tables are made by {@code ANALYZE} (of the schema table alone, which reads nothing).
     */
    private void copyInternal(String table) throws SQLException {
        if (isStatistics(table) && !exists(table)) {
            s.execute("ANALYZE main.sqlite_schema");
        }
        if (exists(table)) {
            s.execute("DELETE FROM main." + quote(table));
            s.executeUpdate("INSERT INTO main." + quote(table) + " SELECT * FROM " + source + "." + quote(table));
        }
    }

    private static boolean isStatistics(String table) {
        return table.toLowerCase(Locale.ROOT).startsWith("sqlite_stat");
    }

    private boolean exists(String table) throws SQLException {
        try (ResultSet r = s.executeQuery("SELECT count(*) FROM main.sqlite_schema WHERE type = 'table' AND name = "
                + literal(table))) {
            return r.getInt(1) > 0;
        }
    }

    private String sqlOf(List<SchemaObject> objects, String name) throws SQLException {
        return objects.stream().filter(o -> o.name.equals(name) && o.sql != null).map(o -> o.sql).findFirst()
                .orElseThrow(() -> new SQLException("the image lists table " + name + " without its definition"));
    }

    /** Schema objects in the order they were created. */
    private List<SchemaObject> objects(String schema) throws SQLException {
        List<SchemaObject> list = new ArrayList<>();
        try (ResultSet r = s.executeQuery("SELECT type, name, sql FROM " + schema + ".sqlite_schema ORDER BY rowid")) {
            while (r.next()) {
                list.add(new SchemaObject(r.getString(1), r.getString(2), r.getString(3)));
            }
        }
        return list;
    }

    /** Tables as SQLite classifies them: ordinary, virtual, shadow (owned by a virtual table). */
    private List<TableInfo> tables(String schema) throws SQLException {
        List<TableInfo> list = new ArrayList<>();
        try (ResultSet r = s.executeQuery("SELECT name, type, wr FROM pragma_table_list WHERE schema = "
                + literal(schema) + " AND type IN ('table', 'virtual', 'shadow')")) {
            while (r.next()) {
                list.add(new TableInfo(r.getString(1), r.getString(2), r.getInt(3) == 1));
            }
        }
        List<String> order = objects(schema).stream().map(o -> o.name).toList();
        list.sort(Comparator.comparingInt(t -> order.indexOf(t.name)));
        return list;
    }

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    private static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    private record SchemaObject(String type, String name, String sql) {
    }

    private record TableInfo(String name, String kind, boolean withoutRowid) {
        boolean internal() {
            return name.toLowerCase(Locale.ROOT).startsWith("sqlite_");
        }
    }
}
