// Packets captured from MariaDB 10.11 (server) and libmariadb 3.3 (the mariadb CLI) on
// loopback, user app / password app_pw, schema rwtest. Each is a whole packet, header included.
#pragma once

namespace rwproxy::protocol::test {

// Server greeting. Salt 663f4931553c697c546c4657636b71726c475c7a, connection id 7.
constexpr const char* kMariadbHandshake =
    "680000000a352e352e352d31302e31312e31392d4d6172696144422d302b646562313275312d6c6f6700070000"
    "00663f4931553c697c00fef72d0200ff81150000000000001d000000546c4657636b71726c475c7a006d797371"
    "6c5f6e61746976655f70617373776f726400";
constexpr const char* kMariadbSalt = "663f4931553c697c546c4657636b71726c475c7a";

// The mariadb CLI's login in answer to kMariadbHandshake (MariaDB mode: bit 0 clear, extended
// capabilities 0x1d in the filler; lenenc auth data; connect attributes).
constexpr const char* kLibmariadbLogin =
    "d50000018ca2bf000000100021000000000000000000000000000000000000001d0000006170700014739af5fc"
    "1db4906f5f826f1463edcec6d43dc06d727774657374006d7973716c5f6e61746976655f70617373776f726400"
    "7e035f6f73054c696e75780c5f636c69656e745f6e616d650a6c69626d617269616462045f7069640439313739"
    "0f5f636c69656e745f76657273696f6e06332e332e3230095f706c6174666f726d067838365f36340c70726f67"
    "72616d5f6e616d65056d7973716c0c5f7365727665725f686f7374093132372e302e302e31";

// The server's OK to a login with schema rwtest: autocommit + session state changed, schema
// tracker record.
constexpr const char* kLoginOk = "12000002000000024000000009010706727774657374";

// SELECT 1 AS a, NULL AS b, 'xy' AS c, without and with CLIENT_DEPRECATE_EOF.
constexpr const char* kSelectWithEof =
    "010000010317000002036465660000000161000c3f000100000003810000000017000003036465660000000162"
    "000c3f000000000006800000000017000004036465660000000163000c2d0008000000fd010027000005000005"
    "fe00000200060000060131fb02787905000007fe00000200";
constexpr const char* kSelectDeprecateEof =
    "010000010317000002036465660000000161000c3f000100000003810000000017000003036465660000000162"
    "000c3f000000000006800000000017000004036465660000000163000c2d0008000000fd010027000006000005"
    "0131fb02787907000006fe000002000000";

// SELECT * FROM no_such_table: ERR 1146 42S02.
constexpr const char* kNoSuchTable =
    "33000001ff7a042334325330325461626c6520277277746573742e6e6f5f737563685f7461626c652720646f65"
    "736e2774206578697374";

// SET autocommit=0: OK with a system variable tracker record (autocommit=OFF).
constexpr const char* kSetAutocommitOk =
    "1a000001000000004000000011000f0a6175746f636f6d6d6974034f4646";

// OK payloads (no header) from MariaDB 10.11 on a connection with CLIENT_SESSION_TRACK and
// session_track_system_variables naming the variables.
// SET sql_mode = CONCAT(@@sql_mode, ',PIPES_AS_CONCAT')
constexpr const char* kSqlModeOk =
    "00000002400000007500730873716c5f6d6f64656950495045535f41535f434f4e4341542c5354524943545f"
    "5452414e535f5441424c45532c4552524f525f464f525f4449564953494f4e5f42595f5a45524f2c4e4f5f41"
    "55544f5f4352454154455f555345522c4e4f5f454e47494e455f535542535449545554494f4e";
// SET @@session.max_join_size = 1000*1000, time_zone = @@global.time_zone
constexpr const char* kTwoVariablesOk =
    "00000002400000002b00110974696d655f7a6f6e650653595354454d00160d6d61785f6a6f696e5f73697a65"
    "0731303030303030";
// SET character_set_results = NULL
constexpr const char* kNullValueOk =
    "0000000240000000190017156368617261637465725f7365745f726573756c747300";
// SET max_join_size = DEFAULT with session_track_state_change=ON
constexpr const char* kVariableAndStateOk =
    "00000002400000002800230d6d61785f6a6f696e5f73697a65143138343436373434303733373039353531"
    "363135020131";
// CREATE TEMPORARY TABLE with session_track_state_change=ON
constexpr const char* kStateOnlyOk = "000000024000000003020131";

}  // namespace rwproxy::protocol::test
