#pragma once
// A partition's recorded spikes during a run, and their join into a
// population's spike log when the run ends.
//
// Compact because every byte a run records lands on memory touched for the
// first time: on this project's VMs a first touch of 4 KiB is a page fault of
// ~10 us, and a 1 s COBA run spent 3 ms of its 0.032 s faulting in the 24-byte
// spikes it kept (2026-12-03, bench/RESULTS.md "Recorded spikes in 4 bytes").
// Here a spike is its source (4 bytes); its step is stored once per step that
// holds spikes (a partition emits step by step), and its offset only once a
// spike off the grid has arrived (precise neurons, spike sources).
#include <algorithm>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "core/time.hpp"

namespace apical {

class spike_list {
 public:
  /// The spikes [previous entry's end, end) carry step `step`.
  struct step_entry {
    step_t step;
    std::size_t end;
  };

  /// Appends spikes in the order given (a partition's outbox: by step).
  void append(std::span<const spike> spikes) {
    for (const spike& s : spikes) {
      if (steps_.empty() || steps_.back().step != s.step) steps_.push_back({s.step, sources_.size()});
      if (s.offset != 0.0 && !off_grid_) {
        off_grid_ = true;
        offsets_.assign(sources_.size(), 0.0);
      }
      if (off_grid_) offsets_.push_back(s.offset);
      sources_.push_back(s.source);
      steps_.back().end = sources_.size();
    }
  }
  void clear() {
    steps_.clear();
    sources_.clear();
    offsets_.clear();
    off_grid_ = false;
  }
  std::size_t size() const { return sources_.size(); }
  bool empty() const { return sources_.empty(); }
  std::span<const step_entry> steps() const { return steps_; }
  /// Spike i's source and offset (ms inside its step).
  std::uint32_t source(std::size_t i) const { return sources_[i]; }
  double offset(std::size_t i) const { return off_grid_ ? offsets_[i] : 0.0; }
  /// Whether the steps ascend entry by entry (they do as partitions emit).
  bool steps_sorted() const {
    return std::is_sorted(steps_.begin(), steps_.end(), [](const step_entry& a, const step_entry& b) { return a.step < b.step; });
  }
  /// The index of the first step entry at or after step k (steps sorted).
  std::size_t entry_at(step_t k) const {
    return std::size_t(std::lower_bound(steps_.begin(), steps_.end(), k, [](const step_entry& e, step_t s) { return e.step < s; }) -
                       steps_.begin());
  }
  /// The index of the first spike of entry e (size() for e past the last).
  std::size_t first_of(std::size_t e) const { return e == 0 ? 0 : steps_[e - 1].end; }
  /// The spikes as spike records, in list order.
  std::vector<spike> to_spikes() const {
    std::vector<spike> out;
    out.reserve(size());
    std::size_t i = 0;
    for (const step_entry& e : steps_)
      for (; i < e.end; ++i) out.push_back({e.step, offset(i), sources_[i]});
    return out;
  }

 private:
  std::vector<step_entry> steps_;
  std::vector<std::uint32_t> sources_;
  std::vector<double> offsets_;   // one per spike once one is off the grid, else empty
  bool off_grid_ = false;
};

/// Writes the spikes of `lists` with steps in [a, b) in spike order (step,
/// offset, source), as merge_spike_runs orders them (core/spike_merge.hpp),
/// to node_ids[i] = source - first and times[i] = step h + offset from i = 0;
/// returns how many. The lists' steps must ascend (spike_list::steps_sorted)
/// and the lists hold ascending ranges of sources. Within a step the lists'
/// spikes laid end to end in list order are already in order for grid
/// neurons; a step's segment that is not is sorted. `segment` is scratch space.
inline std::size_t join_spike_lists(std::span<const spike_list* const> lists, step_t a, step_t b, std::uint32_t first,
                                    double h, std::uint64_t* node_ids, double* times,
                                    std::vector<std::pair<double, std::uint32_t>>& segment) {
  // per list: the next step entry and the entry where [a, b) ends
  std::vector<std::pair<std::size_t, std::size_t>> at(lists.size());
  for (std::size_t r = 0; r < lists.size(); ++r) at[r] = {lists[r]->entry_at(a), lists[r]->entry_at(b)};
  std::size_t n = 0;
  for (;;) {
    step_t next = b;
    for (std::size_t r = 0; r < lists.size(); ++r)
      if (at[r].first < at[r].second) next = std::min(next, lists[r]->steps()[at[r].first].step);
    if (next == b) return n;
    segment.clear();
    for (std::size_t r = 0; r < lists.size(); ++r) {
      auto& [e, end] = at[r];
      if (e == end || lists[r]->steps()[e].step != next) continue;
      const spike_list& l = *lists[r];
      for (std::size_t i = l.first_of(e); i < l.steps()[e].end; ++i) segment.emplace_back(l.offset(i), l.source(i));
      ++e;
    }
    if (!std::is_sorted(segment.begin(), segment.end())) std::sort(segment.begin(), segment.end());
    for (const auto& [offset, source] : segment) {
      node_ids[n] = source - first;
      times[n++] = double(next) * h + offset;
    }
  }
}

}  // namespace apical
