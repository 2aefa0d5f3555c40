#pragma once
// Merging the partitions' spike lists into one list in spike order (step,
// offset, source) without sorting it whole. Each partition emits its spikes
// step by step, so its list is sorted by step; the partitions hold ascending
// ranges of global ids, so within one step the lists laid end to end in
// partition order are, for grid neurons (offset 0, emitted in index order),
// already in order. A std::sort of each window's spikes was the largest part
// of the run loop's serial exchange, which every other thread waits for: with
// 16 threads it and the spike log took 0.062 s of COBA 64k's 0.216 s per
// simulated second (bench/RESULTS.md, 16 threads).
#include <algorithm>
#include <limits>
#include <span>
#include <vector>

#include "core/time.hpp"

namespace apical {

/// Whether a list of spikes is in step order, as a partition emits them.
inline bool sorted_by_step(std::span<const spike> r) {
  return std::is_sorted(r.begin(), r.end(), [](const spike& a, const spike& b) { return a.step < b.step; });
}

/// Replaces `out` by the spikes of `runs` in spike order. Each run must be
/// sorted by step (the partitions' lists are); a run that is not sends the
/// whole to std::sort, so the result is right in any case. A step's segment
/// is sorted only when it is out of order (precise spikes with offsets, or a
/// source emitting out of index order). `cursor` is scratch space.
inline void merge_spike_runs(std::span<const std::span<const spike>> runs, std::vector<spike>& out,
                             std::vector<std::size_t>& cursor) {
  out.clear();
  bool steps_sorted = true;
  std::size_t total = 0;
  for (const auto& r : runs) {
    steps_sorted = steps_sorted && sorted_by_step(r);
    total += r.size();
  }
  out.reserve(total);
  if (!steps_sorted) {
    for (const auto& r : runs) out.insert(out.end(), r.begin(), r.end());
    std::sort(out.begin(), out.end());
    return;
  }
  cursor.assign(runs.size(), 0);
  // one round per step that holds spikes: that step's spikes of each run in turn
  while (out.size() < total) {
    step_t next = std::numeric_limits<step_t>::max();
    for (std::size_t i = 0; i < runs.size(); ++i)
      if (cursor[i] < runs[i].size()) next = std::min(next, runs[i][cursor[i]].step);
    const std::size_t segment = out.size();
    for (std::size_t i = 0; i < runs.size(); ++i) {
      std::size_t& c = cursor[i];
      const std::span<const spike> r = runs[i];
      const std::size_t c0 = c;
      while (c < r.size() && r[c].step == next) ++c;
      out.insert(out.end(), r.begin() + std::ptrdiff_t(c0), r.begin() + std::ptrdiff_t(c));
    }
    if (!std::is_sorted(out.begin() + std::ptrdiff_t(segment), out.end()))
      std::sort(out.begin() + std::ptrdiff_t(segment), out.end());
  }
}

}  // namespace apical
