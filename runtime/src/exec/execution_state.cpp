#include "execution_state.hpp"
#include "open_streams.hpp"

#include "msr/process_state.hpp"
#include "msr/state_encoder.hpp"
#include "msr/state_error.hpp"

#include <algorithm>
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

void fatal(const std::string &message) {
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

bool write_checkpoint(const std::string &path) {
  msr::ProcessState &state = process_state();
  const std::vector<snow_frame *> frames = active_frames();
  // Every frame's locals are registered before anything is collected, so a
  // pointer from the heap into any frame resolves.
  std::vector<msr::MemoryBlock> blocks;
  for (std::uint32_t depth = 0; depth < frames.size(); ++depth) {
    blocks.push_back(frame_block(*frames[depth], depth));
    state.registry.insert(blocks.back());
  }
  const std::string temp = path + ".partial";
  std::FILE *file = std::fopen(temp.c_str(), "wb");
  bool ok = file != nullptr;
  if (!ok) msr::set_last_error("cannot create '" + temp + "'");
  if (ok) {
    try {
      // The open files first: a restart reopens them before reading the state.
      const std::string streams = open_streams().describe_for_checkpoint();
      if (std::fwrite(streams.data(), 1, streams.size(), file) != streams.size())
        throw msr::StateError(msr::StateErrorCode::Io, "writing the open-files section failed");
      msr::FileSink sink(file);
      msr::StateEncoder encoder(*state.program, state.registry, sink);
      for (const msr::GlobalInfo &g : state.program->globals()) encoder.add_root(g.address);
      for (std::uint32_t depth = 0; depth < frames.size(); ++depth) {
        encoder.add_frame(depth, frames[depth]->function, frames[depth]->resume_point);
        encoder.add_root(frames[depth]->locals);
      }
      encoder.finish();
    } catch (const msr::StateError &e) {
      msr::set_last_error(e.what());
      ok = false;
    } catch (const std::runtime_error &e) {  // an open file's position
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
  }
  for (const msr::MemoryBlock &b : blocks) state.registry.erase(b.base);
  return ok;
}

RestartSession::~RestartSession() {
  decoder.reset();
  source.reset();
  if (file) std::fclose(file);
}

void begin_restart(const std::string &path) {
  restart = std::make_unique<RestartSession>();
  restart->path = path;
  restart->file = std::fopen(path.c_str(), "rb");
  if (restart->file == nullptr) fatal("cannot open the checkpoint '" + path + "' named by SNOW_RESTART");
  try {
    open_streams().reopen_from(restart->file);
  } catch (const std::runtime_error &e) {
    fatal("cannot restart from '" + path + "': " + e.what());
  }
  restart->source = std::make_unique<msr::FileSource>(restart->file);
  msr::ProcessState &state = process_state();
  msr::DecoderOptions options;
  options.stage_roots = false;  // outer frames run before the innermost is read
  options.resolve_external = [](std::uint64_t key) { return reinterpret_cast<std::uintptr_t>(open_streams().at(key)); };
  restart->decoder = std::make_unique<msr::StateDecoder>(state.program.get(), state.registry, *restart->source, options);
  try {
    const msr::StreamInfo &info = restart->decoder->open();
    restart->decoder->restore_until_frame();
    if (checkpoint_settings().verbose)
      std::fprintf(stderr, "snow: restarting from '%s' (written on %s)\n", path.c_str(), info.source.name.c_str());
  } catch (const msr::StateError &e) {
    fatal("cannot restart from '" + path + "': " + e.what());
  }
  snow_resuming = 1;
}

} // namespace snow::exec

using namespace snow::exec;

extern "C" {

void snow_request_checkpoint(void) { snow_poll_trigger = 0; }

void snow_poll(void) {
  snow_poll_trigger = UINT64_MAX;  // this request is being served
  std::fflush(nullptr);           // output so far belongs to this side of the checkpoint
  const CheckpointSettings &settings = checkpoint_settings();
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
  notice("checkpoint-written " + std::to_string(bytes) + " " + settings.path);
  switch (settings.after) {
  case CheckpointSettings::After::Exit: std::exit(0);
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
      fatal("the checkpoint '" + restart->path + "' ends before frame " + std::to_string(depth) + " ('" +
            program.function_name(frame->function) + "')");
    if (record->function != frame->function)
      fatal("frame " + std::to_string(depth) + " of the checkpoint is '" + program.function_name(record->function) +
            "' but the program entered '" + program.function_name(frame->function) + "'");
    frame->resume_point = record->resume_point;
    const msr::MemoryBlock block = frame_block(*frame, depth);
    state.registry.insert(block);
    decoder.provide_stack_block(block);
    decoder.restore_until_frame();
    if (decoder.at_end_record()) {
      // The innermost frame: finish the stream, which commits the globals.
      if (decoder.next_frame()) fatal("internal error: a frame after End");
      snow_resuming = 0;
      if (checkpoint_settings().verbose)
        std::fprintf(stderr, "snow: restarted from '%s' at depth %u\n", restart->path.c_str(), depth);
      notice("restored");
      restart.reset();
    }
    state.registry.erase(block.base);
  } catch (const msr::StateError &e) {
    fatal("cannot restart from '" + restart->path + "': " + e.what());
  }
  return frame->resume_point;
}

} // extern "C"
