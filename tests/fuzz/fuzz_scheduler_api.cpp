// libFuzzer target for the scheduler's WebSocket API parser
// (runtime/system/src/protocol): the whole input is one text message, as a
// client, a host or anyone who connects may send it, through parse_message —
// the size limit, the JSON depth limit, the envelope, and the arguments of a
// request against the command table (commands.cpp).
//
// The outcome must be one of two, anything else (a crash, a sanitizer report,
// another exception, a timeout) is a finding:
//   - a ProtocolError with one of the documented codes and a message; the id
//     recover_id() finds for its error reply is null, an integer or a string;
//   - a Message that is what the code acting on it relies on: a request names
//     a command of the table and its arguments pass check_arguments, an error
//     reply has a code and a message, the id is null, an integer or a string;
//     and re-encoded with make_request / make_reply / make_event, it parses
//     to the same message (what the scheduler passes on is accepted at the
//     other end, unchanged).
#include "protocol/commands.hpp"
#include "protocol/message.hpp"
#include "protocol/protocol_error.hpp"

#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

using namespace snow::system;

namespace {

// Below the fuzzer's -max_len, so that message-too-large is reached too.
constexpr std::size_t kLimit = 3000;

const std::set<std::string> kCodes = {"message-too-large", "malformed-json",  "invalid-message",
                                      "unsupported-version", "unknown-command", "invalid-arguments"};

bool valid_id(const Json &id) { return id.is_null() || id.is_number_integer() || id.is_string(); }

void same(const Message &a, const Message &b) {
  if (a.kind != b.kind || a.id != b.id || a.name != b.name || a.body != b.body || a.ok != b.ok || a.time != b.time)
    std::abort();
}

void check_accepted(const Message &m) {
  if (!valid_id(m.id)) std::abort();
  const std::size_t any = std::string::npos;  // no limit for what the scheduler itself writes
  switch (m.kind) {
  case MessageKind::Request: {
    const CommandSpec *spec = find_command(m.name);
    if (spec == nullptr || !m.body.is_object()) std::abort();
    check_arguments(*spec, m.body);  // a ProtocolError here escapes: a finding
    same(m, parse_message(make_request(m.id, m.name, m.body), any));
    break;
  }
  case MessageKind::Reply:
    if (m.ok) {
      same(m, parse_message(make_reply(m.id, m.body), any));
    } else if (!m.body.contains("code") || !m.body.contains("message")) {
      std::abort();
    }
    break;
  case MessageKind::Event:
    same(m, parse_message(make_event(m.name, m.time, m.body), any));
    break;
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  const std::string text(reinterpret_cast<const char *>(data), size);
  Message m;
  try {
    m = parse_message(text, kLimit);
  } catch (const ProtocolError &e) {
    if (kCodes.count(e.code()) == 0 || std::string(e.what()).empty()) std::abort();
    if (!valid_id(recover_id(text))) std::abort();
    return 0;
  }
  check_accepted(m);
  return 0;
}
