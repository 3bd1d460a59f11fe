// snow-launch: runs a group of N processes of a message-passing program on
// this machine, without the scheduler, and serves their location directory.
//
//   snow-launch -n N [--events FILE] [--] program [args…]
//   snow-launch --commands FILE [--events FILE]   (one command line per rank)
//
// Every rank gets SNOW_RANK, SNOW_SIZE, SNOW_GROUP and SNOW_DIRECTORY_FD (a
// socket to this launcher, which answers look-ups as the scheduler does, see
// docs/communication.md). The output of the ranks goes straight through.
// When a rank fails, the others are stopped (they would wait for it for
// ever); the exit status is the first failing rank's (128+n for signal n),
// else 0. `--commands` runs a different command per rank, e.g. the same
// program built for several platforms under their emulators.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <poll.h>
#include <set>
#include <sstream>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

[[noreturn]] void usage(const std::string &problem) {
  std::fprintf(stderr,
               "snow-launch: %s\n"
               "usage: snow-launch -n N [--events FILE] [--] program [args...]\n"
               "       snow-launch --commands FILE [--events FILE]\n",
               problem.c_str());
  std::exit(2);
}

struct Rank {
  pid_t pid = -1;
  int fd = -1;  // our end of its directory link
  std::string in;
  std::optional<std::string> location;  // "address port"
  bool migrating = false;
  bool gone = false;
  std::vector<int> waiting;  // ranks whose look-up of this one is not answered yet
};

std::vector<Rank> ranks;
std::FILE *events = nullptr;

void say(int to, const std::string &line) {
  if (ranks[to].fd < 0) return;
  const std::string text = line + "\n";
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = send(ranks[to].fd, text.data() + done, text.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

void answer(int target) {
  Rank &t = ranks[target];
  for (int asker : t.waiting)
    say(asker, t.gone ? "gone " + std::to_string(target) : "location " + std::to_string(target) + " " + *t.location);
  t.waiting.clear();
}

void handle(int from, const std::string &line) {
  std::istringstream words(line);
  std::string verb;
  words >> verb;
  int target = -1;
  if (verb == "event") {
    if (events) std::fprintf(events, "%d %s\n", from, line.c_str() + 6);
    return;
  }
  if (!(words >> target) || target < 0 || target >= static_cast<int>(ranks.size())) {
    std::fprintf(stderr, "snow-launch: rank %d sent a malformed directory line '%s'\n", from, line.c_str());
    return;
  }
  Rank &t = ranks[target];
  if (verb == "register") {
    std::string address;
    int port = 0;
    if (target != from || !(words >> address >> port)) {
      std::fprintf(stderr, "snow-launch: rank %d sent a malformed registration '%s'\n", from, line.c_str());
      return;
    }
    t.location = address + " " + std::to_string(port);
    t.migrating = false;
    answer(target);
  } else if (verb == "lookup") {
    t.waiting.push_back(from);
    if (t.gone || (t.location && !t.migrating)) answer(target);
  } else if (verb == "migrating") {
    t.migrating = true;
    say(from, "migrating-ok");
  } else if (verb == "staying") {
    t.migrating = false;
    if (t.location) answer(target);
  } else {
    std::fprintf(stderr, "snow-launch: rank %d sent an unknown directory line '%s'\n", from, line.c_str());
  }
}

std::vector<std::string> split(const std::string &line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

} // namespace

int main(int argc, char **argv) {
  int n = 0;
  std::string commands_file, events_file;
  int i = 1;
  for (; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-n" && i + 1 < argc) {
      char *end = nullptr;
      n = static_cast<int>(std::strtol(argv[++i], &end, 10));
      if (*end != '\0' || n < 1 || n > 4096) usage(std::string("-n wants a number of processes, not '") + argv[i] + "'");
    } else if (a == "--commands" && i + 1 < argc) {
      commands_file = argv[++i];
    } else if (a == "--events" && i + 1 < argc) {
      events_file = argv[++i];
    } else if (a == "--") {
      ++i;
      break;
    } else if (!a.empty() && a[0] == '-') {
      usage("unknown option '" + a + "'");
    } else {
      break;
    }
  }
  std::vector<std::vector<std::string>> commands;
  if (!commands_file.empty()) {
    std::ifstream in(commands_file);
    if (!in) usage("cannot read '" + commands_file + "'");
    for (std::string line; std::getline(in, line);)
      if (!split(line).empty()) commands.push_back(split(line));
    if (commands.empty()) usage("'" + commands_file + "' has no commands");
  } else {
    if (n == 0) usage("say how many processes with -n");
    if (i >= argc) usage("no program to run");
    commands.assign(static_cast<std::size_t>(n), std::vector<std::string>(argv + i, argv + argc));
  }
  if (!events_file.empty() && (events = std::fopen(events_file.c_str(), "w")) == nullptr)
    usage("cannot write '" + events_file + "'");

  const int size = static_cast<int>(commands.size());
  ranks.resize(static_cast<std::size_t>(size));
  const std::string group = "launch-" + std::to_string(getpid());
  signal(SIGPIPE, SIG_IGN);
  for (int r = 0; r < size; ++r) {
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
      std::perror("snow-launch: socketpair");
      return 1;
    }
    const pid_t pid = fork();
    if (pid == 0) {
      const int fd = dup(pair[1]);  // without close-on-exec
      setenv("SNOW_RANK", std::to_string(r).c_str(), 1);
      setenv("SNOW_SIZE", std::to_string(size).c_str(), 1);
      setenv("SNOW_GROUP", group.c_str(), 1);
      setenv("SNOW_DIRECTORY_FD", std::to_string(fd).c_str(), 1);
      if (!events) setenv("SNOW_COMM_EVENTS", "0", 1);
      std::vector<char *> args;
      for (std::string &w : commands[static_cast<std::size_t>(r)]) args.push_back(&w[0]);
      args.push_back(nullptr);
      execvp(args[0], args.data());
      std::fprintf(stderr, "snow-launch: cannot run '%s': %s\n", args[0], std::strerror(errno));
      _exit(127);
    }
    close(pair[1]);
    ranks[static_cast<std::size_t>(r)].pid = pid;
    ranks[static_cast<std::size_t>(r)].fd = pair[0];
  }

  int status_out = 0, running = size;
  bool stopping = false;
  while (running > 0) {
    std::vector<pollfd> fds;
    std::vector<int> who;
    for (int r = 0; r < size; ++r)
      if (ranks[r].fd >= 0) {
        fds.push_back({ranks[r].fd, POLLIN, 0});
        who.push_back(r);
      }
    poll(fds.data(), fds.size(), 50);
    for (std::size_t k = 0; k < fds.size(); ++k) {
      if (fds[k].revents == 0) continue;
      Rank &rk = ranks[who[k]];
      char buffer[4096];
      const ssize_t got = recv(rk.fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (got <= 0) {
        if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
          close(rk.fd);
          rk.fd = -1;
        }
        continue;
      }
      rk.in.append(buffer, static_cast<std::size_t>(got));
      for (std::size_t nl; (nl = rk.in.find('\n')) != std::string::npos;) {
        const std::string line = rk.in.substr(0, nl);
        rk.in.erase(0, nl + 1);
        handle(who[k], line);
      }
    }
    int status = 0;
    for (pid_t pid; (pid = waitpid(-1, &status, WNOHANG)) > 0;) {
      for (int r = 0; r < size; ++r) {
        if (ranks[r].pid != pid) continue;
        ranks[r].pid = -1;
        ranks[r].gone = true;
        answer(r);
        --running;
        const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (code != 0 && status_out == 0) {
          status_out = code;
          if (!stopping && running > 0) {
            std::fprintf(stderr, "snow-launch: rank %d ended with status %d; stopping the other ranks\n", r, code);
            stopping = true;
            for (const Rank &other : ranks)
              if (other.pid > 0) kill(other.pid, SIGTERM);
          }
        }
      }
    }
  }
  if (events) std::fclose(events);
  return status_out;
}
