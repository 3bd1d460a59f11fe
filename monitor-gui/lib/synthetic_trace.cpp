#include "synthetic_trace.hpp"

#include <QJsonArray>

#include <algorithm>
#include <array>
#include <random>

namespace snow::monitor {

namespace {
struct PlatformShape {
  const char *name, *byteOrder;
  int wordSize;
};
constexpr std::array<PlatformShape, 5> kPlatforms{{{"x86_64", "little", 8},
                                                   {"s390x", "big", 8},
                                                   {"ppc", "big", 4},
                                                   {"i686", "little", 4},
                                                   {"armhf", "little", 4}}};

QString hostName(int host) {
  const int n = static_cast<int>(kPlatforms.size());
  return host < n ? QString::fromLatin1(kPlatforms[host].name) : QStringLiteral("host%1").arg(host);
}
} // namespace

SchedulerEvents syntheticTrace(const SyntheticTraceShape &shape) {
  std::mt19937 random(shape.seed);
  std::uniform_real_distribution<double> jitter(0.0, 1.0);
  SchedulerEvents events;
  events.reserve(shape.events + 64);
  const int p = std::max(shape.processes, 2);
  std::vector<int> hostOf(p);
  std::vector<long> seq(static_cast<std::size_t>(p) * p, 0);
  for (int h = 0; h < shape.hosts; ++h)
    events.push_back({0.0,
                      QStringLiteral("host-joined"),
                      {{"name", hostName(h)},
                       {"platform", hostName(h)},
                       {"byte_order", kPlatforms[h % kPlatforms.size()].byteOrder},
                       {"word_size", kPlatforms[h % kPlatforms.size()].wordSize},
                       {"cpus", 2}}});
  for (int r = 0; r < p; ++r) {
    hostOf[r] = r * shape.hosts / p;
    events.push_back({0.001 * r,
                      QStringLiteral("process-started"),
                      {{"process", r + 1},
                       {"program", "snow-migratable-mg"},
                       {"host", hostName(hostOf[r])},
                       {"pid", 1000 + r},
                       {"group", 1},
                       {"rank", r}}});
  }
  // Four messages per rank and iteration: to and from both neighbours.
  const int iterations = std::max(1, (shape.events - 2 * p) / (4 * p));
  const int migrateEvery =
      shape.migrations > 0 ? std::max(1, iterations / (shape.migrations + 1)) : 0;
  long migration = 0;
  for (int it = 0; it < iterations; ++it) {
    const double t0 = 0.05 + it * shape.iterationSeconds;
    for (int r = 0; r < p; ++r) {
      for (const int step : {1, p - 1}) {
        const int to = (r + step) % p;
        const long s = ++seq[static_cast<std::size_t>(r) * p + to];
        const double sent = t0 + shape.iterationSeconds * (0.6 + 0.2 * jitter(random));
        const bool sameHost = hostOf[r] == hostOf[to];
        const double latency = (sameHost ? 0.0002 : 0.001) + 0.002 * jitter(random);
        const double bytes = 8192 * (1 + it % 4);
        events.push_back({sent,
                          QStringLiteral("message-sent"),
                          {{"process", r + 1},
                           {"group", 1},
                           {"rank", r},
                           {"to_rank", to},
                           {"to_process", to + 1},
                           {"tag", step == 1 ? 1 : 2},
                           {"bytes", bytes},
                           {"seq", double(s)}}});
        QJsonObject received{{"process", to + 1},
                             {"group", 1},
                             {"rank", to},
                             {"from_rank", r},
                             {"from_process", r + 1},
                             {"tag", step == 1 ? 1 : 2},
                             {"bytes", bytes},
                             {"seq", double(s)}};
        const double wait = jitter(random) < 0.3 ? 1000 * latency * jitter(random) : 0;
        if (wait > 0)
          received.insert("wait_ms", wait);
        events.push_back({sent + latency, QStringLiteral("message-received"), received});
      }
    }
    if (migrateEvery && it % migrateEvery == migrateEvery - 1 && migration < shape.migrations) {
      const int r = static_cast<int>(random() % p);
      const int to = (hostOf[r] + 1) % shape.hosts;
      const double m0 = t0 + shape.iterationSeconds * 0.9;
      const double collect = 0.004, transfer = 0.004, restore = 0.02;
      const QString from = hostName(hostOf[r]), dest = hostName(to);
      const double id = double(++migration);
      const QJsonObject base{{"migration", id}, {"process", r + 1}};
      auto phase = [&](double t, const char *name, const char *state, double ms) {
        QJsonObject data = base;
        data.insert("phase", name);
        data.insert("state", state);
        if (ms >= 0) {
          data.insert("ms", ms);
          data.insert("bytes", 8022991);
        }
        events.push_back({t, QStringLiteral("migration-phase"), data});
      };
      events.push_back({m0,
                        QStringLiteral("migration-started"),
                        {{"migration", id},
                         {"process", r + 1},
                         {"program", "snow-migratable-mg"},
                         {"from", from},
                         {"to", dest}}});
      phase(m0, "collect", "begin", -1);
      phase(m0, "transfer", "begin", -1);
      phase(m0 + collect, "collect", "end", collect * 1000);
      events.push_back({m0 + collect,
                        QStringLiteral("channel-drain"),
                        {{"process", r + 1},
                         {"group", 1},
                         {"rank", r},
                         {"peers", 2},
                         {"messages", 3},
                         {"ms", 1.5}}});
      phase(m0 + collect + transfer, "transfer", "end", transfer * 1000);
      phase(m0 + collect + transfer, "restore", "begin", -1);
      phase(m0 + collect + transfer + restore, "restore", "end", restore * 1000);
      const double end = m0 + collect + transfer + restore;
      events.push_back({end,
                        QStringLiteral("migration-done"),
                        {{"migration", id},
                         {"process", r + 1},
                         {"program", "snow-migratable-mg"},
                         {"from", from},
                         {"to", dest},
                         {"bytes", 8022991},
                         {"collect_ms", collect * 1000},
                         {"transfer_ms", transfer * 1000},
                         {"restore_ms", restore * 1000},
                         {"total_ms", (end - m0) * 1000},
                         {"pipelined", true}}});
      for (const int peer : {(r + 1) % p, (r + p - 1) % p})
        events.push_back({end,
                          QStringLiteral("channel-redirect"),
                          {{"process", peer + 1}, {"group", 1}, {"rank", peer}, {"peer_rank", r}}});
      hostOf[r] = to;
    }
  }
  const double last = 0.05 + iterations * shape.iterationSeconds + 0.01;
  for (int r = 0; r < p; ++r)
    events.push_back({last,
                      QStringLiteral("process-exited"),
                      {{"process", r + 1},
                       {"program", "snow-migratable-mg"},
                       {"host", hostName(hostOf[r])},
                       {"status", 0}}});
  std::stable_sort(
      events.begin(), events.end(),
      [](const SchedulerEvent &a, const SchedulerEvent &b) { return a.time < b.time; });
  return events;
}

} // namespace snow::monitor
