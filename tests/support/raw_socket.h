#pragma once

#include <string>

namespace rwproxy::test {

// Opens a TCP connection to 127.0.0.1:port, sends `bytes` (and reads the greeting first when
// readGreeting), then closes; for garbage and truncated-packet tests. Returns false when the
// connection could not be made.
bool sendRawBytes(int port, const std::string& bytes, bool readGreeting);

}  // namespace rwproxy::test

namespace rwproxy::test {

// Connects, reads the greeting and then waits, sending nothing, until the server closes the
// connection (true) or `timeoutSeconds` pass (false).
bool waitForServerClose(int port, int timeoutSeconds);

}  // namespace rwproxy::test
