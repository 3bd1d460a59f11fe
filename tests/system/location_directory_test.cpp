// The scheduler's location directory of message-passing groups: when a
// look-up is answered, and what the event lines become.
#include "scheduler/location_directory.hpp"

#include <gtest/gtest.h>

namespace snow::system {
namespace {

using Replies = std::vector<LocationDirectory::Reply>;

std::vector<std::string> lines_to(const Replies &replies, long process) {
  std::vector<std::string> lines;
  for (const auto &r : replies)
    if (r.process == process)
      lines.push_back(r.line);
  return lines;
}

class Directory : public ::testing::Test {
protected:
  void SetUp() override {
    group = directory.create_group(3);
    for (int rank = 0; rank < 3; ++rank)
      directory.add_member(group, rank, 10 + rank);
  }
  LocationDirectory directory;
  long group = 0;
};

TEST_F(Directory, ALookUpBeforeTheRankRegistersIsAnsweredWhenItDoes) {
  EXPECT_TRUE(directory.on_line(10, "lookup 2").replies.empty());
  const auto outcome = directory.on_line(12, "register 2 10.77.1.12 40001");
  EXPECT_EQ(lines_to(outcome.replies, 10), std::vector<std::string>{"location 2 10.77.1.12 40001"});
  EXPECT_EQ(lines_to(directory.on_line(11, "lookup 2").replies, 11),
            std::vector<std::string>{"location 2 10.77.1.12 40001"});
}

TEST_F(Directory, AMigratingRanksLookUpsWaitForItsNewLocation) {
  directory.on_line(12, "register 2 10.77.1.12 40001");
  EXPECT_EQ(lines_to(directory.on_line(12, "migrating 2").replies, 12), std::vector<std::string>{"migrating-ok"});
  EXPECT_TRUE(directory.on_line(10, "lookup 2").replies.empty());
  EXPECT_TRUE(directory.on_line(11, "lookup 2").replies.empty());
  const auto outcome = directory.on_line(12, "register 2 10.77.1.13 40500");
  EXPECT_EQ(lines_to(outcome.replies, 10), std::vector<std::string>{"location 2 10.77.1.13 40500"});
  EXPECT_EQ(lines_to(outcome.replies, 11), std::vector<std::string>{"location 2 10.77.1.13 40500"});
}

// A sender whose answer is slow asks again every few seconds
// (Communicator::kLookupRepeat): it is answered once, not once per ask.
TEST_F(Directory, ALookUpAskedAgainIsAnsweredOnce) {
  directory.on_line(12, "register 2 10.77.1.12 40001");
  directory.on_line(12, "migrating 2");
  for (int ask = 0; ask < 3; ++ask) EXPECT_TRUE(directory.on_line(10, "lookup 2").replies.empty());
  EXPECT_EQ(lines_to(directory.on_line(12, "register 2 10.77.1.13 40500").replies, 10),
            std::vector<std::string>{"location 2 10.77.1.13 40500"});
}

TEST_F(Directory, AMigrationThatFailedAnswersWithTheOldLocation) {
  directory.on_line(12, "register 2 10.77.1.12 40001");
  directory.on_line(12, "migrating 2");
  directory.on_line(10, "lookup 2");
  EXPECT_EQ(lines_to(directory.on_line(12, "staying 2").replies, 10),
            std::vector<std::string>{"location 2 10.77.1.12 40001"});
}

TEST_F(Directory, AnEndedRankIsGone) {
  directory.on_line(10, "lookup 1");
  EXPECT_EQ(lines_to(directory.on_exit(11), 10), std::vector<std::string>{"gone 1"});
  EXPECT_EQ(lines_to(directory.on_line(12, "lookup 1").replies, 12), std::vector<std::string>{"gone 1"});
}

TEST_F(Directory, EventLinesBecomeMessageEventsAtTheProcesssTime) {
  const auto sent = directory.on_line(10, "event sent 2 7 4096 15 1795680000500000");
  ASSERT_TRUE(sent.event);
  EXPECT_EQ(sent.event->name, "message-sent");
  EXPECT_EQ(sent.event->data["to_rank"], 2);
  EXPECT_EQ(sent.event->data["to_process"], 12);
  EXPECT_EQ(sent.event->data["bytes"], 4096);
  EXPECT_EQ(sent.event->data["seq"], 15);
  EXPECT_DOUBLE_EQ(sent.event->unix_seconds, 1795680000.5);
  const auto received = directory.on_line(12, "event received 0 7 4096 15 2500 1795680000600000");
  ASSERT_TRUE(received.event);
  EXPECT_EQ(received.event->name, "message-received");
  EXPECT_EQ(received.event->data["from_process"], 10);
  EXPECT_DOUBLE_EQ(received.event->data["wait_ms"].get<double>(), 2.5);
  const auto drain = directory.on_line(11, "event drain 2 5 1.250 1795680001000000");
  ASSERT_TRUE(drain.event);
  EXPECT_EQ(drain.event->name, "channel-drain");
  EXPECT_EQ(drain.event->data["peers"], 2);
  const auto marker = directory.on_line(11, "event marker 2 1795680000900000");
  ASSERT_TRUE(marker.event);
  EXPECT_EQ(marker.event->name, "channel-marker");
  EXPECT_EQ(marker.event->data["peer_rank"], 2);
}

TEST_F(Directory, MalformedLinesAreNamedAndChangeNothing) {
  EXPECT_EQ(directory.on_line(10, "lookup 9").error, "malformed directory line 'lookup 9' (group of 3)");
  EXPECT_EQ(directory.on_line(10, "register 1 10.0.0.1 80").error,
            "malformed registration 'register 1 10.0.0.1 80' from rank 0");
  EXPECT_EQ(directory.on_line(10, "event sent x").error, "malformed event line 'event sent x'");
  EXPECT_NE(directory.on_line(99, "lookup 0").error.find("in no message-passing group"), std::string::npos);
  EXPECT_TRUE(directory.on_line(11, "lookup 1").replies.empty()) << "nobody registered rank 1";
}

} // namespace
} // namespace snow::system
