#include "open_streams.hpp"

#include "msr/process_state.hpp"

#include <snow/snow.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include <sys/stat.h>
#include <unistd.h>

namespace snow::exec {

namespace {

std::string absolute_path(const char *path) {
  if (path[0] == '/') return path;
  char cwd[PATH_MAX];
  if (getcwd(cwd, sizeof cwd) == nullptr) return path;
  return std::string(cwd) + "/" + path;
}

bool writes(const std::string &mode) { return mode.find_first_of("wa+") != std::string::npos; }

} // namespace

OpenStreams &open_streams() {
  static OpenStreams table;
  return table;
}

void OpenStreams::register_block(std::uint32_t index) {
  msr::MemoryBlock b;
  b.base = reinterpret_cast<std::uintptr_t>(streams_[index].file);
  b.bytes = 0;
  b.type = file_type_;
  b.origin = msr::wire::Origin::External;
  b.key = index;
  msr::process_state().registry.insert(b);
}

void OpenStreams::start(std::uint32_t file_type) {
  file_type_ = file_type;
  streams_.assign(3, OpenStream{});
  streams_[0] = {stdin, "<stdin>", "r"};
  streams_[1] = {stdout, "<stdout>", "w"};
  streams_[2] = {stderr, "<stderr>", "w"};
  for (std::uint32_t i = 0; i < 3; ++i) register_block(i);
}

std::uint32_t OpenStreams::add(std::FILE *file, const std::string &path, const std::string &mode) {
  std::uint32_t index = 3;
  while (index < streams_.size() && streams_[index].file != nullptr) ++index;
  if (index == streams_.size()) streams_.emplace_back();
  streams_[index] = {file, path, mode};
  register_block(index);
  return index;
}

bool OpenStreams::remove(std::FILE *file) {
  for (std::size_t i = 3; i < streams_.size(); ++i)
    if (streams_[i].file == file) {
      msr::process_state().registry.erase(reinterpret_cast<std::uintptr_t>(file));
      streams_[i] = OpenStream{};
      return true;
    }
  return false;
}

std::string OpenStreams::describe_for_checkpoint() {
  std::fflush(nullptr);
  std::string out = std::string(kStreamsSectionMagic) + "\n";
  for (std::size_t i = 3; i < streams_.size(); ++i) {
    const OpenStream &s = streams_[i];
    if (s.file == nullptr) continue;
    const long position = std::ftell(s.file);
    struct stat st {};
    if (position < 0 || fstat(fileno(s.file), &st) != 0)
      throw std::runtime_error("the position of open file '" + s.path + "' (" + s.mode + ") is unknown: " +
                               std::strerror(errno));
    out += std::to_string(i) + " " + s.mode + " " + std::to_string(position) + " " + std::to_string(st.st_size) + " " +
           s.path + "\n";
  }
  return out + "end\n";
}

void OpenStreams::reopen_from(std::FILE *in) {
  const long start = std::ftell(in);
  char line[PATH_MAX + 128];
  if (std::fgets(line, sizeof line, in) == nullptr || std::strncmp(line, kStreamsSectionMagic, std::strlen(kStreamsSectionMagic)) != 0) {
    std::fseek(in, start, SEEK_SET);  // no section: a checkpoint without open files
    return;
  }
  for (;;) {
    if (std::fgets(line, sizeof line, in) == nullptr) throw std::runtime_error("the open-files section is truncated");
    if (std::strcmp(line, "end\n") == 0) return;
    unsigned long index = 0;
    long position = 0;
    long long size = 0;
    char mode[8] = {};
    int consumed = 0;
    if (std::sscanf(line, "%lu %7s %ld %lld %n", &index, mode, &position, &size, &consumed) != 4 || consumed <= 0 ||
        index < 3 || index > 1u << 20 || position < 0 || size < 0)
      throw std::runtime_error(std::string("malformed line in the open-files section: ") + line);
    std::string path = line + consumed;
    if (!path.empty() && path.back() == '\n') path.pop_back();
    const std::string m = mode;
    struct stat st {};
    if (stat(path.c_str(), &st) != 0)
      throw std::runtime_error("open file '" + path + "' is not reachable here: " + std::strerror(errno));
    if (st.st_size < size && writes(m))
      throw std::runtime_error("open file '" + path + "' has " + std::to_string(st.st_size) +
                               " bytes, fewer than the " + std::to_string(size) + " it had at the checkpoint");
    // Reopen without truncating; a file the program writes goes back to its
    // size at the checkpoint, so what is written again is not doubled.
    if (writes(m) && st.st_size > size && truncate(path.c_str(), size) != 0)
      throw std::runtime_error("cannot cut open file '" + path + "' back to " + std::to_string(size) + " bytes: " +
                               std::strerror(errno));
    const char *reopen_mode = m[0] == 'r' ? (m.find('+') != std::string::npos ? "r+" : "r")
                              : m[0] == 'a' ? (m.find('+') != std::string::npos ? "a+" : "a")
                                            : (m.find('+') != std::string::npos ? "r+" : "r+");
    std::FILE *f = std::fopen(path.c_str(), reopen_mode);
    if (f == nullptr) throw std::runtime_error("cannot reopen '" + path + "' (" + reopen_mode + "): " + std::strerror(errno));
    if (m[0] != 'a' && std::fseek(f, position, SEEK_SET) != 0) {
      std::fclose(f);
      throw std::runtime_error("cannot seek '" + path + "' to " + std::to_string(position));
    }
    if (index >= streams_.size()) streams_.resize(index + 1);
    if (streams_[index].file != nullptr) throw std::runtime_error("open file index " + std::to_string(index) + " appears twice");
    streams_[index] = {f, path, m};
    register_block(static_cast<std::uint32_t>(index));
  }
}

std::FILE *OpenStreams::at(std::uint64_t index) const {
  return index < streams_.size() ? streams_[index].file : nullptr;
}

} // namespace snow::exec

extern "C" {

std::FILE *snow_fopen(const char *path, const char *mode) {
  std::FILE *f = std::fopen(path, mode);
  if (f != nullptr) snow::exec::open_streams().add(f, snow::exec::absolute_path(path), mode);
  return f;
}

int snow_fclose(std::FILE *file) {
  if (file != nullptr) snow::exec::open_streams().remove(file);
  return std::fclose(file);
}

} // extern "C"
