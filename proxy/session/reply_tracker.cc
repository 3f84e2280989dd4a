#include "proxy/session/reply_tracker.h"

#include "proxy/protocol/constants.h"

namespace rwproxy::session {

namespace p = rwproxy::protocol;

namespace {

constexpr uint32_t kFullChunk = 0xFFFFFF;

// A bounds-checked length-encoded integer read from a packet prefix.
bool lenenc(std::span<const uint8_t> p, size_t& pos, uint64_t& out) {
  if (pos >= p.size()) {
    return false;
  }
  uint8_t first = p[pos++];
  size_t width = 0;
  if (first < 0xFB) {
    out = first;
    return true;
  }
  if (first == 0xFC) {
    width = 2;
  } else if (first == 0xFD) {
    width = 3;
  } else if (first == 0xFE) {
    width = 8;
  } else {
    return false;
  }
  if (pos + width > p.size()) {
    return false;
  }
  out = 0;
  for (size_t i = 0; i < width; ++i) {
    out |= static_cast<uint64_t>(p[pos + i]) << (8 * i);
  }
  pos += width;
  return true;
}

uint16_t u16(std::span<const uint8_t> p, size_t pos) {
  return static_cast<uint16_t>(p[pos] | (p[pos + 1] << 8));
}

}  // namespace

void ReplyTracker::begin(ReplyShape shape, bool deprecateEof) {
  shape_ = shape;
  deprecateEof_ = deprecateEof;
  continuation_ = false;
  wellFormed_ = true;
  statusFlags_ = 0;
  hasStatus_ = false;
  errorCode_ = 0;
  columnsLeft_ = 0;
  prepareColumns_ = 0;
  affectedRows_ = 0;
  lastInsertId_ = 0;
  rows_ = 0;
  stateReport_ = StateReport::None;
  stateOk_.clear();
  switch (shape) {
    case ReplyShape::None:
      state_ = State::Done;
      break;
    case ReplyShape::OkOrError:
    case ReplyShape::ResultSets:
    case ReplyShape::StmtPrepare:
      state_ = State::First;
      break;
    case ReplyShape::FieldList:
      state_ = State::Columns;
      columnsLeft_ = UINT64_MAX;  // until EOF
      break;
    case ReplyShape::Statistics:
      state_ = State::Single;
      break;
    case ReplyShape::StmtFetch:
      state_ = State::Rows;
      break;
  }
}

bool ReplyTracker::finishWith(uint16_t status) {
  statusFlags_ = status;
  hasStatus_ = true;
  if (shape_ == ReplyShape::ResultSets && (status & p::kServerMoreResultsExists) != 0) {
    state_ = State::First;
    return false;
  }
  state_ = State::Done;
  return true;
}

bool ReplyTracker::keepWhole(uint32_t length, uint8_t firstByte) const {
  switch (state_) {
    case State::First:
      return firstByte == p::kOkHeader || (firstByte == p::kEofHeader && length < 9);
    case State::Rows:
      return deprecateEof_ && firstByte == p::kEofHeader && length < kFullChunk;
    case State::Columns:  // COM_FIELD_LIST ends its columns the way rows end
      return shape_ == ReplyShape::FieldList && deprecateEof_ && firstByte == p::kEofHeader &&
             length < kFullChunk;
    case State::Done:
    case State::ColumnsEof:
    case State::PrepareParams:
    case State::PrepareParamsEof:
    case State::PrepareColumns:
    case State::PrepareColumnsEof:
    case State::Single:
      return false;
  }
  return false;
}

void ReplyTracker::readOk(uint32_t length, std::span<const uint8_t> pl) {
  size_t pos = 1;
  uint64_t affected = 0;
  uint64_t insertId = 0;
  if (!lenenc(pl, pos, affected) || !lenenc(pl, pos, insertId) || pos + 2 > pl.size()) {
    wellFormed_ = false;
    statusFlags_ = 0;
    return;
  }
  affectedRows_ = affected;
  lastInsertId_ = insertId;
  statusFlags_ = u16(pl, pos);
  hasStatus_ = true;
  if ((statusFlags_ & p::kServerSessionStateChanged) != 0) {
    if (stateReport_ == StateReport::None && pl.size() == length) {
      stateOk_.assign(pl.begin(), pl.end());
      stateReport_ = StateReport::Kept;
    } else {
      stateReport_ = StateReport::Lost;
    }
  }
}

void ReplyTracker::readEof(std::span<const uint8_t> pl) {
  if (pl.size() < 5) {
    wellFormed_ = false;
    return;
  }
  statusFlags_ = u16(pl, 3);
  hasStatus_ = true;
  if ((statusFlags_ & p::kServerSessionStateChanged) != 0) {
    stateReport_ = StateReport::Lost;
  }
}

void ReplyTracker::readErr(std::span<const uint8_t> pl) {
  errorCode_ = pl.size() >= 3 ? u16(pl, 1) : 0xFFFF;
  if (errorCode_ == 0) {
    errorCode_ = 0xFFFF;
  }
}

bool ReplyTracker::isTerminator(uint32_t length, std::span<const uint8_t> pl) const {
  if (pl.empty() || pl[0] != p::kEofHeader) {
    return false;
  }
  // Under DEPRECATE_EOF the terminator is an OK packet with an 0xFE header; a row can only
  // start with 0xFE when its first value is 16 MiB or more, which makes a full first chunk.
  return deprecateEof_ ? length < kFullChunk : length < 9;
}

bool ReplyTracker::onTerminator(uint32_t length, std::span<const uint8_t> pl) {
  if (deprecateEof_) {
    readOk(length, pl);
  } else {
    readEof(pl);
  }
  return finishWith(statusFlags_);
}

void ReplyTracker::afterColumns() { state_ = deprecateEof_ ? State::Rows : State::ColumnsEof; }

void ReplyTracker::afterPrepareParams() {
  if (prepareColumns_ > 0) {
    columnsLeft_ = prepareColumns_;
    state_ = State::PrepareColumns;
  } else {
    state_ = State::Done;
  }
}

bool ReplyTracker::onFirst(uint32_t length, std::span<const uint8_t> pl) {
  if (pl.empty()) {
    wellFormed_ = false;
    state_ = State::Done;
    return true;
  }
  uint8_t head = pl[0];
  if (head == p::kErrHeader) {
    readErr(pl);
    state_ = State::Done;
    return true;
  }
  if (shape_ == ReplyShape::StmtPrepare) {
    if (head != p::kOkHeader || pl.size() < 12) {
      wellFormed_ = false;
      state_ = State::Done;
      return true;
    }
    prepareColumns_ = u16(pl, 5);
    uint64_t params = u16(pl, 7);
    if (params > 0) {
      columnsLeft_ = params;
      state_ = State::PrepareParams;
    } else {
      afterPrepareParams();
    }
    return done();
  }
  if (head == p::kOkHeader || (head == p::kEofHeader && length < 9)) {
    readOk(length, pl);
    return finishWith(statusFlags_);
  }
  if (shape_ != ReplyShape::ResultSets || head == p::kLocalInfileHeader) {
    // LOCAL INFILE is not offered to servers; anything else here is a protocol violation.
    wellFormed_ = false;
    state_ = State::Done;
    return true;
  }
  size_t pos = 0;
  uint64_t count = 0;
  if (!lenenc(pl, pos, count) || count == 0) {
    wellFormed_ = false;
    state_ = State::Done;
    return true;
  }
  columnsLeft_ = count;
  state_ = State::Columns;
  return false;
}

bool ReplyTracker::onPacket(uint32_t length, std::span<const uint8_t> pl) {
  if (continuation_) {
    // The tail of a logical packet of 16 MiB or more: not a packet of its own.
    continuation_ = length == kFullChunk;
    return false;
  }
  continuation_ = length == kFullChunk;
  lastLength_ = length;
  switch (state_) {
    case State::Done:
      wellFormed_ = false;  // the server sent more than the reply
      return true;
    case State::First:
      return onFirst(length, pl);
    case State::Single:
      state_ = State::Done;
      return true;
    case State::Columns:
      if (shape_ == ReplyShape::FieldList) {
        if (!pl.empty() && pl[0] == p::kErrHeader) {
          readErr(pl);
          state_ = State::Done;
          return true;
        }
        if (isTerminator(length, pl)) {
          return onTerminator(length, pl);
        }
        return false;
      }
      if (--columnsLeft_ == 0) {
        afterColumns();
      }
      return false;
    case State::ColumnsEof:
      if (!isTerminator(length, pl)) {
        wellFormed_ = false;
      }
      readEof(pl);
      if ((statusFlags_ & p::kServerStatusCursorExists) != 0) {
        state_ = State::Done;  // rows come later with COM_STMT_FETCH
        return true;
      }
      state_ = State::Rows;
      return false;
    case State::Rows:
      if (!pl.empty() && pl[0] == p::kErrHeader) {
        readErr(pl);
        state_ = State::Done;
        return true;
      }
      if (isTerminator(length, pl)) {
        return onTerminator(length, pl);
      }
      ++rows_;
      return false;
    case State::PrepareParams:
      if (--columnsLeft_ == 0) {
        if (deprecateEof_) {
          afterPrepareParams();
        } else {
          state_ = State::PrepareParamsEof;
        }
      }
      return done();
    case State::PrepareParamsEof:
      afterPrepareParams();
      return done();
    case State::PrepareColumns:
      if (--columnsLeft_ == 0) {
        state_ = deprecateEof_ ? State::Done : State::PrepareColumnsEof;
      }
      return done();
    case State::PrepareColumnsEof:
      state_ = State::Done;
      return true;
  }
  return true;
}

}  // namespace rwproxy::session
