// A process snowd started: its stdout and stderr read through pipes on the
// io_context, its exit status from SIGCHLD. It reports output in the order
// the process wrote each stream, and its end only after both pipes are
// drained, so nothing written before exit arrives after the exit report.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <array>
#include <functional>
#include <memory>
#include <string>
#include <sys/types.h>
#include <vector>

namespace snow::system {

struct SpawnRequest {
  std::vector<std::string> command;     // emulator prefix + executable + args
  std::vector<std::string> environment; // NAME=value, added to snowd's own
  // A descriptor the child gets as kIncomingFd (a live migration's listening
  // socket), or -1. The caller keeps its own copy and closes it.
  int incoming = -1;
};

struct ChildEnd {
  int status = 0; // exit status, or -1 when killed by a signal
  int signal = 0;
};

class ChildProcess {
public:
  // Every child has a control channel, a socket at kControlFd: requests go
  // to the runtime as lines (SNOW_CONTROL_FD), notices come back as lines
  // (SNOW_NOTICE_FD); see runtime/src/exec/startup.cpp.
  static constexpr int kControlFd = 3;
  static constexpr int kIncomingFd = 4;
  // The location directory of the message channels (SNOW_DIRECTORY_FD): the
  // runtime's look-ups and registrations go up as lines, answers come down.
  static constexpr int kDirectoryFd = 5;

  enum class Stream { Stdout, Stderr, Notice, Directory };
  struct Callbacks {
    // stderr, notices and directory lines: whole lines; a notice or directory line without its newline
    std::function<void(Stream, const std::string &data)> on_output;
    std::function<void(const ChildEnd &)> on_end;
  };

  // Starts it; throws std::runtime_error (e.g. the executable is missing).
  ChildProcess(boost::asio::io_context &io, const SpawnRequest &request, Callbacks callbacks);
  ~ChildProcess();
  pid_t pid() const { return pid_; }
  // SIGCHLD told us it is gone.
  void reaped(int wait_status);
  void signal(int number);
  // A request line on the control channel (best effort: a child that has
  // ended or closed it is not an error here).
  void request(const std::string &line);
  // A line on the directory channel (best effort, like request()).
  void directory(const std::string &line);
  // Bytes written to stdout and stderr that snowd has not read yet.
  std::size_t unread_output() const;
  // Hands on an incomplete last stderr line as it is (the process paused
  // without ending it).
  void flush_partial_stderr();

private:
  void read(int index);
  void maybe_end();

  pid_t pid_ = -1;
  Callbacks callbacks_;
  std::array<std::unique_ptr<boost::asio::posix::stream_descriptor>, 4> pipes_;
  std::array<std::array<char, 8192>, 4> buffers_{};
  std::array<std::string, 4> partial_lines_;
  int open_pipes_ = 4;
  bool reaped_ = false;
  ChildEnd end_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace snow::system
