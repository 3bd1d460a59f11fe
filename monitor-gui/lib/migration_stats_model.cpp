#include "migration_stats_model.hpp"

namespace snow::monitor {

MigrationStatsModel::MigrationStatsModel(QObject *parent) : QAbstractTableModel(parent) {}

void MigrationStatsModel::applyEvents(const SchedulerEvents &events) {
  for (const SchedulerEvent &event : events)
    applyEvent(event);
}

void MigrationStatsModel::applyEvent(const SchedulerEvent &event) {
  if (event.name != QLatin1String("migration-done"))
    return;
  const QJsonObject &d = event.data;
  QString program = d.value("program").toString().section(QLatin1Char('/'), -1);
  if (program.startsWith(QLatin1String("snow-migratable-")))
    program = program.mid(16);
  const int row = static_cast<int>(rows_.size());
  beginInsertRows({}, row, row);
  rows_.push_back({program, d.value("from").toString(), d.value("to").toString(),
                   d.value("bytes").toDouble(), d.value("collect_ms").toDouble(),
                   d.value("transfer_ms").toDouble(), d.value("restore_ms").toDouble(),
                   d.value("total_ms").toDouble()});
  endInsertRows();
}

void MigrationStatsModel::clear() {
  beginResetModel();
  rows_.clear();
  endResetModel();
}

int MigrationStatsModel::rowCount(const QModelIndex &parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int MigrationStatsModel::columnCount(const QModelIndex &parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

QVariant MigrationStatsModel::data(const QModelIndex &index, int role) const {
  if (!index.isValid() || index.row() >= static_cast<int>(rows_.size()))
    return {};
  const Row &r = rows_[index.row()];
  if (role == Qt::TextAlignmentRole)
    return index.column() >= Bytes ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
  const bool display = role == Qt::DisplayRole;
  if (!display && role != Qt::EditRole)
    return {};
  auto ms = [display](double v) -> QVariant {
    return display ? QVariant(QString::number(v, 'f', 1)) : QVariant(v);
  };
  switch (index.column()) {
  case Program:
    return r.program;
  case From:
    return r.from;
  case To:
    return r.to;
  case Bytes: {
    QLocale grouped = QLocale::c(); // 8,022,991 whatever the user's locale
    grouped.setNumberOptions(QLocale::DefaultNumberOptions);
    return display ? QVariant(grouped.toString(qlonglong(r.bytes))) : QVariant(r.bytes);
  }
  case Collect:
    return ms(r.collectMs);
  case Transfer:
    return ms(r.transferMs);
  case Restore:
    return ms(r.restoreMs);
  case Total:
    return ms(r.totalMs);
  default:
    return {};
  }
}

QVariant MigrationStatsModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (role != Qt::DisplayRole || orientation != Qt::Horizontal)
    return QAbstractTableModel::headerData(section, orientation, role);
  static const char *const names[] = {"program",      "from",         "to",
                                      "bytes",        "collect (ms)", "transfer (ms)",
                                      "restore (ms)", "total (ms)"};
  return section >= 0 && section < ColumnCount ? QString::fromLatin1(names[section]) : QVariant();
}

QString MigrationStatsModel::toText() const {
  QString text;
  for (int c = 0; c < ColumnCount; ++c)
    text += (c ? QStringLiteral("\t") : QString()) + headerData(c, Qt::Horizontal).toString();
  for (int r = 0; r < rowCount(); ++r) {
    text += QLatin1Char('\n');
    for (int c = 0; c < ColumnCount; ++c)
      text += (c ? QStringLiteral("\t") : QString()) + data(index(r, c)).toString();
  }
  return text + QLatin1Char('\n');
}

} // namespace snow::monitor
