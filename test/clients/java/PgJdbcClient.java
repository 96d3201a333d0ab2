import java.math.BigDecimal;
import java.sql.*;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.*;

/**
 * pgJDBC (42.7.x) against a PostgreSQL-protocol server: QF_HOST, QF_PORT, QF_USER, QF_PASSWORD,
 * QF_DB; QF_TABLE names a table for DatabaseMetaData (default orders).
 *
 * Checks: Statement; PreparedStatement with parameters (server-prepared from the first execution,
 * prepareThreshold=1, then binary transfer); a round trip of int, bigint, numeric (BigDecimal),
 * double, text, boolean, date, timestamp, timestamptz, bytea (getBytes), uuid, json; int[] and text[];
 * setFetchSize with autocommit off (portal with a row limit, Execute + PortalSuspended); batch
 * inserts; DatabaseMetaData getTables/getColumns/getPrimaryKeys; an SQL error (and one inside a
 * transaction) after which the connection is still usable.
 *
 * Prints one JSON object {"client","ok","checks":{name:{"ok",value|error}}}; exit 1 when a check
 * failed.
 */
public class PgJdbcClient {
  interface Check { Object run() throws Exception; }

  static final Map<String, Object> checks = new LinkedHashMap<>();
  static Connection c;

  /** QF_SKIP_CHECKS=a,b: checks not to run on this server (the test names each skip and its reason). */
  static final Set<String> SKIP = new HashSet<>(Arrays.asList(env("QF_SKIP_CHECKS", "").split(",")));

  static void check(String name, Check fn) {
    if (SKIP.contains(name)) return;
    Map<String, Object> r = new LinkedHashMap<>();
    try {
      Object v = fn.run();
      r.put("ok", true);
      r.put("value", v);
    } catch (Throwable e) {
      r.put("ok", false);
      String state = e instanceof SQLException ? " [" + ((SQLException) e).getSQLState() + "]" : "";
      r.put("error", e.getClass().getSimpleName() + state + ": " + e.getMessage());
      if (System.getenv("QF_DEBUG") != null) e.printStackTrace();
      try { if (c != null && !c.getAutoCommit()) { c.rollback(); c.setAutoCommit(true); } } catch (SQLException ignored) { }
    }
    checks.put(name, r);
  }

  public static void main(String[] args) {
    for (String k : new String[] {"QF_HOST", "QF_PORT", "QF_USER", "QF_DB"}) {
      if (env(k, "").isEmpty()) {
        System.err.println("set QF_HOST, QF_PORT, QF_USER, QF_PASSWORD and QF_DB to the server to test");
        System.exit(2);
      }
    }
    String url = "jdbc:postgresql://" + env("QF_HOST", "") + ":" + env("QF_PORT", "") + "/" + env("QF_DB", "")
        + "?prepareThreshold=1&sslmode=disable&connectTimeout=10&ApplicationName=qf-pgjdbc-check";
    Properties p = new Properties();
    p.setProperty("user", env("QF_USER", ""));
    p.setProperty("password", env("QF_PASSWORD", ""));
    String table = env("QF_TABLE", "orders");
    try {
      c = DriverManager.getConnection(url, p);
    } catch (SQLException e) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("ok", false);
      r.put("error", "SQLException [" + e.getSQLState() + "]: " + e.getMessage());
      checks.put("connect", r);
      finish();
    }

    check("product", () -> c.getMetaData().getDatabaseProductName() + " " + c.getMetaData().getDatabaseProductVersion());
    check("simple", () -> {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 1 as one, 'x' as t")) {
        rs.next();
        return rs.getInt(1) + "," + rs.getString(2) + "," + rs.getMetaData().getColumnLabel(1);
      }
    });
    check("prepared", () -> {
      List<String> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("select cast(? as integer) + 1 as a, cast(? as varchar) as b, cast(? as bigint) as c")) {
        for (int i = 0; i < 3; i++) { // named server-side statement from the first execution, reused after
          ps.setInt(1, 41 + i);
          ps.setString(2, "v" + i);
          ps.setLong(3, 9_000_000_000L + i);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            out.add(rs.getInt(1) + "," + rs.getString(2) + "," + rs.getLong(3));
          }
        }
      }
      return out;
    });
    // The second execution of the same statement switches pgJDBC to binary results for the types it can.
    check("types", () -> roundTrip(scalars()));
    check("typesAgain", () -> roundTrip(scalars()));
    check("typesArray", () -> roundTrip(arrays()));
    check("fetchSize", () -> {
      c.setAutoCommit(false);
      long sum = 0;
      int n = 0;
      try (PreparedStatement s = c.prepareStatement("select cast(g as integer) as g from generate_series(1, 1000) as t(g)")) {
        s.setFetchSize(100); // portal with a row limit: Execute(100) → PortalSuspended, 10 round trips
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) { sum += rs.getInt(1); n++; }
        }
      }
      c.commit();
      c.setAutoCommit(true);
      return n + "," + sum;
    });
    check("batch", () -> {
      try (Statement s = c.createStatement()) {
        s.execute("drop table if exists qf_jdbc_scratch");
        s.execute("create table qf_jdbc_scratch (a integer, b varchar(20))");
      }
      try (PreparedStatement ps = c.prepareStatement("insert into qf_jdbc_scratch values (?, ?)")) {
        for (int i = 0; i < 100; i++) {
          ps.setInt(1, i);
          ps.setString(2, "r" + i);
          ps.addBatch();
        }
        int[] counts = ps.executeBatch();
        if (counts.length != 100) throw new AssertionError(counts.length + " update counts");
      }
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select count(*), cast(sum(a) as bigint) from qf_jdbc_scratch")) {
        rs.next();
        String r = rs.getLong(1) + "," + rs.getLong(2);
        s.execute("drop table qf_jdbc_scratch");
        return r;
      }
    });
    check("syntaxError", () -> {
      try (Statement s = c.createStatement()) {
        s.executeQuery("selec 1");
      } catch (SQLException e) {
        return e.getSQLState();
      }
      throw new AssertionError("no error for 'selec 1'");
    });
    check("afterError", () -> {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 2")) {
        rs.next();
        return rs.getInt(1);
      }
    });
    check("errorInTransaction", () -> {
      List<Object> states = new ArrayList<>();
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.executeQuery("select 1").close();
        try { s.executeQuery("select * from qf_no_such_table"); } catch (SQLException e) { states.add(e.getSQLState()); }
        try { s.executeQuery("select 1"); } catch (SQLException e) { states.add(e.getSQLState()); }
        c.rollback();
        try (ResultSet rs = s.executeQuery("select 3")) { rs.next(); states.add(rs.getInt(1)); }
        c.commit();
      }
      c.setAutoCommit(true);
      return states;
    });
    check("tables", () -> {
      List<String> tables = new ArrayList<>();
      try (ResultSet rs = c.getMetaData().getTables(null, null, "%", new String[] {"TABLE"})) {
        while (rs.next()) tables.add(rs.getString("TABLE_NAME"));
      }
      return tables;
    });
    check("columns", () -> {
      List<String> cols = new ArrayList<>();
      try (ResultSet rs = c.getMetaData().getColumns(null, null, table, "%")) {
        while (rs.next()) cols.add(rs.getString("COLUMN_NAME") + ":" + rs.getString("TYPE_NAME") + ":" + rs.getInt("DATA_TYPE"));
      }
      return cols;
    });
    check("primaryKeys", () -> {
      List<String> cols = new ArrayList<>();
      try (ResultSet rs = c.getMetaData().getPrimaryKeys(null, null, table)) {
        while (rs.next()) cols.add(rs.getString("COLUMN_NAME"));
      }
      return cols;
    });
    try { c.close(); } catch (SQLException ignored) { }
    finish();
  }

  interface Setter { void set(PreparedStatement ps, int i) throws SQLException; }
  interface Getter { Object get(ResultSet rs, int i) throws SQLException; }

  /** One value sent as a parameter (cast to `type`) and read back with `get`, expected to equal `want`. */
  static final class Item {
    final String label, type;
    final Setter set;
    final Getter get;
    final Object want;
    Item(String label, String type, Setter set, Getter get, Object want) {
      this.label = label; this.type = type; this.set = set; this.get = get; this.want = want;
    }
  }

  static final BigDecimal NUM = new BigDecimal("-12345.67");
  static final Timestamp TS = Timestamp.valueOf("2024-02-29 13:14:15.123456");
  static final OffsetDateTime TSTZ = OffsetDateTime.of(2024, 2, 29, 13, 14, 15, 500_000_000, ZoneOffset.UTC);
  static final byte[] BYTES = {0, 1, (byte) 0xfe, (byte) 0xff, '\'', '\\'};
  static final UUID ID = UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  static final String TEXT = "h\u00e9llo \u2603 'q' \"dq\" \\ tab\t";
  static final String JSON = "{\"a\": [1, 2.5, null], \"b\": \"\u00fc\"}";

  static List<Item> scalars() {
    return List.of(
        new Item("int", "integer", (ps, i) -> ps.setInt(i, Integer.MIN_VALUE), ResultSet::getInt, Integer.MIN_VALUE),
        new Item("bigint", "bigint", (ps, i) -> ps.setLong(i, 9_000_000_000_000_000L), ResultSet::getLong, 9_000_000_000_000_000L),
        new Item("numeric", "numeric(12,2)", (ps, i) -> ps.setBigDecimal(i, NUM), ResultSet::getBigDecimal, NUM),
        new Item("float", "double precision", (ps, i) -> ps.setDouble(i, 0.1 + 0.2), ResultSet::getDouble, 0.1 + 0.2),
        new Item("text", "text", (ps, i) -> ps.setString(i, TEXT), ResultSet::getString, TEXT),
        new Item("bool", "boolean", (ps, i) -> ps.setBoolean(i, true), ResultSet::getBoolean, true),
        new Item("date", "date", (ps, i) -> ps.setDate(i, java.sql.Date.valueOf("2024-02-29")), (rs, i) -> String.valueOf(rs.getDate(i)), "2024-02-29"),
        new Item("timestamp", "timestamp", (ps, i) -> ps.setTimestamp(i, TS), ResultSet::getTimestamp, TS),
        new Item("timestamptz", "timestamptz", (ps, i) -> ps.setObject(i, TSTZ), (rs, i) -> rs.getObject(i, OffsetDateTime.class).toInstant(), TSTZ.toInstant()),
        new Item("bytea", "bytea", (ps, i) -> ps.setBytes(i, BYTES), (rs, i) -> Arrays.toString(rs.getBytes(i)), Arrays.toString(BYTES)),
        new Item("uuid", "uuid", (ps, i) -> ps.setObject(i, ID), (rs, i) -> rs.getObject(i), ID),
        new Item("json", "json", (ps, i) -> ps.setString(i, JSON), ResultSet::getString, JSON),
        new Item("null", "integer", (ps, i) -> ps.setNull(i, Types.INTEGER), (rs, i) -> { rs.getInt(i); return rs.wasNull(); }, true));
  }

  static List<Item> arrays() {
    return List.of(
        new Item("int[]", "integer[]", (ps, i) -> ps.setArray(i, c.createArrayOf("integer", new Integer[] {1, null, -3})), PgJdbcClient::array, "[1, null, -3]"),
        new Item("text[]", "text[]", (ps, i) -> ps.setArray(i, c.createArrayOf("text", new String[] {"a", "b c", null, "\"q\""})), PgJdbcClient::array, "[a, b c, null, \"q\"]"));
  }

  static Object array(ResultSet rs, int i) throws SQLException {
    Array a = rs.getArray(i);
    return a == null ? "null" : Arrays.toString((Object[]) a.getArray());
  }

  /** Round trip of `items`; when the combined statement fails, each item is tried alone to name the failing types. */
  static Object roundTrip(List<Item> items) throws Exception {
    try {
      return roundTripOnce(items);
    } catch (SQLException e) {
      List<String> bad = new ArrayList<>();
      for (Item it : items) {
        try {
          roundTripOnce(List.of(it));
        } catch (Throwable e1) {
          bad.add(it.label + ": " + e1.getMessage());
        }
      }
      throw new AssertionError("[" + e.getSQLState() + "] " + e.getMessage() + " | alone: " + (bad.isEmpty() ? "each value passes alone" : String.join("; ", bad)));
    }
  }

  static Object roundTripOnce(List<Item> items) throws Exception {
    StringBuilder sql = new StringBuilder("select ");
    for (int i = 0; i < items.size(); i++) sql.append(i == 0 ? "" : ", ").append("cast(? as ").append(items.get(i).type).append(")");
    try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
      for (int i = 0; i < items.size(); i++) items.get(i).set.set(ps, i + 1);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) throw new AssertionError("no row");
        Map<String, Object> got = new LinkedHashMap<>();
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
          Item it = items.get(i);
          expect(bad, got, it.label, it.want, it.get.get(rs, i + 1));
        }
        if (!bad.isEmpty()) throw new AssertionError(String.join("; ", bad));
        return got;
      }
    }
  }

  static void expect(List<String> bad, Map<String, Object> got, String label, Object want, Object have) {
    got.put(label, have == null ? null : (have instanceof Number || have instanceof Boolean) ? have : String.valueOf(have));
    if (!Objects.equals(want, have)) {
      bad.add(label + ": sent " + want + (want == null ? "" : " (" + want.getClass().getSimpleName() + ")") + ", got " + have
          + (have == null ? "" : " (" + have.getClass().getSimpleName() + ")"));
    }
  }

  static void finish() {
    List<String> failed = new ArrayList<>();
    for (Map.Entry<String, Object> e : checks.entrySet()) {
      @SuppressWarnings("unchecked")
      Map<String, Object> r = (Map<String, Object>) e.getValue();
      if (!Boolean.TRUE.equals(r.get("ok"))) failed.add(e.getKey() + ": " + r.get("error"));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("client", "pgjdbc");
    out.put("ok", failed.isEmpty());
    out.put("checks", checks);
    System.out.println(json(out));
    System.out.flush();
    for (String f : failed) System.err.println("pgjdbc: check " + f);
    if (!failed.isEmpty()) System.err.println("pgjdbc: " + failed.size() + " of " + checks.size() + " checks failed");
    System.exit(failed.isEmpty() ? 0 : 1);
  }

  static String env(String k, String d) {
    String v = System.getenv(k);
    return v == null || v.isEmpty() ? d : v;
  }

  static String json(Object o) {
    if (o == null) return "null";
    if (o instanceof Boolean || o instanceof Integer || o instanceof Long) return o.toString();
    if (o instanceof Double) return Double.isFinite((Double) o) ? o.toString() : json(o.toString());
    if (o instanceof Map) {
      StringBuilder b = new StringBuilder("{");
      for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) {
        if (b.length() > 1) b.append(',');
        b.append(json(String.valueOf(e.getKey()))).append(':').append(json(e.getValue()));
      }
      return b.append('}').toString();
    }
    if (o instanceof List) {
      StringBuilder b = new StringBuilder("[");
      for (Object x : (List<?>) o) {
        if (b.length() > 1) b.append(',');
        b.append(json(x));
      }
      return b.append(']').toString();
    }
    StringBuilder b = new StringBuilder("\"");
    for (char ch : o.toString().toCharArray()) {
      switch (ch) {
        case '"': b.append("\\\""); break;
        case '\\': b.append("\\\\"); break;
        case '\n': b.append("\\n"); break;
        case '\r': b.append("\\r"); break;
        case '\t': b.append("\\t"); break;
        default:
          if (ch < 0x20 || ch > 0x7e) b.append(String.format("\\u%04x", (int) ch));
          else b.append(ch);
      }
    }
    return b.append('"').toString();
  }
}
