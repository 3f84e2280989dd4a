// The query cache's half of ClientSession: answering a query from the worker's cache, and
// capturing a backend's reply to store it there (proxy/cache/README.md).
#include <string_view>
#include <utility>

#include "proxy/protocol/constants.h"
#include "proxy/session/client_session.h"

namespace rwproxy::session {

namespace p = rwproxy::protocol;

namespace {

// ProxySQL shows queries answered by its query cache under hostgroup -1.
constexpr int kCacheHostgroup = -1;

// The pin reasons that leave nothing on the connection which could change what a query
// returns. Every other one may (variables the proxy did not see, temporary tables shadowing
// tables, LOCK TABLES hiding the others, a procedure's or function's SET): such a session
// neither reads nor fills the shared cache. Correct before clever: a new reason is unsafe.
bool pinKeepsResults(std::string_view pinReason) {
  return pinReason.empty() || pinReason == "rule_multiplex_0" || pinReason == "get_lock" ||
         pinReason == "prepared_statement" || pinReason == "cursor" || pinReason == "long_data";
}

}  // namespace

bool ClientSession::cacheAllowed() const {
  // Inside a transaction a query must see the transaction's own view, not a shared result.
  return statementStateless_ && pendingSchema_.empty() && !inTransaction_ && !autocommitOff_ &&
         !needsInsertId_ && pinKeepsResults(pinReason_);
}

bool ClientSession::answerFromCache(p::Bytes payload) {
  int ttlMs = std::exchange(cacheTtlMs_, 0);
  if (ttlMs <= 0 || !cacheAllowed() || stream_.pendingBytes() > kMaxPendingToClient) {
    return false;
  }
  cache::QueryCache& cache = context_.queryCache();
  if (cache.capacity() == 0) {
    return false;  // mysql-query_cache_size_MB=0: no cache, no lookups to count
  }
  cache::CacheKey key{user_, schema_, p::asStringView(payload.subspan(1)), charset_,
                      vars_.fingerprint()};
  uint64_t now = net::nowMs(context_.loop());
  bool deprecateEof = (capabilities_ & p::kClientDeprecateEof) != 0;
  std::string& out = context_.scratch();
  out.clear();
  auto rows = cache.serve(key, now, deprecateEof, sessionStatus(), out);
  if (!rows) {
    bool storeEmpty =
        cacheEmptyResult_.value_or(context_.runtime()->mysql.queryCacheStoresEmptyResult);
    cacheCapture_.start(key, cache.maxReplyBytes(), static_cast<uint64_t>(ttlMs), storeEmpty);
    return false;
  }
  writeRaw(p::asBytes(out));
  uint64_t durationUs = (uv_hrtime() - queryStartNs_) / 1000;
  if (trackQuery_) {
    context_.recordQuery({kCacheHostgroup, schema_, user_, "", queryDigest_}, durationUs, 0, *rows);
    trackQuery_ = false;
  }
  if (logQuery_) {
    logQueryEvent(kCacheHostgroup, "", durationUs, *rows, 0);
  }
  return true;
}

void ClientSession::storeInCache(const BackendConnection& backend) {
  // The server's flavour: its connection negotiated DEPRECATE_EOF or not, like the client's.
  bool deprecateEof = (backend.capabilities() & p::kClientDeprecateEof) != 0;
  // A failed reply is refused by store() (describeResultSet), which also ends the capture.
  (void)context_.queryCache().store(cacheCapture_, deprecateEof, net::nowMs(context_.loop()));
}

}  // namespace rwproxy::session
