// The C API of snow/comm.h over the process's Communicator, and the
// channels' part in migration (exec/channel_participant.hpp).
#include "comm/communicator.hpp"
#include "comm/datatype.hpp"
#include "exec/channel_participant.hpp"
#include "snow/exec.h"
#include "snow/comm.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>
#include <vector>

namespace snow::comm {
namespace {

// Misuse is a programming error the program cannot recover from (as in MPI's default).
[[noreturn]] void fail(const char *call, const std::string &what) {
  std::fflush(stdout);
  std::fprintf(stderr, "snow: %s: %s\n", call, what.c_str());
  std::_Exit(70);  // EX_SOFTWARE
}

std::unique_ptr<Communicator> &the_communicator() {
  static std::unique_ptr<Communicator> c;
  return c;
}

// A group member has a second thread, the channels' service thread, and a
// threaded program under qemu-i386 (the i686 hosts) must not handle signals:
// once a handler returns, its main thread has the last-created thread's TLS
// (pthread_self() is the service thread's, and the exit's join fails with
// EDEADLK). So the service thread watches snowd's control channel and arms
// the next poll-point itself, and SIGUSR1 is ignored (docs/fault-tolerance.md).
void watch_control_channel(Communicator &c) {
  if (c.size() > 1) c.watch_control(exec::watch_control_from_a_thread(), &snow_request_checkpoint);
}

void finish_at_exit() {
  if (the_communicator()) the_communicator()->finish();
}

Communicator &communicator(const char *call) {
  std::unique_ptr<Communicator> &c = the_communicator();
  if (!c) {
    try {
      c = std::make_unique<Communicator>(group_settings_from_environment());
      watch_control_channel(*c);
      c->start();
    } catch (const std::runtime_error &e) {
      fail(call, e.what());
    }
    std::atexit(finish_at_exit);
  }
  return *c;
}

// Reserved tags above SNOW_TAG_MAX keep collectives apart from user messages.
enum CollectiveTag : int {
  kBarrierTag = SNOW_TAG_MAX + 1,
  kBcastTag,
  kReduceTag,
};

void check_type(const char *call, int type) {
  if (!valid_datatype(type)) fail(call, "unknown datatype " + std::to_string(type));
}

void check_rank(const char *call, Communicator &c, int rank, const char *what, bool wildcard) {
  if ((wildcard && rank == SNOW_ANY_SOURCE) || (rank >= 0 && rank < c.size())) return;
  fail(call, std::string(what) + " rank " + std::to_string(rank) + " is not in the group of " + std::to_string(c.size()));
}

void check_count(const char *call, int count) {
  if (count < 0) fail(call, "negative count " + std::to_string(count));
  if (static_cast<long long>(count) * 8 > kMaxPayloadBytes)
    fail(call, "a message of " + std::to_string(count) + " elements exceeds the limit of " +
                   std::to_string(kMaxPayloadBytes) + " bytes");
}

// A message above the limit fails here, naming the limit, rather than as a
// receiver's refusal of the frame (every member of a group has the same limit).
void check_message_size(const char *call, Communicator &c, int count, int type) {
  const std::uint64_t bytes = static_cast<std::uint64_t>(count) * datatype_size(type);
  if (bytes > c.max_message_bytes())
    fail(call, "a message of " + std::to_string(count) + " " + datatype_name(type) + " (" + std::to_string(bytes) +
                   " bytes) exceeds the limit of " + std::to_string(c.max_message_bytes()) +
                   " bytes (SNOW_MAX_MESSAGE_BYTES)");
}

// Copies a received message into the program's buffer, converting it.
void unpack(const char *call, const Message &m, void *buf, int count, int type, snow_status *status) {
  if (m.datatype != type && m.datatype != SNOW_BYTE && type != SNOW_BYTE)
    fail(call, "a message of " + std::string(datatype_name(m.datatype)) + " from rank " + std::to_string(m.from) +
                   " (tag " + std::to_string(m.tag) + ") was received as " + datatype_name(type));
  if (m.count > static_cast<std::uint32_t>(count))
    fail(call, "a message of " + std::to_string(m.count) + " elements from rank " + std::to_string(m.from) +
                   " (tag " + std::to_string(m.tag) + ") does not fit the receive buffer of " + std::to_string(count));
  try {
    if (type == SNOW_BYTE || m.datatype == SNOW_BYTE)
      std::memcpy(buf, m.payload.data(), m.payload.size());
    else
      convert_payload(type, m.big_endian, m.element_size, reinterpret_cast<const unsigned char *>(m.payload.data()),
                      m.count, buf);
  } catch (const std::runtime_error &e) {
    fail(call, std::string("from rank ") + std::to_string(m.from) + ": " + e.what());
  }
  if (status) {
    status->source = m.from;
    status->tag = m.tag;
    status->count = static_cast<int>(m.count);
  }
}

// An outstanding non-blocking receive. Matched in the order posted.
struct PendingReceive {
  void *buf;
  int count;
  int type;
  int source;
  int tag;
};

struct Requests {
  std::map<int, PendingReceive> pending;  // ordered by id = order posted
  int next_id = 1;
};

Requests &requests() {
  static Requests r;
  return r;
}

// Completes request `id` if its message is there (earlier requests first, so
// that two wildcard receives complete in the order they were posted).
bool progress(const char *call, Communicator &c, int id, bool wait, snow_status *status) {
  Requests &r = requests();
  for (auto it = r.pending.begin(); it != r.pending.end();) {
    const bool target = it->first == id;
    const PendingReceive p = it->second;
    std::optional<Message> m;
    try {
      m = c.take(p.source, p.tag, target && wait);
    } catch (const std::runtime_error &e) {
      fail(call, e.what());
    }
    if (!m) {
      if (target) return false;
      ++it;
      continue;
    }
    unpack(call, *m, p.buf, p.count, p.type, target ? status : nullptr);
    it = r.pending.erase(it);
    if (target) return true;
  }
  return true;  // not pending: already complete
}

class Channels final : public exec::ChannelParticipant {
public:
  bool can_quiesce(std::string &why) override {
    if (requests().pending.empty()) return true;
    why = std::to_string(requests().pending.size()) + " non-blocking receive(s) outstanding";
    return false;
  }
  bool quiesce(std::string &why) override {
    if (!can_quiesce(why)) return false;
    if (the_communicator()) the_communicator()->quiesce();
    return true;
  }
  std::string encode() override { return the_communicator() ? the_communicator()->encode() : std::string(); }
  void resume_here() override {
    if (the_communicator()) the_communicator()->resume_here();
  }
  void moved() override {
    if (the_communicator()) the_communicator()->abandon();
  }
  void restore(const std::string &bytes) override {
    GroupSettings here;
    try {
      here = group_settings_from_environment();
    } catch (const std::runtime_error &) {
      here = GroupSettings{};  // SNOW_SIZE of this host's start is not ours: the section says
      const char *fd = std::getenv("SNOW_DIRECTORY_FD");
      if (fd) here.directory_fd = std::atoi(fd);
    }
    if (const char *fd = std::getenv("SNOW_DIRECTORY_FD")) here.directory_fd = std::atoi(fd);
    the_communicator() = Communicator::decode(bytes, here);
    std::atexit(finish_at_exit);
  }
  void start_after_restore() override {
    if (the_communicator()) {
      watch_control_channel(*the_communicator());
      the_communicator()->start();
    }
  }
};

Channels channels;
[[maybe_unused]] const bool registered = [] {
  exec::channel_participant() = &channels;
  return true;
}();

} // namespace
} // namespace snow::comm

using namespace snow::comm;

extern "C" {

int snow_comm_rank(void) { return communicator("snow_comm_rank").rank(); }
int snow_comm_size(void) { return communicator("snow_comm_size").size(); }

double snow_wtime(void) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void snow_send(const void *buf, int count, snow_datatype type, int dest, int tag) {
  Communicator &c = communicator("snow_send");
  check_type("snow_send", type);
  check_count("snow_send", count);
  check_rank("snow_send", c, dest, "destination", false);
  check_message_size("snow_send", c, count, type);
  if (tag < 0 || tag > SNOW_TAG_MAX) fail("snow_send", "tag " + std::to_string(tag) + " is outside 0..SNOW_TAG_MAX");
  c.send(dest, tag, type, buf, static_cast<std::uint32_t>(count));
}

void snow_recv(void *buf, int count, snow_datatype type, int source, int tag, snow_status *status) {
  Communicator &c = communicator("snow_recv");
  check_type("snow_recv", type);
  check_count("snow_recv", count);
  check_rank("snow_recv", c, source, "source", true);
  try {
    const Message m = *c.take(source, tag, true);
    unpack("snow_recv", m, buf, count, type, status);
  } catch (const std::runtime_error &e) {
    fail("snow_recv", e.what());
  }
}

void snow_isend(const void *buf, int count, snow_datatype type, int dest, int tag, snow_request *request) {
  snow_send(buf, count, type, dest, tag);
  if (request) *request = SNOW_REQUEST_NULL;  // complete: the data is copied
}

void snow_irecv(void *buf, int count, snow_datatype type, int source, int tag, snow_request *request) {
  Communicator &c = communicator("snow_irecv");
  check_type("snow_irecv", type);
  check_count("snow_irecv", count);
  check_rank("snow_irecv", c, source, "source", true);
  if (!request) fail("snow_irecv", "no request to fill in");
  Requests &r = requests();
  const int id = r.next_id++;
  if (r.next_id <= 0) r.next_id = 1;
  r.pending.emplace(id, PendingReceive{buf, count, type, source, tag});
  *request = id;
}

void snow_wait(snow_request *request, snow_status *status) {
  if (!request || *request == SNOW_REQUEST_NULL) return;
  progress("snow_wait", communicator("snow_wait"), *request, true, status);
  *request = SNOW_REQUEST_NULL;
}

void snow_waitall(int n, snow_request *requests_, snow_status *statuses) {
  for (int i = 0; i < n; ++i) snow_wait(&requests_[i], statuses ? &statuses[i] : nullptr);
}

void snow_test(snow_request *request, int *flag, snow_status *status) {
  if (!request || *request == SNOW_REQUEST_NULL) {
    if (flag) *flag = 1;
    return;
  }
  const bool done = progress("snow_test", communicator("snow_test"), *request, false, status);
  if (done) *request = SNOW_REQUEST_NULL;
  if (flag) *flag = done ? 1 : 0;
}

void snow_iprobe(int source, int tag, int *flag, snow_status *status) {
  Communicator &c = communicator("snow_iprobe");
  check_rank("snow_iprobe", c, source, "source", true);
  const std::optional<Message> m = c.peek(source, tag, false);
  if (flag) *flag = m ? 1 : 0;
  if (m && status) *status = snow_status{m->from, m->tag, static_cast<int>(m->count)};
}

void snow_probe(int source, int tag, snow_status *status) {
  Communicator &c = communicator("snow_probe");
  check_rank("snow_probe", c, source, "source", true);
  try {
    const Message m = *c.peek(source, tag, true);
    if (status) *status = snow_status{m.from, m.tag, static_cast<int>(m.count)};
  } catch (const std::runtime_error &e) {
    fail("snow_probe", e.what());
  }
}

// Collectives: linear through rank 0 (or the root), so a reduction combines
// in rank order and gives the same bits whatever the timing.
void snow_barrier(void) {
  Communicator &c = communicator("snow_barrier");
  if (c.size() == 1) return;
  char token = 0;
  if (c.rank() == 0) {
    for (int r = 1; r < c.size(); ++r) c.take(r, kBarrierTag, true);
    for (int r = 1; r < c.size(); ++r) c.send(r, kBarrierTag, SNOW_BYTE, &token, 1);
  } else {
    c.send(0, kBarrierTag, SNOW_BYTE, &token, 1);
    c.take(0, kBarrierTag, true);
  }
}

void snow_bcast(void *buf, int count, snow_datatype type, int root) {
  Communicator &c = communicator("snow_bcast");
  check_type("snow_bcast", type);
  check_count("snow_bcast", count);
  check_rank("snow_bcast", c, root, "root", false);
  check_message_size("snow_bcast", c, count, type);
  if (c.rank() == root) {
    for (int r = 0; r < c.size(); ++r)
      if (r != root) c.send(r, kBcastTag, type, buf, static_cast<std::uint32_t>(count));
  } else {
    unpack("snow_bcast", *c.take(root, kBcastTag, true), buf, count, type, nullptr);
  }
}

void snow_reduce(const void *send, void *recv, int count, snow_datatype type, snow_op op, int root) {
  Communicator &c = communicator("snow_reduce");
  check_type("snow_reduce", type);
  check_count("snow_reduce", count);
  check_rank("snow_reduce", c, root, "root", false);
  check_message_size("snow_reduce", c, count, type);
  if (!valid_op(op)) fail("snow_reduce", "unknown operator " + std::to_string(op));
  const std::size_t bytes = static_cast<std::size_t>(count) * datatype_size(type);
  if (c.rank() != root) {
    c.send(root, kReduceTag, type, send, static_cast<std::uint32_t>(count));
    return;
  }
  // acc = v0 op v1 op … op vN-1, left to right.
  std::vector<unsigned char> acc(bytes), part(bytes);
  for (int r = 0; r < c.size(); ++r) {
    if (r == root) std::memcpy(part.data(), send, bytes);
    else unpack("snow_reduce", *c.take(r, kReduceTag, true), part.data(), count, type, nullptr);
    if (r == 0) acc = part;
    else combine(op, type, acc.data(), part.data(), static_cast<std::size_t>(count));
  }
  std::memcpy(recv, acc.data(), bytes);
}

void snow_allreduce(const void *send, void *recv, int count, snow_datatype type, snow_op op) {
  snow_reduce(send, recv, count, type, op, 0);
  snow_bcast(recv, count, type, 0);
}

} // extern "C"
