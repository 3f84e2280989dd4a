-- The configuration tables, written once and created three times: in the memory layer
-- ({schema}=main, {prefix}=''), as its runtime mirrors ({schema}=main, {prefix}='runtime_') and
-- in the disk layer ({schema}=disk, {prefix}=''). Names, types, defaults and CHECKs follow
-- ProxySQL 2.x so operators' scripts work unchanged.

CREATE TABLE IF NOT EXISTS {schema}.{prefix}mysql_servers (
  hostgroup_id INT CHECK (hostgroup_id >= 0) NOT NULL DEFAULT 0,
  hostname VARCHAR NOT NULL,
  port INT CHECK (port >= 0 AND port <= 65535) NOT NULL DEFAULT 3306,
  gtid_port INT CHECK ((gtid_port <> port OR gtid_port = 0) AND gtid_port >= 0
                       AND gtid_port <= 65535) NOT NULL DEFAULT 0,
  status VARCHAR CHECK (UPPER(status) IN ('ONLINE', 'SHUNNED', 'OFFLINE_SOFT', 'OFFLINE_HARD'))
    NOT NULL DEFAULT 'ONLINE',
  weight INT CHECK (weight >= 0 AND weight <= 10000000) NOT NULL DEFAULT 1,
  compression INT CHECK (compression IN (0, 1)) NOT NULL DEFAULT 0,
  max_connections INT CHECK (max_connections >= 0) NOT NULL DEFAULT 1000,
  max_replication_lag INT CHECK (max_replication_lag >= 0 AND max_replication_lag <= 126144000)
    NOT NULL DEFAULT 0,
  use_ssl INT CHECK (use_ssl IN (0, 1)) NOT NULL DEFAULT 0,
  max_latency_ms INT UNSIGNED CHECK (max_latency_ms >= 0) NOT NULL DEFAULT 0,
  comment VARCHAR NOT NULL DEFAULT '',
  PRIMARY KEY (hostgroup_id, hostname, port)
);

CREATE TABLE IF NOT EXISTS {schema}.{prefix}mysql_users (
  username VARCHAR NOT NULL,
  password VARCHAR,
  active INT CHECK (active IN (0, 1)) NOT NULL DEFAULT 1,
  use_ssl INT CHECK (use_ssl IN (0, 1)) NOT NULL DEFAULT 0,
  default_hostgroup INT NOT NULL DEFAULT 0,
  default_schema VARCHAR,
  schema_locked INT CHECK (schema_locked IN (0, 1)) NOT NULL DEFAULT 0,
  transaction_persistent INT CHECK (transaction_persistent IN (0, 1)) NOT NULL DEFAULT 1,
  fast_forward INT CHECK (fast_forward IN (0, 1)) NOT NULL DEFAULT 0,
  backend INT CHECK (backend IN (0, 1)) NOT NULL DEFAULT 1,
  frontend INT CHECK (frontend IN (0, 1)) NOT NULL DEFAULT 1,
  max_connections INT CHECK (max_connections >= 0) NOT NULL DEFAULT 10000,
  attributes VARCHAR CHECK (JSON_VALID(attributes) OR attributes = '') NOT NULL DEFAULT '',
  comment VARCHAR NOT NULL DEFAULT '',
  PRIMARY KEY (username, backend),
  UNIQUE (username, frontend)
);

CREATE TABLE IF NOT EXISTS {schema}.{prefix}mysql_query_rules (
  rule_id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  active INT CHECK (active IN (0, 1)) NOT NULL DEFAULT 0,
  username VARCHAR,
  schemaname VARCHAR,
  flagIN INT CHECK (flagIN >= 0) NOT NULL DEFAULT 0,
  client_addr VARCHAR,
  proxy_addr VARCHAR,
  proxy_port INT CHECK (proxy_port >= 0 AND proxy_port <= 65535),
  digest VARCHAR,
  match_digest VARCHAR,
  match_pattern VARCHAR,
  negate_match_pattern INT CHECK (negate_match_pattern IN (0, 1)) NOT NULL DEFAULT 0,
  re_modifiers VARCHAR DEFAULT 'CASELESS',
  flagOUT INT CHECK (flagOUT >= 0),
  replace_pattern VARCHAR CHECK (replace_pattern IS NULL OR match_pattern IS NOT NULL),
  destination_hostgroup INT DEFAULT NULL,
  cache_ttl INT CHECK (cache_ttl > 0),
  cache_empty_result INT CHECK (cache_empty_result IN (0, 1)) DEFAULT NULL,
  cache_timeout INT CHECK (cache_timeout >= 0),
  reconnect INT CHECK (reconnect IN (0, 1)) DEFAULT NULL,
  timeout INT UNSIGNED CHECK (timeout >= 0),
  retries INT CHECK (retries >= 0 AND retries <= 1000),
  delay INT UNSIGNED CHECK (delay >= 0),
  next_query_flagIN INT UNSIGNED,
  mirror_flagOUT INT UNSIGNED,
  mirror_hostgroup INT UNSIGNED,
  error_msg VARCHAR,
  OK_msg VARCHAR,
  sticky_conn INT CHECK (sticky_conn IN (0, 1)),
  multiplex INT CHECK (multiplex IN (0, 1, 2)),
  gtid_from_hostgroup INT UNSIGNED,
  log INT CHECK (log IN (0, 1)),
  apply INT CHECK (apply IN (0, 1)) NOT NULL DEFAULT 0,
  attributes VARCHAR CHECK (JSON_VALID(attributes) OR attributes = '') NOT NULL DEFAULT '',
  comment VARCHAR
);

CREATE TABLE IF NOT EXISTS {schema}.{prefix}mysql_replication_hostgroups (
  writer_hostgroup INT CHECK (writer_hostgroup >= 0) NOT NULL PRIMARY KEY,
  reader_hostgroup INT NOT NULL
    CHECK (reader_hostgroup <> writer_hostgroup AND reader_hostgroup >= 0),
  check_type VARCHAR CHECK (LOWER(check_type) IN ('read_only', 'innodb_read_only',
    'super_read_only', 'read_only|innodb_read_only', 'read_only&innodb_read_only'))
    NOT NULL DEFAULT 'read_only',
  comment VARCHAR NOT NULL DEFAULT '',
  UNIQUE (reader_hostgroup)
);

CREATE TABLE IF NOT EXISTS {schema}.{prefix}global_variables (
  variable_name VARCHAR NOT NULL PRIMARY KEY,
  variable_value VARCHAR NOT NULL
);
