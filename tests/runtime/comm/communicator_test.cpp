// Two ranks of a group inside one test process, with a small location
// directory, so that the protocol itself — connection, order, DISC/MARKER,
// REDIRECT, the channels section — is checked on every platform.
#include "comm/communicator.hpp"
#include "snow/comm.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <poll.h>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace snow::comm {
namespace {

// What snowd and the scheduler (or snow-launch) do for a group, in one thread.
class TestDirectory {
public:
  explicit TestDirectory(int size) : ranks_(static_cast<std::size_t>(size)) {
    thread_ = std::thread([this] { serve(); });
  }
  ~TestDirectory() {
    stop_ = true;
    thread_.join();
    for (auto &[fd, rank] : links_) close(fd);
  }
  // A new directory link for (a new incarnation of) `rank`: the process's end.
  int link(int rank) {
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0) throw std::runtime_error("socketpair");
    std::lock_guard<std::mutex> lock(mutex_);
    links_[pair[0]] = rank;
    return pair[1];
  }
  int migrating_seen() const { return migrating_seen_; }
  // The next `n` look-ups get no answer, as if it went to another host.
  void lose_answers(int n) { lost_answers_ = n; }
  int lookups_seen() const { return lookups_seen_; }

private:
  struct Rank {
    std::optional<std::string> location;
    bool migrating = false;
    std::vector<int> waiting;  // link fds
  };
  void say(int fd, const std::string &line) {
    const std::string text = line + "\n";
    if (::send(fd, text.data(), text.size(), MSG_NOSIGNAL) < 0) return;
  }
  void answer(int rank) {
    Rank &r = ranks_[static_cast<std::size_t>(rank)];
    for (int fd : r.waiting) say(fd, "location " + std::to_string(rank) + " " + *r.location);
    r.waiting.clear();
  }
  void handle(int fd, const std::string &line) {
    std::istringstream in(line);
    std::string verb;
    int rank = -1;
    in >> verb;
    if (verb == "event") return;
    in >> rank;
    Rank &r = ranks_.at(static_cast<std::size_t>(rank));
    if (verb == "register") {
      std::string address, port;
      in >> address >> port;
      r.location = address + " " + port;
      r.migrating = false;
      answer(rank);
    } else if (verb == "lookup") {
      ++lookups_seen_;
      if (lost_answers_ > 0) {
        --lost_answers_;
        return;
      }
      r.waiting.push_back(fd);
      if (r.location && !r.migrating) answer(rank);
    } else if (verb == "migrating") {
      r.migrating = true;
      ++migrating_seen_;
      say(fd, "migrating-ok");
    } else if (verb == "staying") {
      r.migrating = false;
      answer(rank);
    }
  }
  void serve() {
    std::map<int, std::string> buffers;
    while (!stop_) {
      std::vector<pollfd> fds;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        for (auto &[fd, rank] : links_) fds.push_back({fd, POLLIN, 0});
      }
      ::poll(fds.data(), fds.size(), 20);
      for (const pollfd &p : fds) {
        if (!(p.revents & POLLIN)) continue;
        char buffer[4096];
        const ssize_t n = ::recv(p.fd, buffer, sizeof buffer, MSG_DONTWAIT);
        if (n <= 0) continue;
        std::string &b = buffers[p.fd];
        b.append(buffer, static_cast<std::size_t>(n));
        for (std::size_t nl; (nl = b.find('\n')) != std::string::npos;) {
          const std::string line = b.substr(0, nl);
          b.erase(0, nl + 1);
          handle(p.fd, line);
        }
      }
    }
  }
  std::vector<Rank> ranks_;
  std::map<int, int> links_;
  std::mutex mutex_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> migrating_seen_{0};
  std::atomic<int> lost_answers_{0};
  std::atomic<int> lookups_seen_{0};
};

GroupSettings settings(int rank, int directory_fd) {
  GroupSettings s;
  s.rank = rank;
  s.size = 2;
  s.group = "test";
  s.directory_fd = directory_fd;
  s.events = false;
  s.timeout_ms = 20000;
  return s;
}

void send_number(Communicator &c, int to, int tag, long value) { c.send(to, tag, SNOW_LONG, &value, 1); }

long number(const Message &m) {
  long v = 0;
  EXPECT_EQ(m.payload.size(), sizeof v);
  std::memcpy(&v, m.payload.data(), sizeof v);
  return v;
}

TEST(Communicator, MessagesBetweenTwoRanksArriveInOrder) {
  TestDirectory directory(2);
  Communicator a(settings(0, directory.link(0))), b(settings(1, directory.link(1)));
  a.start();
  b.start();
  for (long i = 0; i < 500; ++i) {
    send_number(a, 1, 1, i);
    send_number(b, 0, 2, 1000 + i);
  }
  for (long i = 0; i < 500; ++i) {
    EXPECT_EQ(number(*b.take(0, 1, true)), i);
    EXPECT_EQ(number(*a.take(SNOW_ANY_SOURCE, SNOW_ANY_TAG, true)), 1000 + i);
  }
  EXPECT_FALSE(a.take(1, 2, false));
}

// The answer to a look-up is lost (session 7's hang: the scheduler sent it
// to the host of a previous incarnation): the sender asks again and its
// queued messages go out.
TEST(Communicator, AnUnansweredLookUpIsAskedAgain) {
  TestDirectory directory(2);
  directory.lose_answers(1);
  Communicator a(settings(0, directory.link(0))), b(settings(1, directory.link(1)));
  a.start();
  b.start();
  for (long i = 0; i < 3; ++i) send_number(a, 1, 7, i);
  for (long i = 0; i < 3; ++i) EXPECT_EQ(number(*b.take(0, 7, true)), i);
  EXPECT_GE(directory.lookups_seen(), 2);
}

TEST(Communicator, ATagSelectsAmongQueuedMessagesWithoutReorderingTheRest) {
  TestDirectory directory(2);
  Communicator a(settings(0, directory.link(0))), b(settings(1, directory.link(1)));
  a.start();
  b.start();
  send_number(a, 1, 7, 1);
  send_number(a, 1, 8, 2);
  send_number(a, 1, 7, 3);
  EXPECT_EQ(number(*b.take(0, 8, true)), 2);
  EXPECT_EQ(number(*b.take(0, 7, true)), 1);
  EXPECT_EQ(number(*b.take(0, 7, true)), 3);
}

// Rank 1 migrates while rank 0 keeps sending from another thread: rank 1's
// new incarnation (decoded from the channels section) receives every
// message exactly once, in order, and its own queued messages go out.
TEST(Communicator, AMigratingReceiverLosesNothingWhileItsSenderKeepsSending) {
  TestDirectory directory(2);
  Communicator a(settings(0, directory.link(0)));
  auto b = std::make_unique<Communicator>(settings(1, directory.link(1)));
  a.start();
  b->start();
  constexpr long kMessages = 3000;
  std::thread sender([&] {
    for (long i = 0; i < kMessages; ++i) {
      send_number(a, 1, 1, i);
      if (i % 100 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  long next = 0;
  for (; next < 200; ++next) ASSERT_EQ(number(*b->take(0, 1, true)), next);
  send_number(*b, 0, 2, 42);  // queued or in flight when the migration starts
  b->quiesce();
  const std::string section = b->encode();
  b.reset();  // the old incarnation is gone
  b = Communicator::decode(section, settings(0, directory.link(1)));
  EXPECT_EQ(b->rank(), 1);
  b->start();
  for (; next < kMessages; ++next) ASSERT_EQ(number(*b->take(0, 1, true)), next) << "message " << next;
  sender.join();
  EXPECT_EQ(number(*a.take(1, 2, true)), 42);
  EXPECT_FALSE(b->take(0, 1, false));
  EXPECT_EQ(directory.migrating_seen(), 1);
}

// Both ranks migrate at once, each with messages to the other in flight.
TEST(Communicator, TwoConnectedRanksMigratingAtOnceLoseNothing) {
  TestDirectory directory(2);
  std::unique_ptr<Communicator> c[2] = {std::make_unique<Communicator>(settings(0, directory.link(0))),
                                        std::make_unique<Communicator>(settings(1, directory.link(1)))};
  c[0]->start();
  c[1]->start();
  for (long i = 0; i < 100; ++i)
    for (int r = 0; r < 2; ++r) send_number(*c[r], 1 - r, 1, i);
  std::string sections[2];
  std::thread other([&] {
    c[1]->quiesce();
    sections[1] = c[1]->encode();
  });
  c[0]->quiesce();
  sections[0] = c[0]->encode();
  other.join();
  for (int r = 0; r < 2; ++r) {
    c[r].reset();
  }
  for (int r = 0; r < 2; ++r) {
    c[r] = Communicator::decode(sections[r], settings(0, directory.link(r)));
    c[r]->start();
  }
  for (long i = 100; i < 200; ++i)
    for (int r = 0; r < 2; ++r) send_number(*c[r], 1 - r, 1, i);
  for (long i = 0; i < 200; ++i)
    for (int r = 0; r < 2; ++r) ASSERT_EQ(number(*c[r]->take(1 - r, 1, true)), i) << "rank " << r;
}

TEST(Communicator, AMangledChannelsSectionIsRefusedWithTheReason) {
  Communicator alone(GroupSettings{});
  const std::string section = alone.encode();
  try {
    Communicator::decode(section.substr(0, section.size() - 3), GroupSettings{});
    FAIL() << "a truncated section was accepted";
  } catch (const std::runtime_error &e) {
    EXPECT_STREQ(e.what(), "the channels section is truncated");
  }
  std::string other_version = section;
  other_version[7] = 9;
  try {
    Communicator::decode(other_version, GroupSettings{});
    FAIL() << "a section of another version was accepted";
  } catch (const std::runtime_error &e) {
    EXPECT_STREQ(e.what(), "the channels section has version 9, this runtime reads 1");
  }
}

TEST(Communicator, AloneAProcessReceivesWhatItSendsItself) {
  Communicator alone(GroupSettings{});
  alone.start();
  send_number(alone, 0, 5, 99);
  EXPECT_EQ(number(*alone.take(0, 5, true)), 99);
  EXPECT_THROW(alone.take(0, 5, true), std::runtime_error);  // would wait for ever
}

TEST(Communicator, ASendOverTheMessageLimitFailsAtTheSenderNamingTheLimit) {
  GroupSettings s;
  s.max_message_bytes = 16;
  Communicator alone(s);
  alone.start();
  const std::string bytes(17, 'x');
  alone.send(0, 1, SNOW_BYTE, bytes.data(), 16);
  EXPECT_EQ(alone.take(0, 1, true)->payload, bytes.substr(0, 16));
  try {
    alone.send(0, 1, SNOW_BYTE, bytes.data(), 17);
    FAIL() << "a 17-byte message went out under a 16-byte limit";
  } catch (const std::runtime_error &e) {
    EXPECT_STREQ(e.what(), "a message of 17 bytes exceeds the limit of 16 bytes (SNOW_MAX_MESSAGE_BYTES)");
  }
  EXPECT_FALSE(alone.take(0, 1, false));  // nothing was queued
}

// Restores the environment variable a test sets.
class ScopedEnv {
public:
  ScopedEnv(const char *name, const char *value) : name_(name) {
    if (const char *old = std::getenv(name)) old_ = old;
    setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_) setenv(name_, old_->c_str(), 1);
    else unsetenv(name_);
  }

private:
  const char *name_;
  std::optional<std::string> old_;
};

TEST(Communicator, TheMessageLimitComesFromTheEnvironmentAndABadOneIsNamed) {
  {
    ScopedEnv env("SNOW_MAX_MESSAGE_BYTES", "4096");
    EXPECT_EQ(max_message_bytes_from_environment(), 4096u);
    EXPECT_EQ(group_settings_from_environment().max_message_bytes, 4096u);
  }
  EXPECT_EQ(max_message_bytes_from_environment(), kMaxPayloadBytes);
  for (const char *bad : {"0", "lots", "2147483648"}) {
    ScopedEnv env("SNOW_MAX_MESSAGE_BYTES", bad);
    try {
      max_message_bytes_from_environment();
      FAIL() << "SNOW_MAX_MESSAGE_BYTES=" << bad << " was accepted";
    } catch (const std::runtime_error &e) {
      EXPECT_EQ(std::string(e.what()), std::string("SNOW_MAX_MESSAGE_BYTES is '") + bad +
                                           "'; give a number from 1 to " + std::to_string(kMaxPayloadBytes));
    }
  }
}

// Through the C API, a message over the limit ends the program with the
// error of every misuse (status 70), before any peer could refuse it.
TEST(CommApiDeathTest, SnowSendOverTheLimitEndsTheProgramNamingTheLimit) {
  EXPECT_EXIT(
      {
        setenv("SNOW_MAX_MESSAGE_BYTES", "16", 1);
        const char bytes[17] = {};
        snow_send(bytes, 17, SNOW_BYTE, 0, 1);
      },
      ::testing::ExitedWithCode(70),
      "snow: snow_send: a message of 17 SNOW_BYTE \\(17 bytes\\) exceeds the limit of 16 bytes "
      "\\(SNOW_MAX_MESSAGE_BYTES\\)");
}

} // namespace
} // namespace snow::comm
