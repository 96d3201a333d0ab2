import java.math.BigDecimal;
import java.sql.*;
import java.util.*;

/**
 * pgJDBC client check for QueryFlux: connects with QF_HOST/QF_PORT/QF_USER/QF_PASSWORD/QF_DB,
 * exercises Statement, PreparedStatement (server-prepared after prepareThreshold), types,
 * fetch-size portals in a transaction, DatabaseMetaData and error recovery, and prints one JSON
 * object of results. Exit code 1 on any unexpected failure.
 */
public class PgJdbcClient {
  static final Map<String, Object> out = new LinkedHashMap<>();

  public static void main(String[] args) throws Exception {
    String url = "jdbc:postgresql://" + env("QF_HOST", "127.0.0.1") + ":" + env("QF_PORT", "5432") + "/" + env("QF_DB", "postgres") + "?prepareThreshold=1&sslmode=disable";
    Properties p = new Properties();
    p.setProperty("user", env("QF_USER", "postgres"));
    p.setProperty("password", env("QF_PASSWORD", ""));
    String table = env("QF_TABLE", "");
    try (Connection c = DriverManager.getConnection(url, p)) {
      out.put("product", c.getMetaData().getDatabaseProductName() + " " + c.getMetaData().getDatabaseProductVersion());
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 1 as one, 'x' as t")) {
        rs.next();
        out.put("simple", rs.getInt(1) + "," + rs.getString(2));
      }
      try (PreparedStatement ps = c.prepareStatement("select cast(? as integer) + 1 as a, cast(? as varchar) as b, cast(? as bigint) as c")) {
        for (int i = 0; i < 3; i++) { // repeated so the driver switches to a named server-side statement
          ps.setInt(1, 41 + i);
          ps.setString(2, "v" + i);
          ps.setLong(3, 9_000_000_000L + i);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            out.put("prepared" + i, rs.getInt(1) + "," + rs.getString(2) + "," + rs.getLong(3));
          }
        }
      }
      try (Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("select cast(12345.67 as decimal(10,2)) as d, cast('2024-02-29 13:14:15' as timestamp) as ts, cast('2024-02-29' as date) as dt, cast(0.5 as double precision) as f, true as b")) {
        rs.next();
        BigDecimal d = rs.getBigDecimal(1);
        out.put("types", d.toPlainString() + "|" + rs.getTimestamp(2) + "|" + rs.getDate(3) + "|" + rs.getDouble(4) + "|" + rs.getBoolean(5));
      }
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.setFetchSize(100); // portal with row limit: Execute(100) + PortalSuspended round trips
        long sum = 0;
        int n = 0;
        try (ResultSet rs = s.executeQuery("select cast(g as integer) as g from generate_series(1, 1000) as t(g)")) {
          while (rs.next()) { sum += rs.getInt(1); n++; }
        }
        out.put("fetchSize", n + "," + sum);
      }
      c.commit();
      c.setAutoCommit(true);
      try (Statement s = c.createStatement()) {
        s.executeQuery("selec 1");
        out.put("syntaxError", "none");
      } catch (SQLException e) {
        out.put("syntaxError", e.getSQLState());
      }
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 2")) {
        rs.next();
        out.put("afterError", rs.getInt(1));
      }
      if (!table.isEmpty()) {
        DatabaseMetaData md = c.getMetaData();
        List<String> tables = new ArrayList<>();
        try (ResultSet rs = md.getTables(null, null, "%", new String[] {"TABLE"})) {
          while (rs.next()) tables.add(rs.getString("TABLE_NAME"));
        }
        out.put("tables", tables);
        List<String> cols = new ArrayList<>();
        try (ResultSet rs = md.getColumns(null, null, table, "%")) {
          while (rs.next()) cols.add(rs.getString("COLUMN_NAME") + ":" + rs.getString("TYPE_NAME"));
        }
        out.put("columns", cols);
      }
    } catch (Exception e) {
      out.put("fatal", e.getClass().getSimpleName() + ": " + e.getMessage());
      System.out.println(json(out));
      System.exit(1);
    }
    System.out.println(json(out));
  }

  static String env(String k, String d) {
    String v = System.getenv(k);
    return v == null || v.isEmpty() ? d : v;
  }

  static String json(Object o) {
    if (o == null) return "null";
    if (o instanceof Number || o instanceof Boolean) return o.toString();
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
    String s = o.toString().replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    return "\"" + s + "\"";
  }
}
