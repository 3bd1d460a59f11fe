#include "message.hpp"

#include "commands.hpp"
#include "protocol_error.hpp"

namespace snow::system {

namespace {

// The deepest nesting of arrays and objects in `text`, outside strings;
// stops counting once past `limit`.
int nesting_depth(const std::string &text, int limit) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (c == '[' || c == '{') {
      if (++depth > deepest)
        deepest = depth;
      if (deepest > limit)
        return deepest;
    } else if (c == ']' || c == '}')
      --depth;
  }
  return deepest;
}

bool valid_id(const Json &id) { return id.is_null() || id.is_number_integer() || id.is_string(); }

std::string dump(const Json &message) {
  // Output of programs is not always UTF-8; invalid bytes become U+FFFD
  // instead of failing the whole message.
  return message.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Message parse_request(const Json &object, Message message) {
  const Json &cmd = object["cmd"];
  if (!cmd.is_string())
    throw ProtocolError("invalid-message", "'cmd' must be a string");
  message.name = cmd.get<std::string>();
  const CommandSpec *spec = find_command(message.name);
  if (spec == nullptr)
    throw ProtocolError("unknown-command", "there is no command '" + message.name + "'");
  const auto args = object.find("args");
  message.body = args == object.end() ? Json::object() : *args;
  if (!message.body.is_object())
    throw ProtocolError("invalid-message", "'args' must be an object");
  check_arguments(*spec, message.body);
  return message;
}

} // namespace

Message parse_message(const std::string &text, std::size_t limit) {
  if (text.size() > limit)
    throw ProtocolError("message-too-large", "the message has " + std::to_string(text.size()) +
                                                 " bytes; the limit is " + std::to_string(limit));
  if (nesting_depth(text, kMaxJsonDepth) > kMaxJsonDepth)
    throw ProtocolError("malformed-json",
                        "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  Json object = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded())
    throw ProtocolError("malformed-json", "the message is not valid JSON");
  if (!object.is_object())
    throw ProtocolError("invalid-message", "a message must be a JSON object");
  const auto v = object.find("v");
  if (v == object.end() || !v->is_number_integer())
    throw ProtocolError("invalid-message", "the message has no integer API version 'v'");
  if (*v != kApiVersion)
    throw ProtocolError("unsupported-version", "API version " + v->dump() +
                                                   " is not supported; this is version " +
                                                   std::to_string(kApiVersion));
  Message message;
  if (object.contains("id"))
    message.id = object["id"];
  if (!valid_id(message.id))
    throw ProtocolError("invalid-message", "'id' must be an integer or a string");

  const int shapes = object.contains("cmd") + object.contains("ok") + object.contains("event");
  if (shapes != 1)
    throw ProtocolError("invalid-message", "a message has exactly one of 'cmd', 'ok' and 'event'");
  if (object.contains("cmd"))
    return parse_request(object, std::move(message));
  if (object.contains("ok")) {
    if (!object["ok"].is_boolean())
      throw ProtocolError("invalid-message", "'ok' must be true or false");
    message.kind = MessageKind::Reply;
    message.ok = object["ok"].get<bool>();
    const char *field = message.ok ? "result" : "error";
    message.body = object.contains(field) ? object[field] : Json::object();
    if (!message.ok && !(message.body.contains("code") && message.body.contains("message")))
      throw ProtocolError("invalid-message",
                          "an error reply needs 'error' with 'code' and 'message'");
    return message;
  }
  if (!object["event"].is_string())
    throw ProtocolError("invalid-message", "'event' must be a string");
  message.kind = MessageKind::Event;
  message.name = object["event"].get<std::string>();
  message.body = object.contains("data") ? object["data"] : Json::object();
  if (object.contains("time") && object["time"].is_number())
    message.time = object["time"].get<double>();
  return message;
}

Json recover_id(const std::string &text) {
  if (nesting_depth(text, kMaxJsonDepth) > kMaxJsonDepth)
    return nullptr;
  const Json object = Json::parse(text, nullptr, false);
  if (object.is_object() && object.contains("id") && valid_id(object["id"]))
    return object["id"];
  return nullptr;
}

std::string make_request(const Json &id, const std::string &command, const Json &args) {
  Json message = {{"v", kApiVersion}, {"cmd", command}, {"args", args}};
  if (!id.is_null())
    message["id"] = id;
  return dump(message);
}

std::string make_reply(const Json &id, const Json &result) {
  return dump({{"v", kApiVersion}, {"id", id}, {"ok", true}, {"result", result}});
}

std::string make_error(const Json &id, const std::string &code, const std::string &message) {
  return dump({{"v", kApiVersion},
               {"id", id},
               {"ok", false},
               {"error", {{"code", code}, {"message", message}}}});
}

std::string make_event(const std::string &name, double time_seconds, const Json &data) {
  return dump({{"v", kApiVersion}, {"event", name}, {"time", time_seconds}, {"data", data}});
}

} // namespace snow::system
