// A made-up but plausible run for tests and the benchmark: ranks of one
// group exchanging halos with their neighbours in iterations (as NAS MG
// does), spread over hosts, with a migration now and then. Deterministic
// for a given seed.
#pragma once

#include "scheduler_event.hpp"

namespace snow::monitor {

struct SyntheticTraceShape {
  int events = 10000; // about this many events in all
  int processes = 16;
  int hosts = 4;
  int migrations = 8;             // spread evenly over the run
  double iterationSeconds = 0.01; // compute time between exchanges
  unsigned seed = 1;
};

SchedulerEvents syntheticTrace(const SyntheticTraceShape &shape);

} // namespace snow::monitor
