-- Demo data: a small TPC-H-like schema generated in DuckDB at start (no extension needed).
-- Deterministic: values derive from hash() of the row number, so every start has the same data.
CREATE TABLE region (r_regionkey INTEGER PRIMARY KEY, r_name VARCHAR NOT NULL, r_comment VARCHAR);
INSERT INTO region VALUES (0,'AFRICA','lar deposits'),(1,'AMERICA','hs use ironic'),(2,'ASIA','ges. thinly even'),(3,'EUROPE','ly final courts'),(4,'MIDDLE EAST','uickly special');

CREATE TABLE nation (n_nationkey INTEGER PRIMARY KEY, n_name VARCHAR NOT NULL, n_regionkey INTEGER NOT NULL, n_comment VARCHAR);
INSERT INTO nation VALUES
 (0,'ALGERIA',0,NULL),(1,'ARGENTINA',1,NULL),(2,'BRAZIL',1,NULL),(3,'CANADA',1,NULL),(4,'EGYPT',4,NULL),
 (5,'ETHIOPIA',0,NULL),(6,'FRANCE',3,NULL),(7,'GERMANY',3,NULL),(8,'INDIA',2,NULL),(9,'INDONESIA',2,NULL),
 (10,'IRAN',4,NULL),(11,'IRAQ',4,NULL),(12,'JAPAN',2,NULL),(13,'JORDAN',4,NULL),(14,'KENYA',0,NULL),
 (15,'MOROCCO',0,NULL),(16,'MOZAMBIQUE',0,NULL),(17,'PERU',1,NULL),(18,'CHINA',2,NULL),(19,'ROMANIA',3,NULL),
 (20,'SAUDI ARABIA',4,NULL),(21,'VIETNAM',2,NULL),(22,'RUSSIA',3,NULL),(23,'UNITED KINGDOM',3,NULL),(24,'UNITED STATES',1,NULL);

CREATE TABLE supplier AS
SELECT i::INTEGER AS s_suppkey, 'Supplier#' || lpad(i::VARCHAR, 9, '0') AS s_name,
       'addr ' || (hash(i) % 100000)::VARCHAR AS s_address, (hash(i * 7) % 25)::INTEGER AS s_nationkey,
       ((hash(i * 13) % 2000000)::DECIMAL(15,2) / 100 - 1000)::DECIMAL(15,2) AS s_acctbal
FROM range(1, 101) t(i);

CREATE TABLE customer AS
SELECT i::INTEGER AS c_custkey, 'Customer#' || lpad(i::VARCHAR, 9, '0') AS c_name,
       'addr ' || (hash(i) % 100000)::VARCHAR AS c_address, (hash(i * 3) % 25)::INTEGER AS c_nationkey,
       ((hash(i * 11) % 1100000)::DECIMAL(15,2) / 100 - 1000)::DECIMAL(15,2) AS c_acctbal,
       ['AUTOMOBILE','BUILDING','FURNITURE','HOUSEHOLD','MACHINERY'][(hash(i * 5) % 5)::INTEGER + 1] AS c_mktsegment
FROM range(1, 1501) t(i);

CREATE TABLE part AS
SELECT i::INTEGER AS p_partkey, 'part ' || i::VARCHAR AS p_name,
       'Brand#' || ((hash(i) % 5) + 1)::VARCHAR || ((hash(i * 3) % 5) + 1)::VARCHAR AS p_brand,
       ['SMALL','MEDIUM','LARGE','ECONOMY','PROMO'][(hash(i * 7) % 5)::INTEGER + 1] || ' ' || ['ANODIZED','BURNISHED','PLATED','POLISHED','BRUSHED'][(hash(i * 11) % 5)::INTEGER + 1] AS p_type,
       ((hash(i * 13) % 50) + 1)::INTEGER AS p_size,
       (900 + (i % 1000) / 10.0)::DECIMAL(15,2) AS p_retailprice
FROM range(1, 2001) t(i);

CREATE TABLE orders AS
SELECT i::INTEGER AS o_orderkey, ((hash(i) % 1500) + 1)::INTEGER AS o_custkey,
       ['F','O','P'][(hash(i * 3) % 3)::INTEGER + 1] AS o_orderstatus,
       ((hash(i * 5) % 50000000)::DECIMAL(15,2) / 100 + 1000)::DECIMAL(15,2) AS o_totalprice,
       (DATE '1992-01-01' + (hash(i * 7) % 2400)::INTEGER) AS o_orderdate,
       ['1-URGENT','2-HIGH','3-MEDIUM','4-NOT SPECIFIED','5-LOW'][(hash(i * 11) % 5)::INTEGER + 1] AS o_orderpriority,
       'Clerk#' || lpad(((hash(i * 13) % 1000) + 1)::VARCHAR, 9, '0') AS o_clerk
FROM range(1, 15001) t(i);

CREATE TABLE lineitem AS
SELECT o.o_orderkey AS l_orderkey, n::INTEGER AS l_linenumber,
       ((hash(o.o_orderkey * 10 + n) % 2000) + 1)::INTEGER AS l_partkey,
       ((hash(o.o_orderkey * 17 + n) % 100) + 1)::INTEGER AS l_suppkey,
       ((hash(o.o_orderkey * 19 + n) % 50) + 1)::DECIMAL(15,2) AS l_quantity,
       ((hash(o.o_orderkey * 23 + n) % 10000000)::DECIMAL(15,2) / 100 + 900)::DECIMAL(15,2) AS l_extendedprice,
       ((hash(o.o_orderkey * 29 + n) % 11)::DECIMAL(15,2) / 100)::DECIMAL(15,2) AS l_discount,
       ((hash(o.o_orderkey * 31 + n) % 9)::DECIMAL(15,2) / 100)::DECIMAL(15,2) AS l_tax,
       ['A','N','R'][(hash(o.o_orderkey * 37 + n) % 3)::INTEGER + 1] AS l_returnflag,
       ['F','O'][(hash(o.o_orderkey * 41 + n) % 2)::INTEGER + 1] AS l_linestatus,
       o.o_orderdate + ((hash(o.o_orderkey * 43 + n) % 121) + 1)::INTEGER AS l_shipdate
FROM orders o, range(1, 5) t(n)
WHERE n <= (hash(o.o_orderkey * 47) % 4) + 1;
