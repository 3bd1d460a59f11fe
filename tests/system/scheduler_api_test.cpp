// The scheduler's API against the real snow-scheduler and snowd binaries on
// loopback: authentication, malformed / oversized / unknown messages (each
// gets an error reply and the server stays up), and the migration refusals.
#include "common/state_dir.hpp"
#include "daemon_launch.hpp"
#include "common/token.hpp"
#include "net/blocking_client.hpp"
#include "protocol/protocol_error.hpp"
#include "scheduler/request_limiter.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace snow::system;

namespace {

constexpr std::size_t kLimit = 4096;

using test::start_daemon;

class SchedulerApi : public ::testing::Test {
protected:
  void SetUp() override {
    char dir[] = "/tmp/snow-api-test-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    state_ = dir;
    const std::string manifest = state_ + "/manifest.json";
    // linpack is built only for x86_64 here, whatever the build tree has.
    std::ofstream(manifest) << Json{{"version", 1},
                                    {"targets",
                                     {{{"name", "snow-migratable-linpack"},
                                       {"executables", {{"x86_64", SNOW_TEST_LINPACK}}}}}}}
                                   .dump();
    std::vector<std::string> command = {SNOW_SCHEDULER_EXE,    "--state-dir", state_,
                                        "--manifest",          manifest,      "--max-message-bytes",
                                        std::to_string(kLimit)};
    command.insert(command.end(), extra_args_.begin(), extra_args_.end());
    pids_.push_back(start_daemon(command, state_ + "/scheduler.log"));
    port_ = test::wait_for_scheduler_port(state_);
    ASSERT_NE(port_, 0) << "the scheduler did not start; see " << state_ << "/scheduler.log";
    token_ = read_token_file(token_path(state_));
  }

  void TearDown() override {
    for (auto it = pids_.rbegin(); it != pids_.rend(); ++it) {
      kill(*it, SIGTERM);
      waitpid(*it, nullptr, 0);
    }
    if (!HasFailure())
      std::system(("rm -rf " + state_).c_str());
  }

  void start_host(const std::string &name, const std::string &platform) {
    pids_.push_back(start_daemon({SNOWD_EXE, "--state-dir", state_, "--name", name, "--platform", platform,
                           "--emulator", ""},
                          state_ + "/snowd-" + name + ".log"));
  }

  void wait_for_hosts(BlockingClient &client, std::size_t count) {
    for (int i = 0; i < 200; ++i) {
      if (client.request("list-hosts")["hosts"].size() == count)
        return;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    FAIL() << count << " hosts did not register";
  }

  void connect(BlockingClient &client) {
    client.connect("127.0.0.1", port_);
    client.request("hello", {{"token", token_}, {"role", "client"}});
  }

  // Sends raw text and returns the reply as parsed JSON.
  Json exchange(BlockingClient &client, const std::string &text) {
    client.send_text(text);
    return Json::parse(client.read_text());
  }

  std::string code_of(const Json &reply) {
    return reply["ok"] == false ? reply["error"]["code"].get<std::string>() : "ok";
  }

  std::vector<std::string> extra_args_; // more scheduler options, set before SetUp
  std::string state_;
  std::string token_;
  unsigned short port_ = 0;
  std::vector<pid_t> pids_;
};

TEST_F(SchedulerApi, TheTokenFileIsPrivate) {
  struct stat info {};
  ASSERT_EQ(stat(token_path(state_).c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
  EXPECT_EQ(token_.size(), 64u);
}

TEST_F(SchedulerApi, ATokenFileOthersMayReadIsRefused) {
  const std::string copy = state_ + "/token-copy";
  write_token_file(copy, token_);
  EXPECT_EQ(read_token_file(copy), token_);
  ASSERT_EQ(chmod(copy.c_str(), 0640), 0); // a group may share it
  EXPECT_EQ(read_token_file(copy), token_);
  ASSERT_EQ(chmod(copy.c_str(), 0644), 0);
  try {
    read_token_file(copy);
    FAIL() << "a world-readable token file was accepted";
  } catch (const std::runtime_error &e) {
    EXPECT_EQ(std::string(e.what()),
              "the token file '" + copy +
                  "' has mode 0644: anyone who can read it may use the scheduler; chmod o-rwx it");
  }
}

TEST_F(SchedulerApi, ACommandWithoutHelloIsRefused) {
  BlockingClient client;
  client.connect("127.0.0.1", port_);
  const Json reply = exchange(client, R"({"v":1,"id":1,"cmd":"list-processes"})");
  EXPECT_EQ(code_of(reply), "unauthenticated");
  EXPECT_EQ(reply["id"], 1);
  EXPECT_THROW(client.read_text(), std::runtime_error); // and the connection is closed
}

TEST_F(SchedulerApi, AWrongTokenIsRefused) {
  BlockingClient client;
  client.connect("127.0.0.1", port_);
  std::string wrong = token_;
  wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
  EXPECT_EQ(
      code_of(exchange(client, make_request(1, "hello", {{"token", wrong}, {"role", "client"}}))),
      "bad-token");
  EXPECT_THROW(client.read_text(), std::runtime_error);
  BlockingClient empty;
  empty.connect("127.0.0.1", port_);
  EXPECT_EQ(code_of(exchange(empty, make_request(1, "hello", {{"token", ""}, {"role", "client"}}))),
            "bad-token");
}

TEST_F(SchedulerApi, BadMessagesGetErrorRepliesAndTheServerStaysUp) {
  BlockingClient client;
  connect(client);
  EXPECT_EQ(code_of(exchange(client, "{this is not json")), "malformed-json");
  EXPECT_EQ(code_of(exchange(client, "[" + std::string(5000, ' ') + "]")), "message-too-large");
  EXPECT_EQ(code_of(exchange(client, R"({"v":1,"id":3,"cmd":"reboot"})")), "unknown-command");
  EXPECT_EQ(code_of(exchange(client, R"({"v":9,"id":4,"cmd":"list-hosts"})")),
            "unsupported-version");
  const Json bad_args =
      exchange(client, R"({"v":1,"id":5,"cmd":"migrate","args":{"process":"one"}})");
  EXPECT_EQ(code_of(bad_args), "invalid-arguments");
  EXPECT_EQ(bad_args["id"], 5);
  EXPECT_EQ(code_of(exchange(client, R"({"v":1,"id":6,"cmd":"kill","args":{"process":99}})")),
            "no-such-process");
  // The same connection still works, and so does a new one.
  EXPECT_TRUE(client.request("list-processes")["processes"].empty());
  BlockingClient other;
  connect(other);
  EXPECT_TRUE(other.request("list-hosts")["hosts"].empty());
}

TEST_F(SchedulerApi, AMessageFarOverTheLimitClosesOnlyThatConnection) {
  BlockingClient client;
  connect(client);
  client.send_text(std::string(kLimit * 4 + 65536 + 1, 'x')); // past the hard limit
  EXPECT_THROW(client.read_text(), std::runtime_error);
  BlockingClient other;
  connect(other);
  EXPECT_TRUE(other.request("list-hosts")["hosts"].empty());
}

TEST_F(SchedulerApi, MigrationToAPlatformWithoutABuildIsRefused) {
  start_host("native", "x86_64");
  start_host("big", "s390x");
  BlockingClient client;
  connect(client);
  wait_for_hosts(client, 2);
  const long id = client
                      .request("run", {{"program", "linpack"},
                                       {"on", "native"},
                                       {"args", {"400", "400"}}})["process"]["id"]
                      .get<long>();
  try {
    client.request("migrate", {{"process", id}, {"host", "big"}});
    FAIL() << "the migration was accepted";
  } catch (const ProtocolError &e) {
    EXPECT_EQ(e.code(), "no-build-for-platform");
    EXPECT_NE(std::string(e.what()).find("s390x"), std::string::npos) << e.what();
  }
  EXPECT_THROW(client.request("run", {{"program", "linpack"}, {"on", "big"}}), ProtocolError);
  client.request("kill", {{"process", id}, {"signal", 9}});
}

TEST_F(SchedulerApi, ASecondMigrationOfAMigratingProcessIsRefused) {
  start_host("a", "x86_64");
  start_host("b", "x86_64");
  BlockingClient client;
  connect(client);
  wait_for_hosts(client, 2);
  const long id =
      client
          .request("run",
                   {{"program", "linpack"}, {"on", "a"}, {"args", {"400", "400"}}})["process"]["id"]
          .get<long>();
  // Both requests leave before any answer: the scheduler sees the second
  // while the first is in flight.
  client.send_text(make_request(100, "migrate", {{"process", id}, {"host", "b"}}));
  client.send_text(make_request(101, "migrate", {{"process", id}, {"host", "b"}}));
  Json first, second;
  while (first.is_null() || second.is_null()) {
    const Json message = Json::parse(client.read_text());
    if (message.value("id", Json()) == 100)
      first = message;
    if (message.value("id", Json()) == 101)
      second = message;
  }
  EXPECT_EQ(code_of(first), "ok");
  EXPECT_EQ(code_of(second), "already-migrating");
  // The first one completes.
  for (;;) {
    const Message event = client.next_event();
    if (event.name == "migration-failed")
      FAIL() << event.body.dump();
    if (event.name == "migration-done") {
      EXPECT_EQ(event.body["to"], "b");
      EXPECT_GT(event.body["bytes"].get<long>(), 0);
      break;
    }
  }
  const Json processes = client.request("list-processes")["processes"];
  EXPECT_EQ(processes[0]["host"], "b");
  EXPECT_EQ(processes[0]["migrations"], 1);
  // Where it already runs is no destination.
  try {
    client.request("migrate", {{"process", id}, {"host", "b"}});
    FAIL() << "a migration to the process's own host was accepted";
  } catch (const ProtocolError &e) {
    EXPECT_EQ(e.code(), "same-host");
  }
  client.request("kill", {{"process", id}, {"signal", 9}});
}

// A host that the test speaks for, message by message: it answers the
// scheduler's requests and sends reports in an order a real snowd produces
// only by chance, so a race becomes a deterministic case.
class ScriptedHost {
public:
  ScriptedHost(unsigned short port, const std::string &token, const std::string &name) {
    link_.connect("127.0.0.1", port);
    link_.send_text(make_request(1, "hello", {{"token", token},
                                              {"role", "host"},
                                              {"host", {{"name", name},
                                                        {"platform", "x86_64"},
                                                        {"byte_order", "little"},
                                                        {"word_size", 8},
                                                        {"cpus", 1},
                                                        {"emulator", Json::array()}}}}));
    const Message reply = parse_message(link_.read_text(), 1 << 20);
    EXPECT_TRUE(reply.ok) << reply.body.dump();
  }
  int socket() { return link_.native_handle(); }
  // The host's connection ends: to the scheduler, the host is lost.
  void close() { link_.close(); }
  // Waits for the scheduler's next request to this host, which must be `command`.
  Message expect(const std::string &command) {
    if (!queued_.empty()) {
      const Message m = queued_.front();
      queued_.pop_front();
      EXPECT_EQ(m.name, command) << m.body.dump();
      return m;
    }
    for (;;) {
      const Message m = parse_message(link_.read_text(), 1 << 20);
      if (m.kind != MessageKind::Request)
        continue; // the replies to our reports
      EXPECT_EQ(m.name, command) << m.body.dump();
      return m;
    }
  }
  void answer(const Message &request, const Json &result) {
    link_.send_text(make_reply(request.id, result));
  }
  // A report without an id, as snowd sends directory lines: not answered.
  void notify(const std::string &name, const Json &args) { link_.send_text(make_request(nullptr, name, args)); }
  // Sends a report and waits for the scheduler to have handled it (a
  // report with an id is answered), so that reports of two hosts reach it
  // in the order the test sends them.
  void report(const std::string &name, const Json &args) {
    const long id = next_id_++;
    link_.send_text(make_request(id, name, args));
    for (;;) {
      const Message m = parse_message(link_.read_text(), 1 << 20);
      if (m.kind == MessageKind::Reply && m.id == id) {
        EXPECT_TRUE(m.ok) << name << ": " << m.body.dump();
        return;
      }
      if (m.kind == MessageKind::Request)
        queued_.push_back(m); // for expect()
    }
  }

private:
  BlockingClient link_;
  std::deque<Message> queued_; // requests that came while waiting for a reply
  long next_id_ = 100;
};

// The destination may finish the program before the source's migrated-out
// reaches the scheduler (a short program, a slow source host). Its exit must
// wait for the migration to complete and for its own held output: before
// this was fixed, the early exit failed the migration and the output the
// destination had written was never shown.
// Ends the given connections if the test has not finished in time, so that
// a message that never comes fails the test (the blocked read throws)
// instead of hanging it.
class Watchdog {
public:
  Watchdog(std::vector<int> sockets, std::chrono::seconds limit)
      : thread_([this, sockets, limit] {
          std::unique_lock<std::mutex> lock(mutex_);
          if (done_changed_.wait_for(lock, limit, [this] { return done_; }))
            return;
          std::cerr << "watchdog: an awaited message did not come in " << limit.count()
                    << " s; ending the connections\n";
          for (int socket : sockets)
            shutdown(socket, SHUT_RDWR);
        }) {}
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
    }
    done_changed_.notify_one();
    thread_.join();
  }

private:
  std::mutex mutex_;
  std::condition_variable done_changed_;
  bool done_ = false;
  std::thread thread_;
};

// Scripted hosts send no heartbeats: the scheduler must not time them out.
class ScriptedCluster : public SchedulerApi {
protected:
  void SetUp() override {
    extra_args_ = {"--host-timeout", "600"};
    SchedulerApi::SetUp();
  }

  // Sends `run` and serves the spawn of each rank on the host named for it.
  Json run(BlockingClient &client, const Json &args, const std::vector<ScriptedHost *> &hosts) {
    client.send_text(make_request(500, "run", args));
    for (ScriptedHost *host : hosts)
      host->answer(host->expect("spawn"), {{"pid", 4242}});
    for (;;) {
      const Json message = Json::parse(client.read_text());
      if (message.value("id", Json()) == 500)
        return message["result"];
    }
  }

  // Starts a live migration and serves it until the destination has restored.
  long migrate_until_restored(BlockingClient &client, long process, ScriptedHost &source,
                              ScriptedHost &destination, const std::string &to) {
    client.send_text(make_request(501, "migrate", {{"process", process}, {"host", to}}));
    const Message prepare = destination.expect("prepare-incoming");
    const long migration = prepare.body["migration"].get<long>();
    destination.answer(prepare, {{"address", "127.0.0.1"}, {"port", 9}, {"pid", 4343}});
    source.answer(source.expect("migrate-out"), Json::object());
    destination.report("restored",
                       {{"process", process}, {"migration", migration}, {"restore_ms", 1.5}});
    return migration;
  }
};

TEST_F(ScriptedCluster, ADestinationThatEndsBeforeTheSourceHasLeftEndsAfterTheMigration) {
  ScriptedHost source(port_, token_, "a");
  ScriptedHost destination(port_, token_, "b");
  BlockingClient client;
  connect(client);
  wait_for_hosts(client, 2);
  const Watchdog watchdog({source.socket(), destination.socket(), client.native_handle()},
                          std::chrono::seconds(30));
  const long process =
      run(client, {{"program", "linpack"}, {"on", "a"}}, {&source})["process"]["id"].get<long>();
  const long migration = migrate_until_restored(client, process, source, destination, "b");
  // The source's last words are still on their way when the destination,
  // restored, runs the program to its end.
  destination.report("output", {{"process", process}, {"stream", "stdout"}, {"data", "tail\n"}});
  destination.report("exited", {{"process", process}, {"status", 0}});
  source.report("output", {{"process", process}, {"stream", "stdout"}, {"data", "head\n"}});
  source.report("migrated-out", {{"process", process},
                                 {"migration", migration},
                                 {"bytes", 1000},
                                 {"sent_ms", 2.0},
                                 {"restore_ms", 1.5}});
  std::vector<std::string> seen; // the events about the process, in order
  std::string output;
  for (;;) {
    const Message event = client.next_event();
    if (event.name == "migration-failed")
      FAIL() << "the migration failed: " << event.body.dump();
    if (event.name == "migration-done" || event.name == "process-exited")
      seen.push_back(event.name);
    if (event.name == "process-output") {
      seen.push_back("output");
      output += event.body["data"].get<std::string>();
    }
    if (event.name == "process-exited") {
      EXPECT_EQ(event.body["status"], 0);
      EXPECT_EQ(event.body["host"], "b");
      break;
    }
  }
  EXPECT_EQ(output, "head\ntail\n");
  EXPECT_EQ(seen, (std::vector<std::string>{"output", "migration-done", "output", "process-exited"}));
  const Json processes = client.request("list-processes")["processes"];
  EXPECT_EQ(processes[0]["state"], "exited");
  EXPECT_EQ(processes[0]["migrations"], 1);
}

// A migrated member's look-up is answered at its new host even when the
// old incarnation's last trace line reaches the scheduler after the new one
// has spoken. Before this was fixed the answer followed that late line to
// the old host, and the member waited for it for ever (system.channels.chaos
// hung: a restored rank stuck with its messages queued behind a look-up).
TEST_F(ScriptedCluster, ADirectoryAnswerGoesToTheNewIncarnationNotToTheSourceOfItsMigration) {
  ScriptedHost a(port_, token_, "a"), b(port_, token_, "b"), c(port_, token_, "c");
  BlockingClient client;
  connect(client);
  wait_for_hosts(client, 3);
  const Watchdog watchdog({a.socket(), b.socket(), c.socket(), client.native_handle()}, std::chrono::seconds(30));
  const Json group = run(client, {{"program", "linpack"}, {"ranks", 2}, {"hosts", {"a", "b"}}}, {&a, &b});
  const long moving = group["processes"][0]["id"].get<long>();
  const long other = group["processes"][1]["id"].get<long>();
  // Rank 1 migrates: look-ups of it wait for its registration.
  b.notify("directory", {{"process", other}, {"line", "migrating 1"}});
  EXPECT_EQ(b.expect("directory").body["line"], "migrating-ok");
  // Rank 0 migrates from a to c, and its new incarnation looks rank 1 up.
  migrate_until_restored(client, moving, a, c, "c");
  c.notify("directory", {{"process", moving}, {"line", "lookup 1"}});
  c.report("output", {{"process", moving}, {"stream", "stdout"}, {"data", ""}});  // handled in order
  // Then the old incarnation's last trace line (its drain) arrives from a.
  a.notify("directory", {{"process", moving}, {"line", "event drain 1 0 4.5 1000000"}});
  a.report("output", {{"process", moving}, {"stream", "stdout"}, {"data", ""}});
  // Rank 1 registers at its new place: the answer is for the new rank 0, on c.
  b.notify("directory", {{"process", other}, {"line", "register 1 127.0.0.1 5000"}});
  const Message answer = c.expect("directory");
  EXPECT_EQ(answer.body["process"], moving);
  EXPECT_EQ(answer.body["line"], "location 1 127.0.0.1 5000");
}

// A group restarts from its checkpoint because another member's host was
// lost, while one member is migrating and its destination has already
// restored. Past the commit that destination is the member: it is the copy
// to kill, and the source's late reports must not speak for the restarted
// member. Before this was fixed the kill went to the source and the
// destination ran on as an orphan.
TEST_F(ScriptedCluster, AGroupRestartKillsAMigratingMembersRestoredDestination) {
  ScriptedHost a(port_, token_, "a"), b(port_, token_, "b"), c(port_, token_, "c");
  BlockingClient client;
  connect(client);
  wait_for_hosts(client, 3);
  const Watchdog watchdog({a.socket(), c.socket(), client.native_handle()}, std::chrono::seconds(30));
  const Json group = run(client,
                         {{"program", "linpack"},
                          {"ranks", 2},
                          {"hosts", {"a", "b"}},
                          {"checkpoint_every", 3600}},
                         {&a, &b});
  const long moving = group["processes"][0]["id"].get<long>();
  const long other = group["processes"][1]["id"].get<long>();
  const long migration = migrate_until_restored(client, moving, a, c, "c");
  b.close(); // the other member's host is lost: the group restarts
  const Message kill = c.expect("kill");
  EXPECT_EQ(kill.body["process"], moving);
  c.answer(kill, Json::object());
  // The source commits and leaves meanwhile; its report is dropped.
  a.report("migrated-out",
           {{"process", moving}, {"migration", migration}, {"bytes", 1000}, {"sent_ms", 2.0}, {"restore_ms", 1.5}});
  c.report("exited", {{"process", moving}, {"status", -1}, {"signal", 9}});
  std::map<long, std::string> recovered_to;
  bool abandoned = false;
  while (recovered_to.size() < 2) {
    const Message event = client.next_event();
    if (event.name == "process-exited" || event.name == "migration-done")
      FAIL() << event.name << ": " << event.body.dump();
    if (event.name == "migration-failed") {
      EXPECT_NE(event.body["reason"].get<std::string>().find("group restarts"), std::string::npos)
          << event.body.dump();
      abandoned = true;
    }
    if (event.name == "process-recovered")
      recovered_to[event.body["process"].get<long>()] = event.body["to"].get<std::string>();
  }
  EXPECT_TRUE(abandoned);
  EXPECT_EQ(recovered_to.count(moving), 1u);
  EXPECT_EQ(recovered_to.count(other), 1u);
  std::map<std::string, ScriptedHost *> hosts = {{"a", &a}, {"c", &c}};
  for (const auto &[process, host] : recovered_to) {
    ASSERT_TRUE(hosts.count(host)) << "recovered to " << host;
    (void)process;
  }
  // The source, fenced, was told to kill its copy when it spoke.
  EXPECT_EQ(a.expect("kill").body["process"], moving);
  std::set<long> spawned;
  for (const auto &[process, host] : recovered_to) {
    (void)process;
    const Message spawn = hosts.at(host)->expect("spawn");
    spawned.insert(spawn.body["process"].get<long>());
    hosts.at(host)->answer(spawn, {{"pid", 5000}});
  }
  EXPECT_EQ(spawned, (std::set<long>{moving, other}));
}

} // namespace

// ---- the connection and request limits (scheduler/request_limiter.hpp) ----

class SchedulerLimits : public SchedulerApi {
protected:
  SchedulerLimits() {
    extra_args_ = {"--max-connections", "2", "--max-requests-per-second", "5",
                   "--request-burst",   "5"};
  }

  // A fake snowd: says hello as a host, then sends what the test gives it.
  void connect_host(BlockingClient &host) {
    host.connect("127.0.0.1", port_);
    host.request("hello", {{"token", token_},
                           {"role", "host"},
                           {"host",
                            {{"name", "fake"},
                             {"platform", "x86_64"},
                             {"byte_order", "little"},
                             {"word_size", 8},
                             {"cpus", 1},
                             {"emulator", Json::array()}}}});
  }
};

TEST_F(SchedulerLimits, AConnectionOverTheLimitIsToldWhyAndClosed) {
  BlockingClient first, second;
  connect(first);
  connect(second);
  BlockingClient third;
  third.connect("127.0.0.1", port_);
  const Json refusal = Json::parse(third.read_text());
  EXPECT_EQ(code_of(refusal), "too-many-connections");
  EXPECT_EQ(refusal["error"]["message"],
            "the scheduler serves at most 2 connections (--max-connections)");
  try {
    third.read_text();
    FAIL() << "the connection over the limit stayed open";
  } catch (const std::runtime_error &e) {
    EXPECT_NE(std::string(e.what()).find("too-many-connections: at most 2"), std::string::npos)
        << e.what();
  }
  // The two within the limit work on, and a closed one frees its place.
  EXPECT_TRUE(first.request("list-hosts")["hosts"].empty());
  second.close();
  bool admitted = false;
  for (int i = 0; i < 100 && !admitted; ++i) {
    BlockingClient again;
    again.connect("127.0.0.1", port_);
    const Json reply =
        exchange(again, make_request(1, "hello", {{"token", token_}, {"role", "client"}}));
    admitted = code_of(reply) == "ok";
    if (!admitted)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(admitted) << "the place of a closed connection was never given to a new one";
}

TEST_F(SchedulerLimits, RequestsOverTheRateAreRefusedAndTheConnectionStaysOpen) {
  BlockingClient client;
  connect(client); // the hello took one of the 5 tokens
  for (int id = 1; id <= 12; ++id)
    client.send_text(make_request(id, "list-hosts", Json::object()));
  int ok = 0, limited = 0;
  for (int i = 0; i < 12; ++i) {
    const Json reply = Json::parse(client.read_text());
    if (code_of(reply) == "ok") {
      ++ok;
      continue;
    }
    ASSERT_EQ(code_of(reply), "rate-limited") << reply.dump();
    EXPECT_EQ(reply["error"]["message"],
              "more than 5 requests per second "
              "(--max-requests-per-second, burst 5); this one was dropped");
    EXPECT_TRUE(reply["id"].is_number()) << "the refusal does not name the request it answers";
    ++limited;
  }
  EXPECT_GE(ok, 4); // the burst less the hello
  EXPECT_LE(ok, 8); // plus what refilled while the 12 arrived (a loaded machine is slow)
  EXPECT_EQ(ok + limited, 12);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_TRUE(client.request("list-hosts")["hosts"].empty()); // refilled: it works again
}

TEST_F(SchedulerLimits, AHostsReportsAreNotRateLimited) {
  BlockingClient host;
  connect_host(host);
  for (int i = 1; i <= 50; ++i) // ten times the burst, as a chatty process's output would be
    host.send_text(make_request(nullptr, "heartbeat", {{"load", i}, {"processes", 0}}));
  BlockingClient client;
  connect(client);
  double load = 0;
  for (int i = 0; i < 100 && load != 50; ++i) {
    const Json hosts = client.request("list-hosts")["hosts"];
    ASSERT_EQ(hosts.size(), 1u);
    load = hosts[0]["load"].get<double>();
    if (load != 50)
      std::this_thread::sleep_for(std::chrono::milliseconds(300)); // stay within the client's rate
  }
  EXPECT_EQ(load, 50) << "the host's last heartbeat never arrived";
}

TEST(RequestLimitOptions, ABadValueIsRefusedNamingTheOption) {
  RequestLimits limits;
  limits.set("--max-requests-per-second", "2.5");
  EXPECT_EQ(limits.requests_per_second, 2.5);
  for (const auto &[option, value] :
       std::vector<std::pair<std::string, std::string>>{{"--max-connections", "0"},
                                                        {"--max-connections", "1.5"},
                                                        {"--max-requests-per-second", "fast"},
                                                        {"--request-burst", "-3"},
                                                        {"--request-burst", "10x"}}) {
    try {
      limits.set(option, value);
      FAIL() << option << " " << value << " was accepted";
    } catch (const std::runtime_error &e) {
      EXPECT_NE(std::string(e.what()).find(option + " '" + value + "': give a"), std::string::npos)
          << e.what();
    }
  }
}
