#include "cluster_model.hpp"

#include <QJsonDocument>
#include <QJsonObject>
#include <QMimeData>

#include <algorithm>

namespace snow::monitor {

struct ClusterModel::Process {
  long id = 0;
  QString program;
  QStringList args;
  QString state = QStringLiteral("starting");
  QString host;
  long pid = 0;
  int group = -1, rank = -1;
  double progress = -1;
  QString progressText, failure;
};

struct ClusterModel::Host {
  QString name, platform, byteOrder;
  int wordSize = 0, cpus = 0, processCount = 0;
  double load = 0;
  bool online = true;
  std::vector<std::unique_ptr<Process>> processes;
};

namespace {
QString shortProgram(const QString &program) {
  QString name = program.section(QLatin1Char('/'), -1);
  if (name.startsWith(QLatin1String("snow-migratable-")))
    name = name.mid(16);
  return name;
}

QString formatBytes(double bytes) {
  if (bytes >= 1048576)
    return QStringLiteral("%1 MiB").arg(bytes / 1048576, 0, 'f', 1);
  if (bytes >= 1024)
    return QStringLiteral("%1 KiB").arg(bytes / 1024, 0, 'f', 1);
  return QStringLiteral("%1 B").arg(bytes);
}

// How far along a migration is after each phase boundary.
double phaseProgress(const QString &phase, bool end) {
  if (phase == QLatin1String("collect"))
    return end ? 0.4 : 0.05;
  if (phase == QLatin1String("transfer"))
    return end ? 0.65 : 0.1;
  if (phase == QLatin1String("restore"))
    return end ? 1.0 : 0.7;
  return end ? 0.9 : 0.5; // rollback
}
} // namespace

ClusterModel::ClusterModel(QObject *parent) : QAbstractItemModel(parent) {}
ClusterModel::~ClusterModel() = default;

ClusterModel::Host *ClusterModel::hostNamed(const QString &name) const {
  for (const auto &host : hosts_)
    if (host->name == name)
      return host.get();
  return nullptr;
}

int ClusterModel::hostRow(const Host *host) const {
  for (std::size_t i = 0; i < hosts_.size(); ++i)
    if (hosts_[i].get() == host)
      return static_cast<int>(i);
  return -1;
}

int ClusterModel::processRow(const Process &process) const {
  const Host *host = hostNamed(process.host);
  for (std::size_t i = 0; host && i < host->processes.size(); ++i)
    if (host->processes[i].get() == &process)
      return static_cast<int>(i);
  return -1;
}

ClusterModel::Host &ClusterModel::ensureHost(const QString &name) {
  if (Host *host = hostNamed(name))
    return *host;
  const int row = static_cast<int>(hosts_.size());
  beginInsertRows({}, row, row);
  auto host = std::make_unique<Host>();
  host->name = name;
  host->online = false; // until the scheduler lists it
  hosts_.push_back(std::move(host));
  endInsertRows();
  return *hosts_.back();
}

ClusterModel::Process *ClusterModel::process(long id) const {
  for (const auto &host : hosts_)
    for (const auto &p : host->processes)
      if (p->id == id)
        return p.get();
  return nullptr;
}

ClusterModel::Process &ClusterModel::ensureProcess(long id, const QString &hostName) {
  if (Process *p = process(id))
    return *p;
  Host &host = ensureHost(hostName);
  const int row = static_cast<int>(host.processes.size());
  beginInsertRows(index(hostRow(&host), 0), row, row);
  auto p = std::make_unique<Process>();
  p->id = id;
  p->host = hostName;
  host.processes.push_back(std::move(p));
  endInsertRows();
  return *host.processes.back();
}

void ClusterModel::moveProcess(Process &p, const QString &toHost) {
  if (p.host == toHost)
    return;
  Host &to = ensureHost(toHost);
  Host *from = hostNamed(p.host);
  const int fromRow = processRow(p);
  const int toRow = static_cast<int>(to.processes.size());
  beginMoveRows(index(hostRow(from), 0), fromRow, fromRow, index(hostRow(&to), 0), toRow);
  std::unique_ptr<Process> moved = std::move(from->processes[fromRow]);
  from->processes.erase(from->processes.begin() + fromRow);
  moved->host = toHost;
  to.processes.push_back(std::move(moved));
  endMoveRows();
}

void ClusterModel::processChanged(const Process &p) {
  const Host *host = hostNamed(p.host);
  const QModelIndex at = createIndex(processRow(p), 0, const_cast<Host *>(host));
  emit dataChanged(at, at);
}

void ClusterModel::hostChanged(const Host &host) {
  const QModelIndex at = index(hostRow(&host), 0);
  emit dataChanged(at, at);
}

void ClusterModel::clear() {
  beginResetModel();
  hosts_.clear();
  endResetModel();
}

void ClusterModel::updateHost(const QJsonObject &h) {
  Host &host = ensureHost(h.value("name").toString());
  host.platform = h.value("platform").toString();
  host.byteOrder = h.value("byte_order").toString();
  host.wordSize = h.value("word_size").toInt();
  host.cpus = h.value("cpus").toInt();
  host.load = h.value("load").toDouble();
  host.processCount = h.value("processes").toInt();
  host.online = true;
  hostChanged(host);
}

void ClusterModel::setHosts(const QJsonArray &hosts) {
  for (const auto &host : hosts_) {
    host->online = false;
    hostChanged(*host);
  }
  for (const auto &value : hosts)
    updateHost(value.toObject());
}

void ClusterModel::setProcesses(const QJsonArray &processes) {
  for (const auto &value : processes) {
    const QJsonObject o = value.toObject();
    const long id = static_cast<long>(o.value("id").toDouble());
    Process &p = ensureProcess(id, o.value("host").toString());
    moveProcess(p, o.value("host").toString());
    p.program = o.value("program").toString();
    p.args.clear();
    for (const auto &arg : o.value("args").toArray())
      p.args << arg.toString();
    p.state = o.value("state").toString();
    p.pid = static_cast<long>(o.value("pid").toDouble());
    p.group = o.value("group").toInt(-1);
    p.rank = o.value("rank").toInt(-1);
    if (p.state != QLatin1String("migrating"))
      p.progress = -1;
    processChanged(p);
  }
}

void ClusterModel::applyEvents(const SchedulerEvents &events) {
  for (const SchedulerEvent &event : events)
    applyEvent(event);
}

void ClusterModel::applyEvent(const SchedulerEvent &event) {
  const QJsonObject &d = event.data;
  const QString &name = event.name;
  if (name == QLatin1String("host-joined")) {
    updateHost(d);
  } else if (name == QLatin1String("host-left")) {
    if (Host *host = hostNamed(d.value("host").toString())) {
      host->online = false;
      hostChanged(*host);
    }
  } else if (name == QLatin1String("host-load")) {
    if (Host *host = hostNamed(d.value("host").toString())) {
      host->load = d.value("load").toDouble();
      host->processCount = d.value("processes").toInt();
      hostChanged(*host);
    }
  } else if (name == QLatin1String("process-started") ||
             name == QLatin1String("process-restored")) {
    const long id = static_cast<long>(d.value("process").toDouble());
    Process &p = ensureProcess(id, d.value("host").toString());
    moveProcess(p, d.value("host").toString());
    p.program = d.value("program").toString(p.program);
    if (d.contains("pid"))
      p.pid = static_cast<long>(d.value("pid").toDouble());
    p.group = d.value("group").toInt(p.group);
    p.rank = d.value("rank").toInt(p.rank);
    p.state = QStringLiteral("running");
    processChanged(p);
  } else if (name == QLatin1String("process-exited")) {
    if (Process *p = process(static_cast<long>(d.value("process").toDouble()))) {
      p->state = QStringLiteral("exited");
      p->progress = -1;
      p->progressText = QStringLiteral("status %1").arg(d.value("status").toInt());
      if (d.contains("reason"))
        p->failure = d.value("reason").toString();
      processChanged(*p);
    }
  } else if (name.startsWith(QLatin1String("migration-")) ||
             name.startsWith(QLatin1String("checkpoint-"))) {
    onMigrationEvent(event);
  }
}

void ClusterModel::onMigrationEvent(const SchedulerEvent &event) {
  const QJsonObject &d = event.data;
  Process *p = process(static_cast<long>(d.value("process").toDouble()));
  if (!p)
    return;
  const QString &name = event.name;
  const bool checkpoint = name.startsWith(QLatin1String("checkpoint-"));
  const QString what =
      checkpoint ? QStringLiteral("checkpoint") : QStringLiteral("→ ") + d.value("to").toString();
  if (name.endsWith(QLatin1String("-started"))) {
    p->state = checkpoint ? QStringLiteral("running") : QStringLiteral("migrating");
    p->progress = 0;
    p->progressText = what;
    p->failure.clear();
  } else if (name == QLatin1String("migration-phase")) {
    const QString phase = d.value("phase").toString();
    const bool end = d.value("state").toString() == QLatin1String("end");
    p->progress = std::max(p->progress, phaseProgress(phase, end));
    p->progressText = phase + (end ? QStringLiteral(" done") : QStringLiteral("…"));
    if (d.contains("bytes"))
      p->progressText += QLatin1Char(' ') + formatBytes(d.value("bytes").toDouble());
  } else if (name.endsWith(QLatin1String("-done"))) {
    p->progress = -1;
    p->progressText = QStringLiteral("%1 in %2 ms")
                          .arg(formatBytes(d.value("bytes").toDouble()))
                          .arg(d.value("total_ms").toDouble(), 0, 'f', 0);
    if (!checkpoint) {
      p->state = QStringLiteral("running");
      moveProcess(*p, d.value("to").toString());
    }
  } else if (name.endsWith(QLatin1String("-failed"))) {
    p->progress = -1;
    p->progressText.clear();
    p->failure = (checkpoint ? QStringLiteral("checkpoint failed: ")
                             : QStringLiteral("migration failed: ")) +
                 d.value("reason").toString();
    if (!checkpoint) {
      p->state = QStringLiteral("running");
      if (d.contains("host"))
        moveProcess(*p, d.value("host").toString());
    }
  }
  processChanged(*p);
}

void ClusterModel::migrationRefused(long id, const QString &reason) {
  if (Process *p = process(id)) {
    p->progress = -1;
    p->progressText.clear();
    p->failure = QStringLiteral("refused: ") + reason;
    processChanged(*p);
  }
}

QModelIndex ClusterModel::hostIndex(const QString &host) const {
  const int row = hostRow(hostNamed(host));
  return row < 0 ? QModelIndex() : index(row, 0);
}

QModelIndex ClusterModel::processIndex(long id) const {
  const Process *p = process(id);
  return p ? createIndex(processRow(*p), 0, hostNamed(p->host)) : QModelIndex();
}

QModelIndex ClusterModel::index(int row, int column, const QModelIndex &parent) const {
  if (column != 0 || row < 0)
    return {};
  if (!parent.isValid())
    return row < static_cast<int>(hosts_.size()) ? createIndex(row, 0, nullptr) : QModelIndex();
  if (parent.internalPointer() || parent.row() >= static_cast<int>(hosts_.size()))
    return {}; // processes have no children
  Host *host = hosts_[parent.row()].get();
  return row < static_cast<int>(host->processes.size()) ? createIndex(row, 0, host) : QModelIndex();
}

QModelIndex ClusterModel::parent(const QModelIndex &child) const {
  if (!child.isValid() || !child.internalPointer())
    return {};
  return createIndex(hostRow(static_cast<Host *>(child.internalPointer())), 0, nullptr);
}

int ClusterModel::rowCount(const QModelIndex &parent) const {
  if (!parent.isValid())
    return static_cast<int>(hosts_.size());
  if (parent.column() != 0 || parent.internalPointer())
    return 0;
  return static_cast<int>(hosts_[parent.row()]->processes.size());
}

int ClusterModel::columnCount(const QModelIndex &) const { return 1; }

QVariant ClusterModel::data(const QModelIndex &index, int role) const {
  if (!index.isValid())
    return {};
  if (!index.internalPointer()) {
    const Host &h = *hosts_[index.row()];
    switch (role) {
    case Qt::DisplayRole:
      return QStringLiteral("%1 (%2, %3-endian, %4-bit)")
          .arg(h.name, h.platform, h.byteOrder)
          .arg(h.wordSize * 8);
    case Qt::ToolTipRole:
      return QStringLiteral("%1: %2, load %3, %4 processes")
          .arg(h.name, h.platform)
          .arg(h.load, 0, 'f', 2)
          .arg(h.processCount);
    case IsHostRole:
      return true;
    case NameRole:
      return h.name;
    case PlatformRole:
      return h.platform;
    case ByteOrderRole:
      return h.byteOrder;
    case WordSizeRole:
      return h.wordSize;
    case CpusRole:
      return h.cpus;
    case LoadRole:
      return h.load;
    case OnlineRole:
      return h.online;
    default:
      return {};
    }
  }
  const Process &p = *static_cast<Host *>(index.internalPointer())->processes[index.row()];
  switch (role) {
  case Qt::DisplayRole:
    return p.rank >= 0
               ? QStringLiteral("%1 %2 r%3").arg(p.id).arg(shortProgram(p.program)).arg(p.rank)
               : QStringLiteral("%1 %2").arg(p.id).arg(shortProgram(p.program));
  case Qt::ToolTipRole:
    return QStringLiteral("process %1: %2 %3\n%4 on %5, pid %6%7")
        .arg(p.id)
        .arg(p.program, p.args.join(QLatin1Char(' ')), p.state, p.host)
        .arg(p.pid)
        .arg(p.failure.isEmpty() ? QString() : QStringLiteral("\n") + p.failure);
  case IsHostRole:
    return false;
  case NameRole:
    return shortProgram(p.program);
  case ProcessIdRole:
    return static_cast<qlonglong>(p.id);
  case RankRole:
    return p.rank;
  case GroupRole:
    return p.group;
  case StateRole:
    return p.state;
  case HostRole:
    return p.host;
  case ProgressRole:
    return p.progress;
  case ProgressTextRole:
    return p.progressText;
  case FailureRole:
    return p.failure;
  case ArgsRole:
    return p.args;
  default:
    return {};
  }
}

Qt::ItemFlags ClusterModel::flags(const QModelIndex &index) const {
  if (!index.isValid())
    return Qt::NoItemFlags;
  if (!index.internalPointer())
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDropEnabled;
  // A process is dropped on a host; dropping on a process means its host.
  return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDragEnabled | Qt::ItemIsDropEnabled |
         Qt::ItemNeverHasChildren;
}

QHash<int, QByteArray> ClusterModel::roleNames() const {
  QHash<int, QByteArray> names = QAbstractItemModel::roleNames();
  names.insert(NameRole, "name");
  names.insert(ProcessIdRole, "processId");
  names.insert(StateRole, "state");
  names.insert(HostRole, "host");
  return names;
}

QStringList ClusterModel::mimeTypes() const { return {QString::fromLatin1(kProcessMimeType)}; }

Qt::DropActions ClusterModel::supportedDropActions() const { return Qt::MoveAction; }
Qt::DropActions ClusterModel::supportedDragActions() const { return Qt::MoveAction; }

QMimeData *ClusterModel::mimeData(const QModelIndexList &indexes) const {
  QJsonArray ids;
  for (const QModelIndex &index : indexes)
    if (index.isValid() && index.internalPointer())
      ids.append(data(index, ProcessIdRole).toDouble());
  if (ids.isEmpty())
    return nullptr;
  auto *mime = new QMimeData;
  mime->setData(QString::fromLatin1(kProcessMimeType),
                QJsonDocument(QJsonObject{{"processes", ids}}).toJson(QJsonDocument::Compact));
  return mime;
}

long ClusterModel::droppedProcess(const QMimeData *data) const {
  if (!data || !data->hasFormat(QString::fromLatin1(kProcessMimeType)))
    return -1;
  const QJsonArray ids = QJsonDocument::fromJson(data->data(QString::fromLatin1(kProcessMimeType)))
                             .object()
                             .value("processes")
                             .toArray();
  return ids.size() == 1 ? static_cast<long>(ids.first().toDouble()) : -1;
}

QString ClusterModel::dropTarget(const QModelIndex &parent) const {
  if (!parent.isValid() || parent.model() != this)
    return {};
  return parent.internalPointer() ? static_cast<Host *>(parent.internalPointer())->name
                                  : hosts_[parent.row()]->name;
}

bool ClusterModel::canDropMimeData(const QMimeData *data, Qt::DropAction action, int, int,
                                   const QModelIndex &parent) const {
  if (action != Qt::MoveAction || !interactive_)
    return false;
  const Process *p = process(droppedProcess(data));
  const QString host = dropTarget(parent);
  return p && !host.isEmpty() && host != p->host && p->state == QLatin1String("running");
}

bool ClusterModel::dropMimeData(const QMimeData *data, Qt::DropAction action, int row, int column,
                                const QModelIndex &parent) {
  if (!canDropMimeData(data, action, row, column, parent))
    return false;
  Process *p = process(droppedProcess(data));
  const QString host = dropTarget(parent);
  p->failure.clear();
  p->progress = 0;
  p->progressText = QStringLiteral("requested → ") + host;
  processChanged(*p);
  emit migrateRequested(p->id, host);
  // The row moves when the scheduler says the migration is done, not now.
  return true;
}

} // namespace snow::monitor
