#include "proxy/protocol/text_row.h"

#include <algorithm>

#include "proxy/protocol/constants.h"
#include "proxy/protocol/eof_packet.h"
#include "proxy/protocol/err_packet.h"
#include "proxy/protocol/ok_packet.h"
#include "proxy/protocol/packet.h"

namespace rwproxy::protocol {

namespace {

template <class Values>
void encodeValues(std::string& out, const Values& values) {
  Writer w(out);
  for (const auto& v : values) {
    if (v) {
      w.lenencString(*v);
    } else {
      w.u8(kLenencNull);
    }
  }
}

}  // namespace

void encodeTextRow(std::string& out, std::span<const TextValue> values) {
  encodeValues(out, values);
}

void encodeTextRow(std::string& out, std::span<const OwnedTextValue> values) {
  encodeValues(out, values);
}

Result<std::vector<TextValue>> decodeTextRow(Bytes payload, size_t columnCount) {
  Reader r(payload);
  std::vector<TextValue> values;
  values.reserve(columnCount);
  for (size_t i = 0; i < columnCount; ++i) {
    if (r.peek() == kLenencNull) {
      (void)r.u8();
      values.emplace_back();
      continue;
    }
    std::optional<std::string_view> v = r.lenencString();
    if (!v) return Error::malformed("text row value " + std::to_string(i));
    values.emplace_back(*v);
  }
  if (!r.empty()) return Error::malformed("text row has more values than columns");
  return values;
}

void encodeResultSetHead(std::string& out, uint8_t& seq,
                         std::span<const ColumnDefinition41> columns, uint32_t caps,
                         uint16_t statusFlags) {
  size_t at = beginPacket(out);
  Writer(out).lenencInt(columns.size());
  endPacket(out, at, seq);
  for (const ColumnDefinition41& c : columns) {
    at = beginPacket(out);
    c.encode(out);
    endPacket(out, at, seq);
  }
  if ((caps & kClientDeprecateEof) == 0) {
    at = beginPacket(out);
    EofPacket{0, statusFlags}.encode(out);
    endPacket(out, at, seq);
  }
}

void encodeTextRowPacket(std::string& out, uint8_t& seq, std::span<const TextValue> values) {
  size_t at = beginPacket(out);
  encodeTextRow(out, values);
  endPacket(out, at, seq);
}

void encodeResultSetEnd(std::string& out, uint8_t& seq, uint32_t caps, uint16_t statusFlags,
                        uint16_t warnings) {
  size_t at = beginPacket(out);
  if (caps & kClientDeprecateEof) {
    OkPacket ok;
    ok.header = kEofHeader;
    ok.statusFlags = statusFlags;
    ok.warnings = warnings;
    ok.encode(out, caps);
  } else {
    EofPacket{warnings, statusFlags}.encode(out);
  }
  endPacket(out, at, seq);
}

void encodeResultSet(std::string& out, uint8_t& seq, const TextResultSet& rs, uint32_t caps,
                     uint16_t statusFlags, uint16_t warnings) {
  encodeResultSetHead(out, seq, rs.columns, caps, statusFlags);
  for (const std::vector<OwnedTextValue>& row : rs.rows) {
    size_t at = beginPacket(out);
    encodeTextRow(out, row);
    endPacket(out, at, seq);
  }
  encodeResultSetEnd(out, seq, caps, statusFlags, warnings);
}

Result<bool> TextResultSetDecoder::onColumnCount(Bytes payload) {
  if (isOk(payload)) {
    Result<OkPacket> ok = OkPacket::decode(payload, caps_);
    if (!ok) return std::move(ok).error();
    statusFlags_ = ok->statusFlags;
    state_ = State::Done;
    return true;
  }
  if (!payload.empty() && payload[0] == kLocalInfileHeader) {
    return Error::unsupported("LOCAL INFILE request");
  }
  Reader r(payload);
  std::optional<uint64_t> count = r.lenencInt();
  if (!count || *count == 0 || !r.empty()) return Error::malformed("result set column count");
  // A column definition is at least 23 bytes, so no honest server sends more columns than
  // this; the cap keeps a hostile count from reserving memory up front.
  columnCount_ = *count;
  result_.columns.reserve(std::min<uint64_t>(columnCount_, 4096));
  state_ = State::Columns;
  return false;
}

Result<bool> TextResultSetDecoder::onRow(Bytes payload) {
  if (isEofOrOkAsEof(payload, caps_)) {
    if (caps_ & kClientDeprecateEof) {
      Result<OkPacket> ok = OkPacket::decode(payload, caps_);
      if (!ok) return std::move(ok).error();
      statusFlags_ = ok->statusFlags;
    } else {
      Result<EofPacket> eof = EofPacket::decode(payload);
      if (!eof) return std::move(eof).error();
      statusFlags_ = eof->statusFlags;
    }
    state_ = State::Done;
    return true;
  }
  Result<std::vector<TextValue>> row = decodeTextRow(payload, result_.columns.size());
  if (!row) return std::move(row).error();
  std::vector<OwnedTextValue>& owned = result_.rows.emplace_back();
  owned.reserve(row->size());
  for (const TextValue& v : *row) {
    if (v) {
      owned.emplace_back(std::string(*v));
    } else {
      owned.emplace_back();
    }
  }
  return false;
}

Result<bool> TextResultSetDecoder::feed(Bytes payload) {
  if (state_ != State::Done && isErr(payload)) {
    Result<ErrPacket> err = ErrPacket::decode(payload, caps_);
    if (!err) return std::move(err).error();
    state_ = State::Done;
    return err->toError();
  }
  switch (state_) {
    case State::ColumnCount:
      return onColumnCount(payload);
    case State::Columns: {
      Result<ColumnDefinition41> column = ColumnDefinition41::decode(payload);
      if (!column) return std::move(column).error();
      result_.columns.push_back(std::move(*column));
      if (result_.columns.size() == columnCount_) {
        state_ = (caps_ & kClientDeprecateEof) ? State::Rows : State::ColumnsEof;
      }
      return false;
    }
    case State::ColumnsEof: {
      Result<EofPacket> eof = EofPacket::decode(payload);
      if (!eof) return std::move(eof).error();
      state_ = State::Rows;
      return false;
    }
    case State::Rows:
      return onRow(payload);
    case State::Done:
      return Error::malformed("packet after the end of a result set");
  }
  return Error::malformed("result set decoder state");
}

}  // namespace rwproxy::protocol
