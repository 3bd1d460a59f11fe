#include "execution_state.hpp"
#include "open_streams.hpp"
#include "channel_participant.hpp"
#include "coordinated_snapshot.hpp"

#include "msr/process_state.hpp"
#include "msr/state_encoder.hpp"
#include "msr/state_error.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>
#include <cerrno>
#include <cstring>
#include <optional>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <sys/stat.h>
#include <csignal>
#include <cstdint>
#include <cstdlib>

using namespace snow;
using msr::process_state;

extern "C" {
snow_frame *snow_top_frame = nullptr;
uint64_t snow_poll_count = 0;
volatile uint64_t snow_poll_trigger = UINT64_MAX;
int snow_resuming = 0;
}

namespace snow::exec {

namespace {
std::unique_ptr<RestartSession> restart;

msr::MemoryBlock frame_block(const snow_frame &frame, std::uint32_t depth) {
  const msr::Program &program = *process_state().program;
  const auto &views = program.resume_views(frame.function);
  if (frame.resume_point == 0 || frame.resume_point > views.size())
    fatal("frame " + std::to_string(depth) + " ('" + program.function_name(frame.function) +
          "') stands at resume point " + std::to_string(frame.resume_point) + ", which it does not have");
  msr::MemoryBlock b;
  b.base = reinterpret_cast<std::uintptr_t>(frame.locals);
  b.type = views[frame.resume_point - 1];
  b.bytes = program.types().at(b.type).size;
  b.origin = msr::wire::Origin::Stack;
  b.key = std::uint64_t{depth} << 32;
  b.name = program.function_name(frame.function).c_str();
  return b;
}
} // namespace

CheckpointSettings &checkpoint_settings() {
  static CheckpointSettings settings;
  return settings;
}

ChannelParticipant *&channel_participant() {
  static ChannelParticipant *participant = nullptr;
  return participant;
}

void fatal(const std::string &message) {
  if (restart && restart->link_fd >= 0) {
    // The source is waiting for a verdict: give it the reason, it carries on.
    try {
      MigrationLink(restart->link_fd).send_line("failed " + message);
    } catch (const std::runtime_error &) {
    }
    restart->link_fd = -1;
  }
  std::fflush(stdout);
  std::fprintf(stderr, "snow: %s\n", message.c_str());
  std::exit(70);  // EX_SOFTWARE
}

std::vector<snow_frame *> active_frames() {
  std::vector<snow_frame *> frames;
  for (snow_frame *f = snow_top_frame; f != nullptr; f = f->caller) frames.push_back(f);
  std::reverse(frames.begin(), frames.end());
  return frames;
}

void notice(const std::string &line) {
  const int fd = checkpoint_settings().notice_fd;
  if (fd < 0) return;
  const std::string text = line + "\n";
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n <= 0) return;  // best effort: a closed notice channel must not stop the program
    done += static_cast<std::size_t>(n);
  }
}

void encode_state(msr::ChunkSink &sink) {
  msr::ProcessState &state = process_state();
  const std::vector<snow_frame *> frames = active_frames();
  // Every frame's locals are registered before anything is collected, so a
  // pointer from the heap into any frame resolves.
  std::vector<msr::MemoryBlock> blocks;
  for (std::uint32_t depth = 0; depth < frames.size(); ++depth) {
    blocks.push_back(frame_block(*frames[depth], depth));
    state.registry.insert(blocks.back());
  }
  struct Unregister {
    std::vector<msr::MemoryBlock> &blocks;
    ~Unregister() {
      for (const msr::MemoryBlock &b : blocks) process_state().registry.erase(b.base);
    }
  } unregister{blocks};
  // The open files first: a restart reopens them before reading the state.
  const std::string streams = open_streams().describe_for_checkpoint();
  sink.write(reinterpret_cast<const unsigned char *>(streams.data()), streams.size());
  // Then the message channels, quiesced by the caller: they are running again
  // (and connected) before the frames resume.
  if (ChannelParticipant *channels = channel_participant()) {
    const std::string bytes = channels->encode();
    if (!bytes.empty()) {
      const std::string head = std::string(kChannelsSectionMagic) + " " + std::to_string(bytes.size()) + "\n";
      sink.write(reinterpret_cast<const unsigned char *>(head.data()), head.size());
      sink.write(reinterpret_cast<const unsigned char *>(bytes.data()), bytes.size());
    }
  }
  // The headed heap's blocks, into the registry for the collection only.
  const msr::HeadedBlocksInRegistry headed(state.heap, state.slabs, state.registry);
  msr::StateEncoder encoder(*state.program, state.registry, sink);
  for (const msr::GlobalInfo &g : state.program->globals()) encoder.add_root(g.address);
  for (std::uint32_t depth = 0; depth < frames.size(); ++depth) {
    encoder.add_frame(depth, frames[depth]->function, frames[depth]->resume_point);
    encoder.add_root(frames[depth]->locals);
  }
  encoder.finish();
}

bool write_checkpoint(const std::string &path) {
  const std::string temp = path + ".partial";
  std::FILE *file = std::fopen(temp.c_str(), "wb");
  if (!file) {
    msr::set_last_error("cannot create '" + temp + "'");
    return false;
  }
  bool ok = true;
  try {
    msr::FileSink sink(file);
    encode_state(sink);
  } catch (const std::runtime_error &e) {  // StateError, or an open file's position
    msr::set_last_error(e.what());
    ok = false;
  }
  if (std::fclose(file) != 0 && ok) {
    msr::set_last_error("writing '" + temp + "' failed");
    ok = false;
  }
  if (ok && std::rename(temp.c_str(), path.c_str()) != 0) {
    msr::set_last_error("cannot rename '" + temp + "' to '" + path + "'");
    ok = false;
  }
  if (!ok) std::remove(temp.c_str());
  return ok;
}

namespace {

// Sends the state stream down the migration's connection as the encoder
// fills each chunk: the destination restores chunk n while this side
// collects chunk n+1 (the socket buffers are the pipeline's stages).
class LinkSink final : public msr::ChunkSink {
public:
  explicit LinkSink(MigrationLink &link) : link_(link) {}
  void write(const unsigned char *data, std::size_t size) override {
    try {
      link_.send_all(data, size);
    } catch (const std::runtime_error &e) {
      throw msr::StateError(msr::StateErrorCode::Io, e.what());
    }
  }

private:
  MigrationLink &link_;
};

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

std::string fixed(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", v);
  return text;
}

}  // namespace

void migrate_to(const MigrationTarget &target) {
  const int timeout = checkpoint_settings().migration_timeout_ms;
  const auto started = std::chrono::steady_clock::now();
  std::uint64_t bytes = 0;
  try {
    MigrationLink link = MigrationLink::connect_to(target.host, target.port, timeout);
    link.send_line(kSourceHelloPrefix + target.secret);
    const std::string answer = link.read_line(timeout);
    if (answer != "accepted") throw std::runtime_error(link.peer() + " refused the state: " + answer);
    notice("migration-streaming " + link.peer());
    struct Counting final : msr::ChunkSink {
      msr::ChunkSink &next;
      std::uint64_t bytes = 0;
      explicit Counting(msr::ChunkSink &n) : next(n) {}
      void write(const unsigned char *d, std::size_t n) override {
        next.write(d, n);
        bytes += n;
      }
    };
    LinkSink link_sink(link);
    Counting sink(link_sink);
    encode_state(sink);
    bytes = sink.bytes;
    const double sent_ms = ms_since(started);
    notice("migration-sent " + std::to_string(bytes) + " " + fixed(sent_ms));
    const RestoreVerdict verdict = parse_restore_verdict(link.read_line(timeout));
    if (!verdict.restored) throw std::runtime_error("the destination did not restore the state: " + verdict.detail);
    link.send_line("commit");
    // Committed: the process lives on at the destination from here.
    notice("migration-committed " + std::to_string(bytes) + " " + fixed(sent_ms) + " " + verdict.detail + " " +
           fixed(ms_since(started)));
    if (checkpoint_settings().verbose)
      std::fprintf(stderr, "snow: migrated to %s (%llu bytes) at poll-point %llu\n", link.peer().c_str(),
                   static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(snow_poll_count));
    std::fflush(nullptr);
    std::_Exit(0);  // no atexit handlers: the program has not ended, it moved
  } catch (const std::runtime_error &e) {
    msr::set_last_error(e.what());
    if (ChannelParticipant *channels = channel_participant()) channels->resume_here();
    std::fprintf(stderr, "snow: migration at poll-point %llu failed, the program continues here: %s\n",
                 static_cast<unsigned long long>(snow_poll_count), e.what());
    notice(std::string("migration-failed ") + e.what());
  }
}

namespace {
// A request that a poll-point could not serve yet (channels_quiesced).
std::string deferred_request;
} // namespace

namespace {
// What has been read from the control channel but not yet taken as a line.
std::string control_pending;

std::optional<std::string> take_pending_line() {
  const std::size_t nl = control_pending.find('\n');
  if (nl == std::string::npos) return std::nullopt;
  std::string line = control_pending.substr(0, nl);
  control_pending.erase(0, nl + 1);
  return line;
}
} // namespace

std::string take_control_request() {
  if (!deferred_request.empty()) return std::exchange(deferred_request, std::string());
  const int fd = checkpoint_settings().control_fd;
  if (fd < 0) return {};
  // Requests are single short lines written just before SIGUSR1; read what is
  // there without blocking, one line at a time.
  char buffer[512];
  for (;;) {
    const ssize_t n = recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n <= 0) break;
    control_pending.append(buffer, static_cast<std::size_t>(n));
  }
  return take_pending_line().value_or(std::string());
}

std::optional<std::string> wait_control_line(int timeout_ms) {
  const int fd = checkpoint_settings().control_fd;
  if (fd < 0) return std::nullopt;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    if (std::optional<std::string> line = take_pending_line()) return line;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;  // snowd's SIGUSR1 repeats
    if (ready <= 0) return std::nullopt;
    char buffer[512];
    const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return std::nullopt;  // snowd is gone
    control_pending.append(buffer, static_cast<std::size_t>(n));
  }
}

int watch_control_from_a_thread() {
  const int fd = checkpoint_settings().control_fd;
  if (fd >= 0) {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGUSR1, &ignore, nullptr);
  }
  return fd;
}

void defer_to_next_poll(const std::string &request) {
  deferred_request = request;
  snow_poll_trigger = snow_poll_count + 1;
}

RestartSession::~RestartSession() {
  decoder.reset();
  source.reset();
  if (file) std::fclose(file);
}

namespace {

// The channels section, if the state has one: "snow-channels 1 <bytes>\n"
// and the bytes. The state stream proper begins with 'S', the section with
// 's', and one character of look-ahead works on a socket too.
void restore_channels(std::FILE *in) {
  const int first = std::getc(in);
  if (first == EOF) return;
  std::ungetc(first, in);
  if (first != 's') return;
  char line[64];
  unsigned long long bytes = 0;
  const std::string magic = kChannelsSectionMagic;
  if (std::fgets(line, sizeof line, in) == nullptr || std::strncmp(line, magic.c_str(), magic.size()) != 0 ||
      std::sscanf(line + magic.size(), " %llu", &bytes) != 1 || bytes > (1ull << 34))
    throw std::runtime_error("the message-channels section has a malformed header");
  std::string section(static_cast<std::size_t>(bytes), '\0');
  if (bytes > 0 && std::fread(&section[0], 1, section.size(), in) != section.size())
    throw std::runtime_error("the message-channels section is truncated");
  ChannelParticipant *channels = channel_participant();
  if (channels == nullptr)
    throw std::runtime_error("the state carries message channels, but this program does not use the message library");
  channels->restore(section);
}

// Opens the decoder on `file` (positioned at the open-files section) and
// restores up to main's frame; `what` names the source in messages.
void start_restoring(std::FILE *file, const std::string &what) {
  restart->file = file;
  try {
    open_streams().reopen_from(restart->file);
    restore_channels(restart->file);
  } catch (const std::runtime_error &e) {
    fatal("cannot restart from " + what + ": " + e.what());
  }
  restart->source = std::make_unique<msr::FileSource>(restart->file);
  msr::ProcessState &state = process_state();
  msr::DecoderOptions options;
  options.stage_roots = false;  // outer frames run before the innermost is read
  options.source_ends_with_stream = restart->link_fd < 0;
  options.resolve_external = [](std::uint64_t key) { return reinterpret_cast<std::uintptr_t>(open_streams().at(key)); };
  restart->decoder = std::make_unique<msr::StateDecoder>(state.program.get(), state.registry, *restart->source, options);
  try {
    const msr::StreamInfo &info = restart->decoder->open();
    restart->decoder->restore_until_frame();
    if (checkpoint_settings().verbose)
      std::fprintf(stderr, "snow: restarting from %s (written on %s)\n", what.c_str(), info.source.name.c_str());
  } catch (const msr::StateError &e) {
    fatal("cannot restart from " + what + ": " + e.what());
  }
  snow_resuming = 1;
}

// The innermost frame is back. A live migration asks its source to commit
// before running on: until then the source may still continue instead.
void finish_restoring() {
  if (restart->link_fd >= 0) {
    MigrationLink link(restart->link_fd);
    restart->link_fd = -1;
    try {
      link.send_line("restored " + fixed(ms_since(restart->started)));
      const std::string answer = link.read_line(checkpoint_settings().migration_timeout_ms);
      if (answer != "commit") throw std::runtime_error("the source answered '" + answer + "' instead of committing");
    } catch (const std::runtime_error &e) {
      std::fflush(stdout);
      std::fprintf(stderr, "snow: the migration was not committed, this copy ends: %s\n", e.what());
      std::_Exit(kNoCommitStatus);
    }
  }
  // Committed: this is the process now, and its channels open here.
  if (ChannelParticipant *channels = channel_participant()) {
    try {
      channels->start_after_restore();
    } catch (const std::runtime_error &e) {
      fatal(std::string("cannot reopen the message channels: ") + e.what());
    }
  }
  notice("restored " + fixed(ms_since(restart->started)));
}

}  // namespace

void begin_restart(const std::string &path) {
  restart = std::make_unique<RestartSession>();
  restart->path = "'" + path + "'";
  std::FILE *file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) fatal("cannot open the checkpoint '" + path + "' named by SNOW_RESTART");
  start_restoring(file, restart->path);
}

void begin_incoming(int listen_fd, const std::string &secret) {
  restart = std::make_unique<RestartSession>();
  const int timeout = checkpoint_settings().migration_timeout_ms;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout);
  // Only the source holding the one-time secret may hand over a state;
  // anyone else is refused and the wait goes on.
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) fatal("no source brought the state within " + std::to_string(timeout / 1000) + " s");
    try {
      MigrationLink link = MigrationLink::accept_from(listen_fd, static_cast<int>(left.count()), timeout);
      const std::string hello = link.read_line(std::min<int>(timeout, 10000));
      const SourceHello check = check_source_hello(hello, secret);
      if (check != SourceHello::Accepted) {
        std::fprintf(stderr, "snow: refused a state stream from %s: %s\n", link.peer().c_str(),
                     check == SourceHello::WrongSecret ? "wrong migration secret" : "not a SnowMigrate source");
        try {
          link.send_line("refused wrong migration secret");
        } catch (const std::runtime_error &) {
        }
        continue;
      }
      link.send_line("accepted");
      close(listen_fd);
      restart->path = "the migration from " + link.peer();
      restart->started = std::chrono::steady_clock::now();
      notice("restore-accepted " + link.peer());
      const int reader = dup(link.fd());
      std::FILE *file = reader >= 0 ? fdopen(reader, "rb") : nullptr;
      if (file == nullptr) fatal("cannot read the migration's connection: " + std::string(std::strerror(errno)));
      restart->link_fd = link.release();
      start_restoring(file, restart->path);
      return;
    } catch (const std::runtime_error &e) {
      // A peer that connected and went away: keep waiting for the real source.
      std::fprintf(stderr, "snow: a connection to the waiting process failed: %s\n", e.what());
      if (std::string(e.what()).rfind("no source connected", 0) == 0)
        fatal("no source brought the state within " + std::to_string(timeout / 1000) + " s");
    }
  }
}

} // namespace snow::exec

using namespace snow::exec;

extern "C" {

void snow_request_checkpoint(void) { snow_poll_trigger = 0; }

namespace {

// Quiesces the message channels before the state is collected. False when
// that cannot happen at this poll-point (the request is kept for the next
// one) or failed (reported; the program carries on).
bool channels_quiesced(const std::string &request, const char *what) {
  ChannelParticipant *channels = channel_participant();
  if (channels == nullptr) return true;
  try {
    std::string why;
    if (channels->quiesce(why)) return true;
    if (checkpoint_settings().verbose)
      std::fprintf(stderr, "snow: %s waits for a later poll-point: %s\n", what, why.c_str());
    defer_to_next_poll(request.empty() ? "checkpoint" : request);
  } catch (const std::runtime_error &e) {
    std::fprintf(stderr, "snow: %s at poll-point %llu failed, the program continues here: %s\n", what,
                 static_cast<unsigned long long>(snow_poll_count), e.what());
    notice(std::string(std::strcmp(what, "migration") == 0 ? "migration-failed " : "checkpoint-failed ") + e.what());
  }
  return false;
}

// Whether the state can be collected here: every frame stands at the call
// or poll-point its resume point names. A frame at 0 has left its last call
// (snow_leave), so this poll-point was reached through a call the
// precompiler cannot see — a library function calling the program back, as
// qsort calls its comparator — and the frames cannot be resumed from here.
bool frames_stand_at_resume_points() {
  for (const snow_frame *f = snow_top_frame; f != nullptr; f = f->caller)
    if (f->resume_point == 0) return false;
  return true;
}

} // namespace

void snow_poll(void) {
  if (!frames_stand_at_resume_points()) {
    // The request stays (a control line stays unread): the next poll-point serves it.
    static bool told = false;
    if (checkpoint_settings().verbose && !told)
      std::fprintf(stderr, "snow: poll-point %llu was reached through a library call back into the program; "
                           "the request waits for a later poll-point\n",
                   static_cast<unsigned long long>(snow_poll_count));
    told = true;
    snow_poll_trigger = snow_poll_count + 1;
    return;
  }
  snow_poll_trigger = UINT64_MAX;  // this request is being served
  std::fflush(nullptr);           // output so far belongs to this side of the checkpoint
  const CheckpointSettings &settings = checkpoint_settings();
  if (settings.control_fd >= 0) {
    // Under snowd every request comes as a line on the control channel; a
    // signal without one (a repeat of a request already served) is ignored.
    const std::string request = take_control_request();
    if (const std::optional<MigrationTarget> target = parse_migrate_command(request)) {
      if (channels_quiesced(request, "migration")) migrate_to(*target);
      return;
    }
    if (serve_snapshot(request)) return;
    if (request != "checkpoint") {
      if (!request.empty()) std::fprintf(stderr, "snow: ignoring the control request '%s'\n", request.c_str());
      return;
    }
  }
  if (!channels_quiesced(settings.control_fd >= 0 ? "checkpoint" : std::string(), "checkpoint")) return;
  // A checkpoint that continues here reopens the channels at once.
  struct ResumeChannels {
    bool continues;
    ~ResumeChannels() {
      if (continues && channel_participant()) channel_participant()->resume_here();
    }
  } resume_channels{settings.after != CheckpointSettings::After::Exit};
  const auto started = std::chrono::steady_clock::now();
  if (!write_checkpoint(settings.path)) {
    std::fprintf(stderr, "snow: checkpoint at poll-point %llu failed, the program continues: %s\n",
                 static_cast<unsigned long long>(snow_poll_count), snow_last_error());
    notice(std::string("checkpoint-failed ") + snow_last_error());
    return;
  }
  if (settings.verbose)
    std::fprintf(stderr, "snow: checkpoint written to '%s' at poll-point %llu\n", settings.path.c_str(),
                 static_cast<unsigned long long>(snow_poll_count));
  struct stat st {};
  const long long bytes = stat(settings.path.c_str(), &st) == 0 ? static_cast<long long>(st.st_size) : -1;
  notice("checkpoint-written " + std::to_string(bytes) + " " + fixed(ms_since(started)) + " " + settings.path);
  switch (settings.after) {
  case CheckpointSettings::After::Exit:
    // The channels' queues are in the checkpoint: whoever restarts it sends them.
    if (channel_participant()) channel_participant()->moved();
    std::exit(0);
  case CheckpointSettings::After::Continue: break;
  case CheckpointSettings::After::Stop:
    // Atomic migration: wait, stopped, until the destination has the state
    // (then SIGKILL) or has failed (then SIGCONT: carry on as if nothing happened).
    raise(SIGSTOP);
    break;
  }
}

uint32_t snow_resume(snow_frame *frame) {
  if (!restart) fatal("snow_resume called without a checkpoint being restored");
  msr::ProcessState &state = process_state();
  msr::StateDecoder &decoder = *restart->decoder;
  std::uint32_t depth = 0;
  for (snow_frame *f = frame->caller; f != nullptr; f = f->caller) ++depth;
  try {
    const std::optional<msr::FrameRecord> record = decoder.next_frame();
    const msr::Program &program = *state.program;
    if (!record)
      fatal(restart->path + " ends before frame " + std::to_string(depth) + " ('" +
            program.function_name(frame->function) + "')");
    if (record->function != frame->function)
      fatal("frame " + std::to_string(depth) + " of the checkpoint is '" + program.function_name(record->function) +
            "' but the program entered '" + program.function_name(frame->function) + "'");
    frame->resume_point = record->resume_point;
    const msr::MemoryBlock block = frame_block(*frame, depth);
    state.registry.insert(block);
    decoder.provide_stack_block(block);
    decoder.restore_until_frame();
    std::uint32_t point = frame->resume_point;
    if (decoder.at_end_record()) {
      // The innermost frame, which stood at its poll-point: it resumes past
      // it, at 0 like every frame outside a call or poll-point (snow_leave).
      frame->resume_point = 0;
      // Finish the stream, which commits the globals.
      if (decoder.next_frame()) fatal("internal error: a frame after End");
      snow_resuming = 0;
      if (checkpoint_settings().verbose)
        std::fprintf(stderr, "snow: restarted from %s at depth %u\n", restart->path.c_str(), depth);
      finish_restoring();
      restart.reset();
    }
    state.registry.erase(block.base);
    return point;
  } catch (const msr::StateError &e) {
    fatal("cannot restart from " + restart->path + ": " + e.what());
  }
}

} // extern "C"
