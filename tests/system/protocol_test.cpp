// The API's message parsing and validation (runtime/system/src/protocol).
#include "protocol/commands.hpp"
#include "protocol/message.hpp"
#include "protocol/protocol_error.hpp"

#include <gtest/gtest.h>

using namespace snow::system;

namespace {

constexpr std::size_t kLimit = 1024;

std::string error_code(const std::string &text, std::size_t limit = kLimit) {
  try {
    parse_message(text, limit);
  } catch (const ProtocolError &e) {
    return e.code();
  }
  return "accepted";
}

TEST(ProtocolMessage, ParsesARequestWithItsArguments) {
  const Message m = parse_message(
      R"({"v":1,"id":7,"cmd":"migrate","args":{"process":3,"host":"s390x"}})", kLimit);
  EXPECT_EQ(m.kind, MessageKind::Request);
  EXPECT_EQ(m.id, Json(7));
  EXPECT_EQ(m.name, "migrate");
  EXPECT_EQ(m.body["process"], 3);
  EXPECT_EQ(m.body["host"], "s390x");
}

TEST(ProtocolMessage, ARequestWithoutArgsHasAnEmptyObject) {
  const Message m = parse_message(R"({"v":1,"id":"a","cmd":"list-hosts"})", kLimit);
  EXPECT_TRUE(m.body.is_object());
  EXPECT_TRUE(m.body.empty());
  EXPECT_EQ(m.id, Json("a"));
}

TEST(ProtocolMessage, RefusesWhatIsNotJson) {
  EXPECT_EQ(error_code("{not json"), "malformed-json");
  EXPECT_EQ(error_code(""), "malformed-json");
  EXPECT_EQ(error_code(R"({"v":1,"cmd":"list-hosts"} trailing)"), "malformed-json");
}

TEST(ProtocolMessage, RefusesDeepNestingBeforeParsing) {
  const std::string deep = R"({"v":1,"cmd":"run","args":{"program":"x","args":)" +
                           std::string(100, '[') + std::string(100, ']') + "}}";
  EXPECT_EQ(error_code(deep, 1 << 20), "malformed-json");
  // Brackets inside strings do not count.
  EXPECT_EQ(
      error_code(R"({"v":1,"cmd":"run","args":{"program":")" + std::string(100, '[') + R"("}})",
                 1 << 20),
      "accepted");
}

TEST(ProtocolMessage, RefusesAMessageOverTheLimit) {
  const std::string big =
      R"({"v":1,"cmd":"run","args":{"program":")" + std::string(2000, 'x') + R"("}})";
  EXPECT_EQ(error_code(big), "message-too-large");
  EXPECT_EQ(error_code(big, big.size()), "accepted");
}

TEST(ProtocolMessage, RefusesEnvelopesOfTheWrongShape) {
  EXPECT_EQ(error_code("[1,2]"), "invalid-message");
  EXPECT_EQ(error_code(R"({"cmd":"list-hosts"})"), "invalid-message"); // no version
  EXPECT_EQ(error_code(R"({"v":"1","cmd":"list-hosts"})"),
            "invalid-message"); // version not an integer
  EXPECT_EQ(error_code(R"({"v":2,"cmd":"list-hosts"})"), "unsupported-version");
  EXPECT_EQ(error_code(R"({"v":1})"), "invalid-message"); // neither cmd, ok nor event
  EXPECT_EQ(error_code(R"({"v":1,"cmd":"list-hosts","ok":true})"), "invalid-message");
  EXPECT_EQ(error_code(R"({"v":1,"cmd":7})"), "invalid-message");
  EXPECT_EQ(error_code(R"({"v":1,"id":[1],"cmd":"list-hosts"})"), "invalid-message");
  EXPECT_EQ(error_code(R"({"v":1,"cmd":"list-hosts","args":[]})"), "invalid-message");
  EXPECT_EQ(error_code(R"({"v":1,"id":1,"ok":false})"), "invalid-message"); // error without code
}

TEST(ProtocolMessage, RefusesUnknownCommands) {
  EXPECT_EQ(error_code(R"({"v":1,"cmd":"format-disk"})"), "unknown-command");
}

TEST(ProtocolMessage, ChecksEachCommandsArguments) {
  EXPECT_EQ(error_code(R"({"v":1,"cmd":"migrate","args":{"process":3}})"), "invalid-arguments");
  EXPECT_EQ(error_code(R"({"v":1,"cmd":"migrate","args":{"process":"3","host":"a"}})"),
            "invalid-arguments");
  EXPECT_EQ(error_code(R"({"v":1,"cmd":"migrate","args":{"process":3.5,"host":"a"}})"),
            "invalid-arguments");
  EXPECT_EQ(error_code(R"({"v":1,"cmd":"migrate","args":{"process":3,"host":"a","force":true}})"),
            "invalid-arguments");
  EXPECT_EQ(error_code(R"({"v":1,"cmd":"run","args":{"program":"p","args":["a",1]}})"),
            "invalid-arguments");
  EXPECT_EQ(error_code(R"({"v":1,"cmd":"run","args":{"program":"p","args":["a","b"],"on":"h"}})"),
            "accepted");
  EXPECT_EQ(error_code(R"({"v":1,"cmd":"heartbeat","args":{"load":0.5,"processes":2}})"),
            "accepted");
  EXPECT_EQ(error_code(R"({"v":1,"cmd":"heartbeat","args":{"load":1,"processes":2}})"), "accepted");
}

TEST(ProtocolMessage, TheErrorNamesTheProblem) {
  try {
    parse_message(R"({"v":1,"cmd":"migrate","args":{"process":3}})", kLimit);
    FAIL() << "accepted";
  } catch (const ProtocolError &e) {
    EXPECT_NE(std::string(e.what()).find("'host'"), std::string::npos) << e.what();
  }
}

TEST(ProtocolMessage, ParsesRepliesAndEvents) {
  const Message ok = parse_message(make_reply(4, {{"pid", 10}}), kLimit);
  EXPECT_EQ(ok.kind, MessageKind::Reply);
  EXPECT_TRUE(ok.ok);
  EXPECT_EQ(ok.body["pid"], 10);
  const Message bad = parse_message(make_error(5, "no-such-host", "there is no host 'x'"), kLimit);
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.body["code"], "no-such-host");
  const Message event = parse_message(make_event("host-joined", 1.5, {{"host", "a"}}), kLimit);
  EXPECT_EQ(event.kind, MessageKind::Event);
  EXPECT_EQ(event.name, "host-joined");
  EXPECT_DOUBLE_EQ(event.time, 1.5);
}

TEST(ProtocolMessage, RequestsRoundTrip) {
  const std::string text = make_request(9, "kill", {{"process", 2}, {"signal", 9}});
  const Message m = parse_message(text, kLimit);
  EXPECT_EQ(m.name, "kill");
  EXPECT_EQ(m.body["signal"], 9);
  const Message notification = parse_message(
      make_request(nullptr, "output", {{"process", 1}, {"stream", "stdout"}, {"data", "x\n"}}),
      kLimit);
  EXPECT_TRUE(notification.id.is_null());
}

TEST(ProtocolMessage, OutputThatIsNotUtf8StillMakesAMessage) {
  const std::string text =
      make_request(nullptr, "output", {{"process", 1}, {"stream", "stdout"}, {"data", "\xff\xfe"}});
  EXPECT_EQ(parse_message(text, kLimit).name, "output");
}

TEST(ProtocolMessage, RecoversTheIdOfAnInvalidRequest) {
  EXPECT_EQ(recover_id(R"({"v":1,"id":12,"cmd":"nope"})"), Json(12));
  EXPECT_TRUE(recover_id("{broken").is_null());
}

TEST(ProtocolCommands, EveryClientCommandIsInTheTable) {
  for (const char *name : {"hello", "list-hosts", "list-processes", "run", "migrate", "checkpoint",
                           "restart", "kill", "subscribe"})
    EXPECT_NE(find_command(name), nullptr) << name;
  EXPECT_EQ(find_command("shutdown"), nullptr);
}

} // namespace
