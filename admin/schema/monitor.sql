-- The `monitor` database (in memory): the health checker's recent results, one row per check.

CREATE TABLE monitor.mysql_server_connect_log (
  hostname VARCHAR NOT NULL,
  port INT NOT NULL DEFAULT 3306,
  time_start_us INT NOT NULL DEFAULT 0,
  connect_success_time_us INT DEFAULT 0,
  connect_error VARCHAR,
  PRIMARY KEY (hostname, port, time_start_us)
);

CREATE TABLE monitor.mysql_server_ping_log (
  hostname VARCHAR NOT NULL,
  port INT NOT NULL DEFAULT 3306,
  time_start_us INT NOT NULL DEFAULT 0,
  ping_success_time_us INT DEFAULT 0,
  ping_error VARCHAR,
  PRIMARY KEY (hostname, port, time_start_us)
);

CREATE TABLE monitor.mysql_server_read_only_log (
  hostname VARCHAR NOT NULL,
  port INT NOT NULL DEFAULT 3306,
  time_start_us INT NOT NULL DEFAULT 0,
  success_time_us INT DEFAULT 0,
  read_only INT DEFAULT 1,
  error VARCHAR,
  PRIMARY KEY (hostname, port, time_start_us)
);

CREATE TABLE monitor.mysql_server_replication_lag_log (
  hostname VARCHAR NOT NULL,
  port INT NOT NULL DEFAULT 3306,
  time_start_us INT NOT NULL DEFAULT 0,
  success_time_us INT DEFAULT 0,
  repl_lag INT DEFAULT 0,
  error VARCHAR,
  PRIMARY KEY (hostname, port, time_start_us)
);
