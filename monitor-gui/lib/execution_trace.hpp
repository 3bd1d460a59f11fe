// What the space-time diagram shows, built from the scheduler's events and
// stored compactly enough for millions of them: per process a step function
// of states and the hosts it ran on, per (sender, receiver) pair the
// messages sorted by send time, the migrations with their phases, and
// instant markers. Events are appended in time order (live, or from a file);
// everything else (the diagram, hit tests, exports) only reads.
#pragma once

#include "scheduler_event.hpp"

#include <QHash>
#include <QString>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <unordered_map>
#include <vector>

namespace snow::monitor {

enum class ProcessState : std::uint8_t { Computing, Waiting, Migrating, Exited };

struct StateChange {
  double time;
  ProcessState state;
};

struct HostChange {
  double time;
  int host; // index into ExecutionTrace::hosts()
};

struct ProcessRow {
  long process = 0; // the scheduler's id
  QString program;
  int group = -1; // communication group and rank, when the process has them
  int rank = -1;
  int initialHost = -1;
  std::vector<StateChange> states; // sorted by time; Exited ends the row
  std::vector<HostChange> hosts;   // sorted by time
  QString label() const;
};

struct Message {
  double sendTime;
  double receiveTime;
  std::int64_t bytes;
  std::int32_t tag;
  std::int32_t seq;
};

// All messages from one row to another, sorted by send time.
struct Channel {
  int fromRow;
  int toRow;
  std::vector<Message> messages;
  double maxLatency = 0;
};

enum class Phase : std::uint8_t { Collect, Transfer, Restore, Rollback };
constexpr int kPhaseCount = 4;
const char *phaseName(Phase phase);

struct PhaseSpan {
  double begin = std::numeric_limits<double>::quiet_NaN();
  double end = std::numeric_limits<double>::quiet_NaN();
  std::int64_t bytes = 0;
  bool seen() const { return !std::isnan(begin) || !std::isnan(end); }
};

struct MigrationSpan {
  long id = 0;
  int row = -1;
  bool checkpoint = false;
  QString from, to, reason, file;
  double start = 0;
  double end = std::numeric_limits<double>::quiet_NaN(); // NaN while in flight
  std::array<PhaseSpan, kPhaseCount> phases;
  bool done = false, failed = false;
  std::int64_t bytes = 0;
  double collectMs = 0, transferMs = 0, restoreMs = 0, totalMs = 0;
};

enum class MarkerKind : std::uint8_t { Exit, ChannelDrain, ChannelRedirect, Restored };

struct Marker {
  double time;
  int row;
  MarkerKind kind;
  QString text;
};

class ExecutionTrace {
public:
  // Appends one event; events come in time order (a late one is accepted,
  // just placed where it belongs).
  void append(const SchedulerEvent &event);
  void appendAll(const SchedulerEvents &events);
  // Sorts what live appends may have left unsorted; call after a bulk load.
  void finish();
  void clear();

  // Process ids of a restarted scheduler start again at 1: every id appended
  // after this call gets a row of its own.
  void startNewEpoch();

  const std::vector<ProcessRow> &rows() const { return rows_; }
  const std::vector<QString> &hosts() const { return hosts_; }
  const std::vector<Channel> &channels() const { return channels_; }
  const std::vector<MigrationSpan> &migrations() const { return migrations_; }
  const std::vector<Marker> &markers() const { return markers_; }
  // Events that are not messages, kept whole: the cluster view's replay and
  // the exports use them.
  const SchedulerEvents &controlEvents() const { return controlEvents_; }

  double beginTime() const { return eventCount_ ? begin_ : 0; }
  double endTime() const { return eventCount_ ? end_ : 0; }
  std::size_t eventCount() const { return eventCount_; }
  std::size_t messageCount() const { return messageCount_; }
  std::size_t unmatchedMessages() const { return pendingSends_.size() + pendingReceives_.size(); }

  // The row of a process id, or -1.
  int rowOf(long process) const;
  int hostIndex(const QString &host);
  // The state of a row at `time`, and the host it is on.
  ProcessState stateAt(int row, double time) const;
  int hostAt(int row, double time) const;

private:
  struct MessageKey {
    std::int64_t group, from, to, seq;
    bool operator==(const MessageKey &o) const {
      return group == o.group && from == o.from && to == o.to && seq == o.seq;
    }
  };
  struct MessageKeyHash {
    std::size_t operator()(const MessageKey &k) const {
      std::size_t h = std::hash<std::int64_t>()(k.group);
      for (const std::int64_t v : {k.from, k.to, k.seq})
        h = h * 1000003u ^ std::hash<std::int64_t>()(v);
      return h;
    }
  };
  struct HalfMessage {
    double time;
    int row;     // the sender's row for a send, the receiver's for a receive
    int peerRow; // the other side, -1 when the event does not name it
    std::int64_t bytes;
    std::int32_t tag;
  };

  int rowFor(const QJsonObject &data, const char *field = "process");
  int rowForProcess(long process);
  void setState(int row, double time, ProcessState state);
  void setHost(int row, double time, int host);
  void onProcessStarted(double time, const QJsonObject &data);
  void onMigrationEvent(const SchedulerEvent &event);
  void onMessage(const SchedulerEvent &event, bool sent);
  void addMessage(int fromRow, int toRow, const Message &message);
  MigrationSpan *migration(long id);
  std::int64_t groupKey(const QJsonValue &group);

  std::vector<ProcessRow> rows_;
  std::unordered_map<long, int> rowOfProcess_;
  long epochOffset_ = 0;
  long largestProcess_ = 0;
  std::vector<QString> hosts_;
  QHash<QString, int> hostIndex_;
  std::vector<Channel> channels_;
  std::map<std::pair<int, int>, int> channelOf_;
  std::vector<MigrationSpan> migrations_;
  std::unordered_map<long, int> migrationIndex_;
  std::vector<Marker> markers_;
  SchedulerEvents controlEvents_;
  std::unordered_map<MessageKey, HalfMessage, MessageKeyHash> pendingSends_, pendingReceives_;
  QHash<QString, std::int64_t> groupNames_;
  double begin_ = 0, end_ = 0;
  std::size_t eventCount_ = 0, messageCount_ = 0;
};

} // namespace snow::monitor
