// One process's end of its group's message channels (docs/communication.md,
// docs/migration-protocol.md).
//
// The program's thread only queues what it sends and takes what has arrived;
// a service thread does all the channel work: it looks peers up in the
// location directory, connects, writes the send queues, reads every incoming
// connection into the received queue (in CONNECT order per sender), answers
// DISC with a MARKER, and REDIRECTs connections while this process migrates.
// So a send never waits for its receiver, and a process that migrates only
// needs its connected peers' service threads, never their programs.
#pragma once

#include "comm/frame.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace snow::comm {

// A message received and not yet consumed, still in its sender's representation.
struct Message {
  int from = 0;
  int tag = 0;
  std::uint8_t datatype = 0;
  std::uint8_t element_size = 0;
  bool big_endian = false;
  std::uint32_t count = 0;
  std::uint64_t seq = 0;
  std::string payload;
};

struct GroupSettings {
  int rank = 0;
  int size = 1;
  std::string group = "local";
  int directory_fd = -1;            // the location directory (snowd or snow-launch)
  std::string address = "127.0.0.1";  // where this process listens for channels
  bool events = true;               // message events up the directory link
  int timeout_ms = 60000;           // the longest a quiesce or an exit flush may take
  bool stats = false;               // SNOW_COMM_STATS=1: a summary line on stderr at exit
  std::uint32_t max_message_bytes = kMaxPayloadBytes;  // SNOW_MAX_MESSAGE_BYTES: sent and accepted
};

// From SNOW_RANK, SNOW_SIZE, SNOW_GROUP, SNOW_DIRECTORY_FD, SNOW_COMM_ADDRESS,
// SNOW_COMM_EVENTS, SNOW_MIGRATION_TIMEOUT and SNOW_MAX_MESSAGE_BYTES; throws std::runtime_error naming
// a malformed one.
GroupSettings group_settings_from_environment();
// SNOW_MAX_MESSAGE_BYTES (1 … kMaxPayloadBytes; default kMaxPayloadBytes);
// throws std::runtime_error naming a malformed value.
std::uint32_t max_message_bytes_from_environment();

class Communicator {
public:
  explicit Communicator(GroupSettings settings);
  std::uint32_t max_message_bytes() const { return settings_.max_message_bytes; }
  ~Communicator();
  Communicator(const Communicator &) = delete;
  Communicator &operator=(const Communicator &) = delete;

  // Listens, starts the service thread and registers the location.
  void start();
  // Before start(): the service thread watches `fd` (readable: a request
  // waits) and calls `announce`, at most every 200 ms while it stays
  // readable. For snowd's control channel (comm_api.cpp says why).
  void watch_control(int fd, void (*announce)());

  int rank() const { return settings_.rank; }
  int size() const { return settings_.size; }

  // Queues one message (the payload is copied); never waits for the receiver.
  void send(int to, int tag, int datatype, const void *data, std::uint32_t count);
  // The first received message from `from` with `tag` (wildcards -1; a
  // wildcard tag matches only user tags), removed from the queue; waits for
  // one when `wait`, else nullopt if there is none.
  std::optional<Message> take(int from, int tag, bool wait);
  // Like take, but leaves the message in the queue (its header only).
  std::optional<Message> peek(int from, int tag, bool wait);

  // Migration (docs/migration-protocol.md, "Migrating"): tell the directory,
  // end every outgoing connection with a MARKER, DISC every incoming one and
  // read them up to their MARKERs. Throws std::runtime_error (and resumes)
  // when that does not finish within the timeout.
  void quiesce();
  // The channels' state after quiesce: send queues, connection counters,
  // received-but-unconsumed messages; machine-independent bytes.
  std::string encode() const;
  // The migration failed: back to normal here.
  void resume_here();
  // A communicator from encode()'s bytes and this host's settings (rank,
  // size and group come from the bytes). Throws std::runtime_error when the
  // bytes are not a channels section.
  static std::unique_ptr<Communicator> decode(const std::string &bytes, GroupSettings here);

  // At exit: deliver every queued message and end every connection.
  void finish();
  // The state moved elsewhere (a checkpoint that exits): stop, deliver nothing.
  void abandon();

private:
  enum class OutState { Idle, LookingUp, Connecting, AwaitAccept, Open };
  struct OutFrame {
    std::string bytes;
    bool marker = false;
  };
  struct Peer {
    OutState state = OutState::Idle;
    int fd = -1;
    std::optional<std::pair<std::string, int>> location;
    std::deque<OutFrame> queue;
    std::size_t written = 0;  // of queue.front()
    std::uint64_t next_connection = 1;
    std::uint64_t next_seq = 1;
    bool gone = false;
    int failures = 0;
    std::chrono::steady_clock::time_point retry_at{};
    std::string in;  // bytes from the receiver (ACCEPT, REDIRECT, DISC)
    std::chrono::steady_clock::time_point lookup_sent{};   // the first ask, for the statistics
    std::chrono::steady_clock::time_point lookup_asked{};  // the latest ask
  };
  // A look-up unanswered this long is asked again: the directory holds its
  // answer while the peer migrates, but an answer sent to where this process
  // no longer is (a scheduler that routed it to a previous incarnation's
  // host) would otherwise leave the messages queued for ever.
  static constexpr std::chrono::seconds kLookupRepeat{2};
  // What SNOW_COMM_STATS reports: how long the program's sends took (they
  // never wait for a receiver) and how long look-ups took to be answered
  // (the shortest is a scheduler round trip; longer ones waited for a
  // migration to end, while the messages waited in the queue).
  struct Stats {
    std::uint64_t sends = 0;
    double longest_send_us = 0;
    std::uint64_t lookups = 0;
    double shortest_lookup_ms = 0;
    double longest_lookup_ms = 0;
  };
  enum class InState { AwaitConnect, Active, Done };
  struct Incoming {
    int fd = -1;
    InState state = InState::AwaitConnect;
    int from = -1;
    std::uint64_t connection = 0;
    std::string in;
    std::vector<Message> held;  // arrived before this connection's turn
    bool marker = false;
  };
  struct Source {
    std::uint64_t expected_connection = 1;
  };

  void serve();
  void handle_directory_line(const std::string &line);
  void read_directory();
  void accept_incoming();
  void read_incoming(Incoming &conn);
  void handle_incoming_frame(Incoming &conn, const FrameHeader &h, std::string payload);
  void deliver_in_order(int from);
  void read_peer(int rank, Peer &peer);
  void write_peer(int rank, Peer &peer);
  void start_connect(int rank, Peer &peer);
  void connection_failed(int rank, Peer &peer, const std::string &why);
  void end_connection(int rank, Peer &peer);
  void kick_idle_peers();
  void end_open_connections();
  bool drained() const;
  void directory_line(const std::string &line);
  void event(const std::string &line);
  void wake();
  void warn(const std::string &what) const;
  int poll_timeout_ms() const;

  GroupSettings settings_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Peer> peers_;
  std::vector<Source> sources_;
  std::vector<Incoming> incoming_;
  std::vector<int> lingering_;  // ended connections, read to EOF before closing
  std::deque<Message> received_;
  int listen_fd_ = -1;
  int wake_fds_[2] = {-1, -1};
  std::string directory_in_;
  std::mutex directory_mutex_;
  bool migrating_ = false;
  bool migrating_acknowledged_ = false;
  bool stopping_ = false;
  bool started_ = false;
  bool abandoned_ = false;
  std::thread service_;
  // The control channel from snowd, watched by the service thread in place
  // of SIGUSR1 (watch_control()); -1 when there is none.
  int control_fd_ = -1;
  void (*control_announce_)() = nullptr;
  std::chrono::steady_clock::time_point control_quiet_until_{};
  std::uint64_t drained_messages_ = 0;
  Stats stats_;
};

} // namespace snow::comm
