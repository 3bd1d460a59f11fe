#include "child_process.hpp"

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <utility>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace snow::system {

namespace {

// Runs in the child between fork and exec: only async-signal-safe calls.
[[noreturn]] void exec_child(const std::vector<char *> &argv, const std::vector<char *> &envp,
                             int out, int err, int report, int control, int incoming,
                             int directory) {
  const int null = open("/dev/null", O_RDONLY);
  dup2(null, 0);
  dup2(out, 1);
  dup2(err, 2);
  // Lift both above the fixed numbers first, so one dup2 cannot clobber the other.
  control = fcntl(control, F_DUPFD, 10);
  directory = fcntl(directory, F_DUPFD, 10);
  if (incoming >= 0)
    incoming = fcntl(incoming, F_DUPFD, 10);
  dup2(control, ChildProcess::kControlFd); // dup2 clears close-on-exec on the copy
  dup2(directory, ChildProcess::kDirectoryFd);
  if (incoming >= 0)
    dup2(incoming, ChildProcess::kIncomingFd);
  setpgid(0, 0); // a ^C at snowd's terminal is not the program's
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  // Ignored until the runtime installs its handler: a checkpoint request that
  // arrives during start-up is lost (snowd repeats it), never fatal.
  signal(SIGUSR1, SIG_IGN);
  execvpe(argv[0], argv.data(), envp.data());
  const int error = errno;
  (void)!write(report, &error, sizeof error);
  _exit(127);
}

} // namespace

ChildProcess::ChildProcess(boost::asio::io_context &io, const SpawnRequest &request,
                           Callbacks callbacks)
    : callbacks_(std::move(callbacks)) {
  if (request.command.empty())
    throw std::runtime_error("nothing to run");
  int out[2], err[2], report[2], control[2], directory[2];
  if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC) || pipe2(report, O_CLOEXEC) ||
      socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, control) ||
      socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, directory))
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  std::vector<std::string> env_strings;
  for (char **e = environ; *e; ++e) {
    const std::string entry = *e;
    bool overridden = false;
    for (const std::string &extra : request.environment)
      overridden =
          overridden || entry.compare(0, extra.find('=') + 1, extra, 0, extra.find('=') + 1) == 0;
    if (!overridden)
      env_strings.push_back(entry);
  }
  for (const std::string &extra : request.environment)
    env_strings.push_back(extra);
  std::vector<char *> argv, envp;
  for (const std::string &a : request.command)
    argv.push_back(const_cast<char *>(a.c_str()));
  argv.push_back(nullptr);
  for (const std::string &e : env_strings)
    envp.push_back(const_cast<char *>(e.c_str()));
  envp.push_back(nullptr);

  pid_ = fork();
  if (pid_ < 0)
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid_ == 0)
    exec_child(argv, envp, out[1], err[1], report[1], control[1], request.incoming, directory[1]);
  close(out[1]);
  close(err[1]);
  close(report[1]);
  close(control[1]);
  close(directory[1]);
  int exec_error = 0;
  const bool failed = ::read(report[0], &exec_error, sizeof exec_error) == sizeof exec_error;
  close(report[0]);
  if (failed) {
    close(out[0]);
    close(err[0]);
    close(control[0]);
    close(directory[0]);
    waitpid(pid_, nullptr, 0);
    throw std::runtime_error("cannot execute '" + request.command[0] +
                             "': " + std::strerror(exec_error));
  }
  pipes_[0] = std::make_unique<boost::asio::posix::stream_descriptor>(io, out[0]);
  pipes_[1] = std::make_unique<boost::asio::posix::stream_descriptor>(io, err[0]);
  pipes_[2] = std::make_unique<boost::asio::posix::stream_descriptor>(io, control[0]);
  pipes_[3] = std::make_unique<boost::asio::posix::stream_descriptor>(io, directory[0]);
  for (int i = 0; i < 4; ++i)
    read(i);
}

ChildProcess::~ChildProcess() { *alive_ = false; }

void ChildProcess::read(int index) {
  pipes_[index]->async_read_some(
      boost::asio::buffer(buffers_[index]),
      [this, index, alive = alive_](boost::system::error_code ec, std::size_t n) {
        if (!*alive)
          return;
        const Stream stream = static_cast<Stream>(index);
        if (n > 0) {
          const std::string data(buffers_[index].data(), n);
          if (stream == Stream::Stdout) {
            callbacks_.on_output(stream, data);
          } else {
            std::string &line = partial_lines_[index];
            line += data;
            for (std::size_t nl; (nl = line.find('\n')) != std::string::npos;) {
              // A notice or directory line is one line without its newline; stderr keeps it.
              callbacks_.on_output(stream, line.substr(0, stream == Stream::Stderr ? nl + 1 : nl));
              line.erase(0, nl + 1);
            }
          }
        }
        if (!ec)
          return read(index);
        if (stream == Stream::Stderr && !partial_lines_[index].empty())
          callbacks_.on_output(stream, partial_lines_[index]);
        partial_lines_[index].clear();
        --open_pipes_;
        maybe_end();
      });
}

void ChildProcess::request(const std::string &line) {
  if (reaped_ || !pipes_[2])
    return;
  const std::string text = line + "\n";
  boost::system::error_code ignored;
  boost::asio::write(*pipes_[2], boost::asio::buffer(text), ignored);
}

void ChildProcess::directory(const std::string &line) {
  if (reaped_ || !pipes_[3])
    return;
  const std::string text = line + "\n";
  boost::system::error_code ignored;
  boost::asio::write(*pipes_[3], boost::asio::buffer(text), ignored);
}

std::size_t ChildProcess::unread_output() const {
  std::size_t total = 0;
  for (int i : {0, 1}) {
    int n = 0;
    if (pipes_[i] && pipes_[i]->is_open() && ioctl(pipes_[i]->native_handle(), FIONREAD, &n) == 0 && n > 0)
      total += static_cast<std::size_t>(n);
  }
  return total;
}

void ChildProcess::flush_partial_stderr() {
  std::string &line = partial_lines_[static_cast<int>(Stream::Stderr)];
  if (!line.empty())
    callbacks_.on_output(Stream::Stderr, std::exchange(line, std::string()));
}

void ChildProcess::reaped(int wait_status) {
  reaped_ = true;
  if (WIFEXITED(wait_status)) {
    end_.status = WEXITSTATUS(wait_status);
  } else {
    end_.status = -1;
    end_.signal = WTERMSIG(wait_status);
  }
  maybe_end();
}

void ChildProcess::maybe_end() {
  if (reaped_ && open_pipes_ == 0 && callbacks_.on_end) {
    auto on_end = std::move(callbacks_.on_end);
    callbacks_.on_end = nullptr;
    on_end(end_); // may destroy this
  }
}

void ChildProcess::signal(int number) {
  if (!reaped_)
    ::kill(pid_, number);
}

} // namespace snow::system
