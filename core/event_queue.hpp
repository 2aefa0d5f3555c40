#pragma once
// The per-partition queue of incoming events: one entry per (spike, delay group),
// never per synapse. A calendar queue with one bucket per step on a ring that
// spans the longest delay (Brown 1988): push and pop are O(1), and the drain
// order inside a bucket is fixed by the global spike order, so it never depends
// on threads. bench/queue_bench.cpp compares it with a binary and a 4-ary heap:
// 2-4 ns per entry against 80-200 and 115-260 ns (bench/RESULTS.md).
#include <cstdint>
#include <vector>

#include "core/time.hpp"

namespace apical {

struct queue_entry {
  double offset;          ///< ms inside the arrival step
  std::uint32_t group;    ///< delay group in the partition's synapse store
  std::uint32_t source;   ///< global source id (orders equal-time entries)
};

class calendar_queue {
 public:
  /// horizon: the largest (arrival - current step) that will ever be pushed.
  void reset(step_t horizon) {
    std::size_t n = 1;
    while (n < static_cast<std::size_t>(horizon) + 1) n <<= 1;
    buckets_.assign(n, {});
    mask_ = n - 1;
  }
  void push(step_t arrival, const queue_entry& e) { buckets_[static_cast<std::size_t>(arrival) & mask_].push_back(e); }
  std::vector<queue_entry>& bucket(step_t k) { return buckets_[static_cast<std::size_t>(k) & mask_]; }

 private:
  std::vector<std::vector<queue_entry>> buckets_;
  std::size_t mask_ = 0;
};

}  // namespace apical
