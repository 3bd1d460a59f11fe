// Periodic checkpoints and the restart of processes whose host is lost,
// against the real snow-scheduler and snowd binaries on loopback (host
// platform only; the cross-platform case with NAS MG is
// host_failure_test.py). Each run's whole output, as its launcher receives
// it, must equal the program's unmigrated output byte for byte.
#include "common/state_dir.hpp"
#include "daemon_launch.hpp"
#include "common/token.hpp"
#include "net/blocking_client.hpp"
#include "protocol/protocol_error.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace snow::system;

namespace {

using test::start_daemon;

// The program's output run directly, without snowd or a scheduler.
std::string unmigrated_output(const std::vector<std::string> &args) {
  std::string command = SNOW_TEST_LINPACK;
  for (const std::string &a : args)
    command += " " + a;
  std::FILE *pipe = popen(command.c_str(), "r");
  std::string out;
  std::array<char, 4096> buffer{};
  for (std::size_t n; (n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0;)
    out.append(buffer.data(), n);
  EXPECT_EQ(pclose(pipe), 0);
  return out;
}

class FaultRecovery : public ::testing::Test {
protected:
  static constexpr double kHostTimeout = 3.0;

  void SetUp() override {
    char dir[] = "/tmp/snow-recovery-test-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    state_ = dir;
    const std::string manifest = state_ + "/manifest.json";
    std::ofstream(manifest) << Json{{"version", 1},
                                    {"targets",
                                     {{{"name", "snow-migratable-linpack"},
                                       {"executables", {{"x86_64", SNOW_TEST_LINPACK}}}}}}}
                                   .dump();
    scheduler_ = start_daemon({SNOW_SCHEDULER_EXE, "--state-dir", state_, "--manifest", manifest,
                        "--host-timeout", std::to_string(kHostTimeout)},
                       state_ + "/scheduler.log");
    port_ = test::wait_for_scheduler_port(state_);
    ASSERT_NE(port_, 0) << "the scheduler did not start; see " << state_ << "/scheduler.log";
    token_ = read_token_file(token_path(state_));
  }

  void TearDown() override {
    for (auto &[name, pid] : hosts_) {
      if (pid <= 0)
        continue;
      kill(pid, SIGCONT);
      kill(pid, SIGTERM);
      waitpid(pid, nullptr, 0);
    }
    kill(scheduler_, SIGTERM);
    waitpid(scheduler_, nullptr, 0);
    if (!HasFailure())
      std::system(("rm -rf " + state_).c_str());
  }

  void start_host(const std::string &name) {
    hosts_[name] = start_daemon({SNOWD_EXE, "--state-dir", state_, "--name", name, "--platform", "x86_64",
                          "--emulator", ""},
                         state_ + "/snowd-" + name + ".log");
  }

  void connect(BlockingClient &client, std::size_t hosts) {
    client.connect("127.0.0.1", port_);
    client.request("hello", {{"token", token_}, {"role", "client"}});
    for (int i = 0; i < 200; ++i) {
      if (client.request("list-hosts")["hosts"].size() == hosts)
        return;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    FAIL() << hosts << " hosts did not register";
  }

  static pid_t process_pid(BlockingClient &client, long id) {
    const Json listed = client.request("list-processes"); // kept: the loop reads into it
    for (const Json &p : listed["processes"])
      if (p["id"].get<long>() == id && p["state"] != "exited")
        return static_cast<pid_t>(p["pid"].get<long>());
    return -1;
  }

  // The host machine dies: snowd and the processes it runs, at once.
  void kill_host(const std::string &name, BlockingClient &client) {
    const Json listed = client.request("list-processes");
    for (const Json &p : listed["processes"])
      if (p["host"] == name && p["state"] != "exited" && p["pid"].get<long>() > 0)
        kill(static_cast<pid_t>(p["pid"].get<long>()), SIGKILL);
    kill(hosts_[name], SIGKILL);
    waitpid(hosts_[name], nullptr, 0);
    hosts_.erase(name);
  }

  struct Run {
    std::string stdout_text;
    int status = -1;
    std::string reason;
    std::vector<Json> recovered;
    int committed = 0;
    std::string lost_reason;
  };

  // Follows the process to its end; `at_commit(n)` runs at the n-th
  // committed checkpoint.
  Run follow(BlockingClient &client, long id, const std::function<void(int)> &at_commit = {}) {
    Run run;
    // A run that never ends fails the test instead of hanging it: the
    // watchdog shuts the connection, and next_event throws.
    std::mutex mutex;
    std::condition_variable done;
    bool finished = false;
    std::thread watchdog([&] {
      std::unique_lock<std::mutex> lock(mutex);
      if (!done.wait_for(lock, std::chrono::seconds(120), [&] { return finished; }))
        shutdown(client.native_handle(), SHUT_RDWR);
    });
    struct Stop {
      std::mutex &mutex;
      std::condition_variable &done;
      bool &finished;
      std::thread &watchdog;
      ~Stop() {
        {
          std::lock_guard<std::mutex> lock(mutex);
          finished = true;
        }
        done.notify_all();
        watchdog.join();
      }
    } stop{mutex, done, finished, watchdog};
    for (;;) {
      const Message event = client.next_event();
      const Json &d = event.body;
      if (event.name == "host-lost")
        run.lost_reason = d["reason"].get<std::string>();
      if (d.value("process", 0L) != id)
        continue;
      if (event.name == "process-output" && d["stream"] == "stdout")
        run.stdout_text += d["data"].get<std::string>();
      else if (event.name == "checkpoint-committed" && at_commit)
        at_commit(++run.committed);
      else if (event.name == "checkpoint-committed")
        ++run.committed;
      else if (event.name == "process-recovered")
        run.recovered.push_back(d);
      else if (event.name == "process-exited") {
        run.status = d["status"].get<int>();
        run.reason = d.value("reason", "");
        return run;
      }
    }
  }

  std::string state_, token_;
  unsigned short port_ = 0;
  pid_t scheduler_ = -1;
  std::map<std::string, pid_t> hosts_;
};

const std::vector<std::string> kArgs = {"300", "300"};

// The checkpoint files left in the scheduler's store.
std::vector<std::string> stored_checkpoints(const std::string &state) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto &entry : std::filesystem::directory_iterator(state + "/checkpoints", ec))
    files.push_back(entry.path().filename().string());
  return files;
}

TEST_F(FaultRecovery, PeriodicCheckpointsLeaveTheOutputUnchanged) {
  const std::string expected = unmigrated_output(kArgs);
  start_host("a");
  BlockingClient client;
  connect(client, 1);
  const long id = client
                      .request("run", {{"program", "linpack"}, {"args", kArgs}, {"checkpoint_every", 0.2}})
                          ["process"]["id"]
                      .get<long>();
  const Run run = follow(client, id);
  EXPECT_EQ(run.status, 0) << run.reason;
  EXPECT_GE(run.committed, 2) << "the run should have been checkpointed a few times";
  EXPECT_EQ(run.stdout_text, expected);
  EXPECT_TRUE(run.recovered.empty());
  // Once the process has ended nothing can restart it: its last snapshot goes.
  EXPECT_EQ(stored_checkpoints(state_), std::vector<std::string>{});
}

TEST_F(FaultRecovery, AProcessOfAKilledHostRestartsFromItsLatestCheckpoint) {
  const std::string expected = unmigrated_output(kArgs);
  start_host("a");
  start_host("b");
  BlockingClient client;
  connect(client, 2);
  const long id = client
                      .request("run", {{"program", "linpack"}, {"args", kArgs}, {"on", "a"},
                                       {"checkpoint_every", 0.2}})["process"]["id"]
                      .get<long>();
  const Run run = follow(client, id, [&](int committed) {
    if (committed == 2)
      kill_host("a", client);
  });
  EXPECT_EQ(run.status, 0) << run.reason;
  ASSERT_EQ(run.recovered.size(), 1u);
  EXPECT_EQ(run.recovered[0]["lost_host"], "a");
  EXPECT_EQ(run.recovered[0]["to"], "b");
  EXPECT_GE(run.recovered[0]["round"].get<long>(), 1);
  EXPECT_EQ(run.stdout_text, expected) << "output lost or repeated across the restart";
  const Json processes = client.request("list-processes")["processes"];
  EXPECT_EQ(processes[0]["restarts"], 1);
  EXPECT_EQ(stored_checkpoints(state_), std::vector<std::string>{});
}

TEST_F(FaultRecovery, AHostWhoseHeartbeatsStopIsLostAfterTheTimeout) {
  const std::string expected = unmigrated_output(kArgs);
  start_host("a");
  start_host("b");
  BlockingClient client;
  connect(client, 2);
  client.request("subscribe", {{"events", {"host-lost"}}}); // host events name no process
  const long id = client
                      .request("run", {{"program", "linpack"}, {"args", kArgs}, {"on", "a"},
                                       {"checkpoint_every", 0.2}})["process"]["id"]
                      .get<long>();
  pid_t frozen = -1;
  const Run run = follow(client, id, [&](int committed) {
    if (committed != 1)
      return;
    // A cut link: snowd and its process stop, no connection closes.
    frozen = process_pid(client, id);
    if (frozen <= 0 || hosts_["a"] <= 0)
      return; // never signal -1 or 0: that would stop every process
    kill(frozen, SIGSTOP);
    kill(hosts_["a"], SIGSTOP);
  });
  ASSERT_GT(frozen, 0) << "the process's pid was not found";
  kill(frozen, SIGCONT);
  kill(frozen, SIGKILL);
  EXPECT_EQ(run.status, 0) << run.reason;
  EXPECT_NE(run.lost_reason.find("no heartbeat"), std::string::npos) << run.lost_reason;
  ASSERT_EQ(run.recovered.size(), 1u);
  EXPECT_EQ(run.recovered[0]["to"], "b");
  EXPECT_EQ(run.stdout_text, expected);
}

TEST_F(FaultRecovery, AProcessWithoutCheckpointsIsReportedLostWithItsHost) {
  start_host("a");
  start_host("b");
  BlockingClient client;
  connect(client, 2);
  const long id = client.request("run", {{"program", "linpack"}, {"args", {"300", "400"}}, {"on", "a"}})
                      ["process"]["id"]
                      .get<long>();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  kill_host("a", client);
  const Run run = follow(client, id);
  EXPECT_EQ(run.status, -1);
  EXPECT_NE(run.reason.find("lost with its host 'a'"), std::string::npos) << run.reason;
  EXPECT_TRUE(run.recovered.empty());
}

TEST_F(FaultRecovery, ABadCheckpointIntervalIsRefused) {
  start_host("a");
  BlockingClient client;
  connect(client, 1);
  try {
    client.request("run", {{"program", "linpack"}, {"checkpoint_every", 0.01}});
    FAIL() << "an interval of 10 ms was accepted";
  } catch (const ProtocolError &e) {
    EXPECT_EQ(e.code(), "invalid-arguments");
    EXPECT_NE(std::string(e.what()).find("checkpoint_every"), std::string::npos);
  }
}

} // namespace
