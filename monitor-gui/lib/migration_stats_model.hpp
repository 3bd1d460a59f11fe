// The paper's Table 1, one row per finished migration: program, from, to,
// bytes, collect, transfer, restore, total (from `migration-done`).
#pragma once

#include "scheduler_event.hpp"

#include <QAbstractTableModel>

#include <vector>

namespace snow::monitor {

class MigrationStatsModel : public QAbstractTableModel {
  Q_OBJECT
public:
  enum Column { Program, From, To, Bytes, Collect, Transfer, Restore, Total, ColumnCount };

  explicit MigrationStatsModel(QObject *parent = nullptr);

  void applyEvent(const SchedulerEvent &event);
  void applyEvents(const SchedulerEvents &events);
  void clear();

  int rowCount(const QModelIndex &parent = {}) const override;
  int columnCount(const QModelIndex &parent = {}) const override;
  QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;

  // The table as text, one migration a line (for copying into a report).
  QString toText() const;

private:
  struct Row {
    QString program, from, to;
    double bytes, collectMs, transferMs, restoreMs, totalMs;
  };
  std::vector<Row> rows_;
};

} // namespace snow::monitor
