// The cluster as a two-level item model: hosts at the top, the processes on
// each host as its children. Processes are dragged (mimeData) and dropped on
// a host (dropMimeData): the drop is a migration request, which the model
// announces with migrateRequested() and marks on the process until the
// scheduler answers. Scheduler events (applyEvent) keep it current: a
// migration's progress shows on the process, and a finished one moves the
// process under its new host (beginMoveRows).
#pragma once

#include "scheduler_event.hpp"

#include <QAbstractItemModel>
#include <QJsonArray>

#include <memory>
#include <vector>

namespace snow::monitor {

class ClusterModel : public QAbstractItemModel {
  Q_OBJECT
public:
  static constexpr const char *kProcessMimeType = "application/x-snow-process";

  enum Role {
    IsHostRole = Qt::UserRole + 1,
    NameRole,         // host name / process program
    PlatformRole,     // host
    ByteOrderRole,    // host: "little" / "big"
    WordSizeRole,     // host
    CpusRole,         // host
    LoadRole,         // host: load average
    OnlineRole,       // host: still registered
    ProcessIdRole,    // process
    RankRole,         // process: -1 without one
    GroupRole,        // process
    StateRole,        // process: starting, running, migrating, exited
    HostRole,         // process: where it runs
    ProgressRole,     // process: 0..1 while migrating or checkpointing, else -1
    ProgressTextRole, // process: "transfer 7.6 MiB", "requested → s390x"
    FailureRole,      // process: the last refused or failed migration's reason
    ArgsRole,         // process: its arguments, as a string list
  };

  explicit ClusterModel(QObject *parent = nullptr);
  ~ClusterModel() override;

  // From list-hosts / list-processes: replace everything.
  void setHosts(const QJsonArray &hosts);
  void setProcesses(const QJsonArray &processes);
  void applyEvent(const SchedulerEvent &event);
  void applyEvents(const SchedulerEvents &events);
  void clear();

  // A read-only model (a replayed trace) accepts no drops.
  void setInteractive(bool interactive) { interactive_ = interactive; }
  bool isInteractive() const { return interactive_; }

  // The scheduler refused a migration this model asked for.
  void migrationRefused(long id, const QString &reason);

  QModelIndex hostIndex(const QString &host) const;
  QModelIndex processIndex(long id) const;

  // QAbstractItemModel
  QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
  QModelIndex parent(const QModelIndex &child) const override;
  int rowCount(const QModelIndex &parent = {}) const override;
  int columnCount(const QModelIndex &parent = {}) const override;
  QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
  Qt::ItemFlags flags(const QModelIndex &index) const override;
  QHash<int, QByteArray> roleNames() const override;

  QStringList mimeTypes() const override;
  QMimeData *mimeData(const QModelIndexList &indexes) const override;
  Qt::DropActions supportedDropActions() const override;
  Qt::DropActions supportedDragActions() const override;
  bool canDropMimeData(const QMimeData *data, Qt::DropAction action, int row, int column,
                       const QModelIndex &parent) const override;
  bool dropMimeData(const QMimeData *data, Qt::DropAction action, int row, int column,
                    const QModelIndex &parent) override;

signals:
  void migrateRequested(long process, const QString &host);

private:
  struct Host;
  struct Process;

  Host *hostNamed(const QString &name) const;
  Host &ensureHost(const QString &name);
  void updateHost(const QJsonObject &host);
  Process *process(long id) const;
  Process &ensureProcess(long id, const QString &hostName);
  void moveProcess(Process &process, const QString &toHost);
  void processChanged(const Process &process);
  void hostChanged(const Host &host);
  int hostRow(const Host *host) const;
  int processRow(const Process &process) const;
  void onMigrationEvent(const SchedulerEvent &event);
  long droppedProcess(const QMimeData *data) const;
  QString dropTarget(const QModelIndex &parent) const;

  std::vector<std::unique_ptr<Host>> hosts_;
  bool interactive_ = true;
};

} // namespace snow::monitor
