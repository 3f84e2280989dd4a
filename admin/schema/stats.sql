-- The `stats` database (in memory). Rows are refreshed by the stats provider hook just before a
-- statement that reads them runs. Columns follow ProxySQL 2.x.

CREATE TABLE stats.stats_mysql_query_digest (
  hostgroup INT,
  schemaname VARCHAR NOT NULL,
  username VARCHAR NOT NULL,
  client_address VARCHAR NOT NULL,
  digest VARCHAR NOT NULL,
  digest_text VARCHAR NOT NULL,
  count_star INTEGER NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  sum_time INTEGER NOT NULL,
  min_time INTEGER NOT NULL,
  max_time INTEGER NOT NULL,
  sum_rows_affected INTEGER NOT NULL,
  sum_rows_sent INTEGER NOT NULL,
  PRIMARY KEY (hostgroup, schemaname, username, client_address, digest)
);

CREATE TABLE stats.stats_mysql_query_digest_reset (
  hostgroup INT,
  schemaname VARCHAR NOT NULL,
  username VARCHAR NOT NULL,
  client_address VARCHAR NOT NULL,
  digest VARCHAR NOT NULL,
  digest_text VARCHAR NOT NULL,
  count_star INTEGER NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  sum_time INTEGER NOT NULL,
  min_time INTEGER NOT NULL,
  max_time INTEGER NOT NULL,
  sum_rows_affected INTEGER NOT NULL,
  sum_rows_sent INTEGER NOT NULL,
  PRIMARY KEY (hostgroup, schemaname, username, client_address, digest)
);

-- Beyond ProxySQL: latency percentiles per digest, from a fixed-size log-scaled histogram
-- (estimates within a third of the true value). Joins stats_mysql_query_digest on its key.
CREATE TABLE stats.stats_mysql_query_digest_latency (
  hostgroup INT,
  schemaname VARCHAR NOT NULL,
  username VARCHAR NOT NULL,
  client_address VARCHAR NOT NULL,
  digest VARCHAR NOT NULL,
  count_star INTEGER NOT NULL,
  p50_us INTEGER NOT NULL,
  p95_us INTEGER NOT NULL,
  p99_us INTEGER NOT NULL,
  PRIMARY KEY (hostgroup, schemaname, username, client_address, digest)
);

CREATE TABLE stats.stats_mysql_connection_pool (
  hostgroup INT,
  srv_host VARCHAR,
  srv_port INT,
  status VARCHAR,
  ConnUsed INT,
  ConnFree INT,
  ConnOK INT,
  ConnERR INT,
  MaxConnUsed INT,
  Queries INT,
  Queries_GTID_sync INT,
  Bytes_data_sent INT,
  Bytes_data_recv INT,
  Latency_us INT
);

CREATE TABLE stats.stats_mysql_connection_pool_reset (
  hostgroup INT,
  srv_host VARCHAR,
  srv_port INT,
  status VARCHAR,
  ConnUsed INT,
  ConnFree INT,
  ConnOK INT,
  ConnERR INT,
  MaxConnUsed INT,
  Queries INT,
  Queries_GTID_sync INT,
  Bytes_data_sent INT,
  Bytes_data_recv INT,
  Latency_us INT
);

CREATE TABLE stats.stats_mysql_query_rules (
  rule_id INTEGER PRIMARY KEY,
  hits INT NOT NULL
);

CREATE TABLE stats.stats_mysql_global (
  Variable_Name VARCHAR NOT NULL PRIMARY KEY,
  Variable_Value VARCHAR NOT NULL
);

-- One row per client session. `info` is the running query's digest text (normalised, as in
-- stats_mysql_query_digest), shown only while the query runs: no copy of every query is kept.
-- l_srv_host/l_srv_port, status_flags and extended_info are NULL.
CREATE TABLE stats.stats_mysql_processlist (
  ThreadID INT NOT NULL,
  SessionID INTEGER PRIMARY KEY,
  user VARCHAR,
  db VARCHAR,
  cli_host VARCHAR,
  cli_port INT,
  hostgroup INT,
  l_srv_host VARCHAR,
  l_srv_port INT,
  srv_host VARCHAR,
  srv_port INT,
  command VARCHAR,
  time_ms INT NOT NULL,
  info VARCHAR,
  status_flags INT,
  extended_info VARCHAR,
  -- Beyond ProxySQL: why the session keeps its backend connection between commands
  -- (transaction, user_variable, ...; '' when it does not), the usual cause of lost multiplexing.
  pin_reason VARCHAR
);

CREATE TABLE stats.stats_mysql_commands_counters (
  Command VARCHAR NOT NULL PRIMARY KEY,
  Total_Time_us INT NOT NULL,
  Total_cnt INT NOT NULL,
  cnt_100us INT NOT NULL,
  cnt_500us INT NOT NULL,
  cnt_1ms INT NOT NULL,
  cnt_5ms INT NOT NULL,
  cnt_10ms INT NOT NULL,
  cnt_50ms INT NOT NULL,
  cnt_100ms INT NOT NULL,
  cnt_500ms INT NOT NULL,
  cnt_1s INT NOT NULL,
  cnt_5s INT NOT NULL,
  cnt_10s INT NOT NULL,
  cnt_INFs
);

CREATE TABLE stats.stats_mysql_users (
  username VARCHAR PRIMARY KEY,
  frontend_connections INT NOT NULL,
  frontend_max_connections INT NOT NULL
);
