#include "execution_trace.hpp"

#include <QJsonArray>

#include <algorithm>

namespace snow::monitor {

namespace {
long processIdIn(const QJsonObject &data, const char *field) {
  const QJsonValue value = data.value(QLatin1String(field));
  return value.isDouble() ? static_cast<long>(value.toDouble()) : -1;
}

template <typename T> void insertByTime(std::vector<T> &list, const T &item) {
  if (list.empty() || list.back().time <= item.time) {
    list.push_back(item);
    return;
  }
  const auto at = std::upper_bound(list.begin(), list.end(), item.time,
                                   [](double t, const T &e) { return t < e.time; });
  list.insert(at, item);
}
} // namespace

const char *phaseName(Phase phase) {
  switch (phase) {
  case Phase::Collect:
    return "collect";
  case Phase::Transfer:
    return "transfer";
  case Phase::Restore:
    return "restore";
  case Phase::Rollback:
    return "rollback";
  }
  return "?";
}

QString ProcessRow::label() const {
  QString name = program.section(QLatin1Char('/'), -1);
  if (name.startsWith(QLatin1String("snow-migratable-")))
    name = name.mid(16);
  QString text = QStringLiteral("p%1 %2").arg(process).arg(name);
  if (rank >= 0)
    text += QStringLiteral(" r%1").arg(rank);
  return text;
}

void ExecutionTrace::clear() { *this = ExecutionTrace(); }

void ExecutionTrace::startNewEpoch() {
  epochOffset_ = largestProcess_ + 1;
  migrationIndex_.clear();
}

int ExecutionTrace::hostIndex(const QString &host) {
  const auto it = hostIndex_.constFind(host);
  if (it != hostIndex_.constEnd())
    return it.value();
  hosts_.push_back(host);
  hostIndex_.insert(host, static_cast<int>(hosts_.size() - 1));
  return static_cast<int>(hosts_.size() - 1);
}

int ExecutionTrace::rowOf(long process) const {
  const auto it = rowOfProcess_.find(process + epochOffset_);
  return it == rowOfProcess_.end() ? -1 : it->second;
}

int ExecutionTrace::rowForProcess(long process) {
  const long key = process + epochOffset_;
  largestProcess_ = std::max(largestProcess_, key);
  const auto it = rowOfProcess_.find(key);
  if (it != rowOfProcess_.end())
    return it->second;
  ProcessRow row;
  row.process = process;
  rows_.push_back(row);
  const int index = static_cast<int>(rows_.size() - 1);
  rowOfProcess_.emplace(key, index);
  return index;
}

int ExecutionTrace::rowFor(const QJsonObject &data, const char *field) {
  const long id = processIdIn(data, field);
  return id < 0 ? -1 : rowForProcess(id);
}

void ExecutionTrace::setState(int row, double time, ProcessState state) {
  auto &states = rows_[row].states;
  if (!states.empty() && states.back().state == ProcessState::Exited &&
      state != ProcessState::Exited)
    return; // nothing runs after its end
  if (!states.empty() && states.back().state == state && states.back().time <= time)
    return;
  insertByTime(states, StateChange{time, state});
}

void ExecutionTrace::setHost(int row, double time, int host) {
  ProcessRow &r = rows_[row];
  if (r.initialHost < 0)
    r.initialHost = host;
  if (!r.hosts.empty() && r.hosts.back().host == host)
    return;
  insertByTime(r.hosts, HostChange{time, host});
}

MigrationSpan *ExecutionTrace::migration(long id) {
  const auto it = migrationIndex_.find(id);
  return it == migrationIndex_.end() ? nullptr : &migrations_[it->second];
}

std::int64_t ExecutionTrace::groupKey(const QJsonValue &group) {
  if (group.isDouble())
    return static_cast<std::int64_t>(group.toDouble());
  // A named group: its own negative number.
  const QString name = group.toString();
  auto it = groupNames_.find(name);
  if (it == groupNames_.end())
    it = groupNames_.insert(name, -1 - groupNames_.size());
  return it.value();
}

void ExecutionTrace::appendAll(const SchedulerEvents &events) {
  for (const SchedulerEvent &event : events)
    append(event);
}

void ExecutionTrace::append(const SchedulerEvent &event) {
  if (eventCount_ == 0)
    begin_ = end_ = event.time;
  begin_ = std::min(begin_, event.time);
  end_ = std::max(end_, event.time);
  ++eventCount_;

  const QString &name = event.name;
  const QJsonObject &data = event.data;
  if (name == QLatin1String("message-sent") || name == QLatin1String("message-received")) {
    onMessage(event, name == QLatin1String("message-sent"));
    return;
  }
  if (name == QLatin1String("process-output"))
    return; // output is the cluster view's business, and can be large
  controlEvents_.push_back(event);
  if (name == QLatin1String("process-started")) {
    onProcessStarted(event.time, data);
  } else if (name == QLatin1String("process-restored")) {
    onProcessStarted(event.time, data);
    markers_.push_back(
        {event.time, rowFor(data), MarkerKind::Restored,
         QStringLiteral("restored in %1 ms").arg(data.value("restore_ms").toDouble())});
  } else if (name == QLatin1String("process-exited")) {
    const int row = rowFor(data);
    if (row < 0)
      return;
    setState(row, event.time, ProcessState::Exited);
    QString text = QStringLiteral("exited, status %1").arg(data.value("status").toInt());
    if (data.contains("signal"))
      text += QStringLiteral(", signal %1").arg(data.value("signal").toInt());
    if (data.contains("reason"))
      text += QStringLiteral(": ") + data.value("reason").toString();
    markers_.push_back({event.time, row, MarkerKind::Exit, text});
  } else if (name.startsWith(QLatin1String("migration-")) ||
             name.startsWith(QLatin1String("checkpoint-"))) {
    onMigrationEvent(event);
  } else if (name == QLatin1String("channel-drain")) {
    const int row = rowFor(data);
    if (row >= 0)
      markers_.push_back({event.time, row, MarkerKind::ChannelDrain,
                          QStringLiteral("drained %1 messages from %2 peers in %3 ms")
                              .arg(data.value("messages").toInt())
                              .arg(data.value("peers").toInt())
                              .arg(data.value("ms").toDouble())});
  } else if (name == QLatin1String("channel-marker")) {
    const int row = rowFor(data);
    if (row >= 0)
      markers_.push_back({event.time, row, MarkerKind::ChannelDrain,
                          QStringLiteral("end-of-channel marker from rank %1")
                              .arg(data.value("peer_rank").toInt())});
  } else if (name == QLatin1String("channel-redirect")) {
    const int row = rowFor(data);
    if (row >= 0)
      markers_.push_back(
          {event.time, row, MarkerKind::ChannelRedirect,
           QStringLiteral("channel to rank %1 redirected").arg(data.value("peer_rank").toInt())});
  }
}

void ExecutionTrace::onProcessStarted(double time, const QJsonObject &data) {
  const int row = rowFor(data);
  if (row < 0)
    return;
  ProcessRow &r = rows_[row];
  if (data.contains("program"))
    r.program = data.value("program").toString();
  if (data.contains("group"))
    r.group = static_cast<int>(groupKey(data.value("group")));
  if (data.contains("rank"))
    r.rank = data.value("rank").toInt(-1);
  if (data.contains("host"))
    setHost(row, time, hostIndex(data.value("host").toString()));
  setState(row, time, ProcessState::Computing);
}

void ExecutionTrace::onMigrationEvent(const SchedulerEvent &event) {
  const QJsonObject &data = event.data;
  const long id = static_cast<long>(data.value("migration").toDouble(-1));
  const int row = rowFor(data);
  if (id < 0 || row < 0)
    return;
  const QString &name = event.name;
  const bool checkpoint = name.startsWith(QLatin1String("checkpoint-"));
  MigrationSpan *m = migration(id);
  if (!m) {
    MigrationSpan span;
    span.id = id;
    span.row = row;
    span.start = event.time;
    span.checkpoint = checkpoint;
    migrations_.push_back(span);
    migrationIndex_[id] = static_cast<int>(migrations_.size() - 1);
    m = &migrations_.back();
  }
  if (data.contains("from"))
    m->from = data.value("from").toString();
  if (data.contains("to"))
    m->to = data.value("to").toString();
  if (data.contains("file"))
    m->file = data.value("file").toString();
  if (name.endsWith(QLatin1String("-started"))) {
    m->start = event.time;
    if (!checkpoint) {
      setState(row, event.time, ProcessState::Migrating);
      if (!m->from.isEmpty())
        setHost(row, event.time, hostIndex(m->from));
    }
  } else if (name == QLatin1String("migration-phase")) {
    const QString phase = data.value("phase").toString();
    for (int p = 0; p < kPhaseCount; ++p) {
      if (phase != QLatin1String(phaseName(static_cast<Phase>(p))))
        continue;
      PhaseSpan &span = m->phases[p];
      if (data.value("state").toString() == QLatin1String("begin")) {
        span.begin = event.time;
      } else {
        span.end = event.time;
        span.bytes = static_cast<std::int64_t>(data.value("bytes").toDouble());
        if (std::isnan(span.begin) && data.contains("ms"))
          span.begin = event.time - data.value("ms").toDouble() / 1000;
      }
    }
  } else if (name.endsWith(QLatin1String("-done"))) {
    m->done = true;
    m->end = event.time;
    m->bytes = static_cast<std::int64_t>(data.value("bytes").toDouble());
    m->collectMs = data.value("collect_ms").toDouble();
    m->transferMs = data.value("transfer_ms").toDouble();
    m->restoreMs = data.value("restore_ms").toDouble();
    m->totalMs = data.value("total_ms").toDouble();
    if (!checkpoint) {
      setHost(row, event.time, hostIndex(m->to));
      setState(row, event.time, ProcessState::Computing);
    }
  } else if (name.endsWith(QLatin1String("-failed"))) {
    m->failed = true;
    m->end = event.time;
    m->reason = data.value("reason").toString();
    if (!checkpoint) {
      if (data.contains("host"))
        setHost(row, event.time, hostIndex(data.value("host").toString()));
      setState(row, event.time, ProcessState::Computing);
    }
  }
}

void ExecutionTrace::onMessage(const SchedulerEvent &event, bool sent) {
  const QJsonObject &data = event.data;
  const int row = rowFor(data);
  if (row < 0)
    return;
  const int rank = data.value("rank").toInt(-1);
  const int peerRank = data.value(sent ? "to_rank" : "from_rank").toInt(-1);
  const MessageKey key{groupKey(data.value("group")), sent ? rank : peerRank,
                       sent ? peerRank : rank,
                       static_cast<std::int64_t>(data.value("seq").toDouble())};
  const HalfMessage half{event.time, row, rowFor(data, sent ? "to_process" : "from_process"),
                         static_cast<std::int64_t>(data.value("bytes").toDouble()),
                         data.value("tag").toInt()};
  if (!sent) {
    // The receiver blocked this long for it (optional field): a waiting bar.
    const double waitMs = data.value("wait_ms").toDouble(0);
    const auto &states = rows_[row].states;
    const bool migrating = !states.empty() && states.back().state == ProcessState::Migrating;
    if (waitMs > 0 && !migrating) { // a migration's drain is not waiting
      setState(row, event.time - waitMs / 1000, ProcessState::Waiting);
      setState(row, event.time, ProcessState::Computing);
    }
  }
  auto &mine = sent ? pendingSends_ : pendingReceives_;
  auto &theirs = sent ? pendingReceives_ : pendingSends_;
  const auto match = theirs.find(key);
  if (match == theirs.end()) {
    mine[key] = half;
    return;
  }
  const HalfMessage &send = sent ? half : match->second;
  const HalfMessage &receive = sent ? match->second : half;
  addMessage(send.row, receive.row,
             {send.time, receive.time, send.bytes ? send.bytes : receive.bytes, send.tag,
              static_cast<std::int32_t>(key.seq)});
  theirs.erase(match);
}

void ExecutionTrace::addMessage(int fromRow, int toRow, const Message &message) {
  auto [it, inserted] =
      channelOf_.try_emplace({fromRow, toRow}, static_cast<int>(channels_.size()));
  if (inserted)
    channels_.push_back(Channel{fromRow, toRow, {}, 0});
  Channel &channel = channels_[it->second];
  auto &list = channel.messages;
  if (list.empty() || list.back().sendTime <= message.sendTime) {
    list.push_back(message);
  } else {
    const auto at = std::upper_bound(list.begin(), list.end(), message.sendTime,
                                     [](double t, const Message &m) { return t < m.sendTime; });
    list.insert(at, message);
  }
  channel.maxLatency = std::max(channel.maxLatency, message.receiveTime - message.sendTime);
  ++messageCount_;
}

void ExecutionTrace::finish() {
  for (ProcessRow &row : rows_) {
    std::stable_sort(row.states.begin(), row.states.end(),
                     [](const StateChange &a, const StateChange &b) { return a.time < b.time; });
    if (row.initialHost < 0)
      row.initialHost = hostIndex(QStringLiteral("?"));
  }
}

ProcessState ExecutionTrace::stateAt(int row, double time) const {
  const auto &states = rows_[row].states;
  auto it = std::upper_bound(states.begin(), states.end(), time,
                             [](double t, const StateChange &c) { return t < c.time; });
  if (it == states.begin())
    return ProcessState::Exited;
  return std::prev(it)->state;
}

int ExecutionTrace::hostAt(int row, double time) const {
  const auto &hosts = rows_[row].hosts;
  auto it = std::upper_bound(hosts.begin(), hosts.end(), time,
                             [](double t, const HostChange &c) { return t < c.time; });
  if (it == hosts.begin())
    return hosts.empty() ? rows_[row].initialHost : hosts.front().host;
  return std::prev(it)->host;
}

} // namespace snow::monitor
