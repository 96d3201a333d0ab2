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
 * double, text, boolean, date, timestamp, timestamptz, bytea (getBytes), uuid, json and int[];
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

  static void check(String name, Check fn) {
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
    check("types", () -> roundTrip());
    check("typesAgain", () -> roundTrip());
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

  /** Send each type as a parameter and compare what comes back; returns label → value as text. */
  static Object roundTrip() throws Exception {
    BigDecimal num = new BigDecimal("-12345.67");
    Timestamp ts = Timestamp.valueOf("2024-02-29 13:14:15.123456");
    OffsetDateTime tstz = OffsetDateTime.of(2024, 2, 29, 13, 14, 15, 500_000_000, ZoneOffset.UTC);
    byte[] bytes = {0, 1, (byte) 0xfe, (byte) 0xff, '\'', '\\'};
    UUID uuid = UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    String text = "héllo ☃ 'q' \"dq\" \\ tab\t";
    String sql = "select cast(? as integer), cast(? as bigint), cast(? as numeric(12,2)), cast(? as double precision), cast(? as text), "
        + "cast(? as boolean), cast(? as date), cast(? as timestamp), cast(? as timestamptz), cast(? as bytea), cast(? as uuid), "
        + "cast(? as json), cast(? as integer[]), cast(? as integer)";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setInt(1, Integer.MIN_VALUE);
      ps.setLong(2, 9_000_000_000_000_000L);
      ps.setBigDecimal(3, num);
      ps.setDouble(4, 0.1 + 0.2);
      ps.setString(5, text);
      ps.setBoolean(6, true);
      ps.setDate(7, java.sql.Date.valueOf("2024-02-29"));
      ps.setTimestamp(8, ts);
      ps.setObject(9, tstz);
      ps.setBytes(10, bytes);
      ps.setObject(11, uuid);
      ps.setString(12, "{\"a\": [1, 2.5, null], \"b\": \"ü\"}");
      ps.setArray(13, c.createArrayOf("integer", new Integer[] {1, null, -3}));
      ps.setNull(14, Types.INTEGER);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) throw new AssertionError("no row");
        Map<String, Object> got = new LinkedHashMap<>();
        List<String> bad = new ArrayList<>();
        expect(bad, got, "int", Integer.MIN_VALUE, rs.getInt(1));
        expect(bad, got, "bigint", 9_000_000_000_000_000L, rs.getLong(2));
        expect(bad, got, "numeric", num, rs.getBigDecimal(3));
        expect(bad, got, "float", 0.1 + 0.2, rs.getDouble(4));
        expect(bad, got, "text", text, rs.getString(5));
        expect(bad, got, "bool", true, rs.getBoolean(6));
        expect(bad, got, "date", "2024-02-29", String.valueOf(rs.getDate(7)));
        expect(bad, got, "timestamp", ts, rs.getTimestamp(8));
        expect(bad, got, "timestamptz", tstz.toInstant(), rs.getObject(9, OffsetDateTime.class).toInstant());
        expect(bad, got, "bytea", Arrays.toString(bytes), Arrays.toString(rs.getBytes(10)));
        expect(bad, got, "uuid", uuid, rs.getObject(11));
        expect(bad, got, "json", "{\"a\": [1, 2.5, null], \"b\": \"ü\"}", rs.getString(12));
        Array arr = rs.getArray(13);
        expect(bad, got, "int[]", "[1, null, -3]", arr == null ? "null" : Arrays.toString((Object[]) arr.getArray()));
        rs.getInt(14);
        expect(bad, got, "null", true, rs.wasNull());
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
