// The API's messages (docs/protocol.md): every message is one JSON object in
// one WebSocket text frame, carrying the API version "v".
//
//   request  {"v":1, "id":7, "cmd":"run", "args":{…}}          client or host → scheduler,
//                                                             scheduler → host
//   reply    {"v":1, "id":7, "ok":true,  "result":{…}}
//            {"v":1, "id":7, "ok":false, "error":{"code":"…", "message":"…"}}
//   event    {"v":1, "event":"process-exited", "time":1.25, "data":{…}}
//
// A request without "id" is a notification: it gets no reply unless it fails.
// parse_message() checks the envelope and, for requests, the command's
// arguments against the command table (commands.cpp), so the code that acts
// on a request can read its arguments without re-checking them.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>

namespace snow::system {

using Json = nlohmann::json;

inline constexpr int kApiVersion = 1;
// Deeper nesting than this is refused before the JSON parser sees it.
inline constexpr int kMaxJsonDepth = 32;

enum class MessageKind { Request, Reply, Event };

struct Message {
  MessageKind kind = MessageKind::Request;
  Json id;          // null for notifications and events
  std::string name; // the command of a request, the event's name
  Json body;        // request: args; reply: result or error; event: data
  bool ok = true;   // replies only
  double time = 0;  // events only: seconds since the scheduler started
};

// Parses and validates one message of at most `limit` bytes. Throws
// ProtocolError with code message-too-large, malformed-json, invalid-message,
// unsupported-version, unknown-command or invalid-arguments.
Message parse_message(const std::string &text, std::size_t limit);

// The id of a text that failed to parse, if one can be recovered, so that the
// error reply still names the request it answers.
Json recover_id(const std::string &text);

std::string make_request(const Json &id, const std::string &command, const Json &args);
std::string make_reply(const Json &id, const Json &result);
std::string make_error(const Json &id, const std::string &code, const std::string &message);
std::string make_event(const std::string &name, double time_seconds, const Json &data);

} // namespace snow::system
