#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "core/spike_list.hpp"
#include "core/spike_merge.hpp"

using namespace apical;

namespace {
/// Runs as partitions emit them: run r holds sources [100 r, 100 r + 100), its
/// spikes sorted by step; with `offsets`, precise times inside the step; with
/// `shuffle_sources`, a step's spikes of a run in no particular source order.
std::vector<std::vector<spike>> partition_runs(std::mt19937_64& rng, int runs, int steps, bool offsets, bool shuffle_sources) {
  std::vector<std::vector<spike>> out(static_cast<std::size_t>(runs));
  std::bernoulli_distribution fires(0.05);
  std::uniform_real_distribution<double> offset(0.0, 0.1);
  for (int r = 0; r < runs; ++r)
    for (step_t k = 10; k < 10 + steps; ++k) {
      const std::size_t first = out[std::size_t(r)].size();
      for (std::uint32_t n = 0; n < 100; ++n)
        if (fires(rng)) out[std::size_t(r)].push_back({k, offsets ? offset(rng) : 0.0, std::uint32_t(100 * r) + n});
      if (shuffle_sources) std::shuffle(out[std::size_t(r)].begin() + std::ptrdiff_t(first), out[std::size_t(r)].end(), rng);
    }
  return out;
}

std::vector<spike> merged(const std::vector<std::vector<spike>>& runs) {
  std::vector<std::span<const spike>> spans(runs.begin(), runs.end());
  std::vector<spike> out = {{1, 0.0, 1}};   // replaced, not appended to
  std::vector<std::size_t> cursor;
  merge_spike_runs(spans, out, cursor);
  return out;
}

std::vector<spike> sorted(const std::vector<std::vector<spike>>& runs) {
  std::vector<spike> all;
  for (const auto& r : runs) all.insert(all.end(), r.begin(), r.end());
  std::sort(all.begin(), all.end());
  return all;
}
}  // namespace

TEST_CASE("merge_spike_runs gives the spikes in spike order, as sorting them all does") {
  std::mt19937_64 rng(7);
  for (int runs : {1, 2, 5, 17})
    for (bool offsets : {false, true})
      for (bool shuffle : {false, true}) {
        const auto in = partition_runs(rng, runs, 40, offsets, shuffle);
        INFO(runs << " runs, offsets " << offsets << ", shuffled sources " << shuffle);
        const auto expected = sorted(in);
        REQUIRE(expected.size() > 100);
        CHECK(merged(in) == expected);
      }
}

TEST_CASE("merge_spike_runs: runs in any order, empty runs, and a run out of step order") {
  std::mt19937_64 rng(11);
  auto in = partition_runs(rng, 6, 30, false, false);
  std::reverse(in.begin(), in.end());   // sources descend from run to run
  in.insert(in.begin() + 2, std::vector<spike>{});
  CHECK(merged(in) == sorted(in));
  std::reverse(in[0].begin(), in[0].end());   // not sorted by step: the whole is sorted instead
  CHECK(merged(in) == sorted(in));
  CHECK(merged({}).empty());
  CHECK(merged({{}, {}}).empty());
}

namespace {
/// The runs as partitions keep them (core/spike_list.hpp), appended a window
/// of `window` steps at a time as the run loop does.
std::vector<spike_list> kept_lists(const std::vector<std::vector<spike>>& runs, step_t window) {
  std::vector<spike_list> out(runs.size());
  for (std::size_t r = 0; r < runs.size(); ++r)
    for (std::size_t i = 0; i < runs[r].size();) {
      std::size_t j = i;
      while (j < runs[r].size() && runs[r][j].step / window == runs[r][i].step / window) ++j;
      out[r].append(std::span<const spike>(runs[r]).subspan(i, j - i));
      i = j;
    }
  return out;
}

/// The lists joined in `chunks` step ranges, each written at its own place (as
/// simulation::log_kept_spikes does in parallel), as spike records again.
std::vector<spike> joined(const std::vector<spike_list>& lists, std::size_t chunks, std::uint32_t first) {
  const double h = 0.1;
  std::vector<const spike_list*> ptrs;
  std::size_t n = 0;
  step_t lo = std::numeric_limits<step_t>::max(), hi = std::numeric_limits<step_t>::min();
  for (const auto& l : lists) {
    ptrs.push_back(&l);
    n += l.size();
    if (l.empty()) continue;
    lo = std::min(lo, l.steps().front().step);
    hi = std::max(hi, l.steps().back().step + 1);
  }
  std::vector<std::uint64_t> ids(n, ~std::uint64_t(0));
  std::vector<double> times(n, -1.0);
  std::vector<std::pair<double, std::uint32_t>> segment;
  std::size_t written = 0;
  for (std::size_t c = 0; c < chunks && n > 0; ++c) {
    const step_t a = lo + (hi - lo) * step_t(c) / step_t(chunks), b = lo + (hi - lo) * step_t(c + 1) / step_t(chunks);
    std::size_t at = 0;
    for (const auto& l : lists) at += l.first_of(l.entry_at(a));
    written += join_spike_lists(ptrs, a, b, first, h, ids.data() + at, times.data() + at, segment);
  }
  CHECK(written == n);
  // back to spike records: step from the time (exact here: h = 0.1, offsets < h)
  std::vector<spike> out;
  for (std::size_t i = 0; i < n; ++i) {
    const step_t k = std::llround(std::floor(times[i] / h + 1e-9));
    out.push_back({k, times[i] - double(k) * h, std::uint32_t(ids[i]) + first});
  }
  return out;
}
}  // namespace

TEST_CASE("spike_list keeps what it is given, its offsets only once one is off the grid") {
  std::mt19937_64 rng(3);
  for (bool offsets : {false, true}) {
    auto in = partition_runs(rng, 1, 50, offsets, true)[0];
    // on the grid up to step 30, then (with offsets) off it: earlier offsets read 0
    for (spike& s : in)
      if (s.step < 30) s.offset = 0.0;
    spike_list l;
    l.append(std::span<const spike>(in).first(in.size() / 2));
    l.append(std::span<const spike>(in).subspan(in.size() / 2));
    CHECK(l.size() == in.size());
    CHECK(l.to_spikes() == in);
    CHECK(l.steps_sorted());
    for (const auto& e : l.steps()) CHECK(e.end <= l.size());
    l.clear();
    CHECK(l.empty());
    CHECK(l.to_spikes().empty());
  }
  spike_list off;   // the very first spike off the grid
  off.append(std::vector<spike>{{3, 0.05, 1}, {3, 0.0, 2}});
  CHECK(off.offset(0) == 0.05);
  CHECK(off.offset(1) == 0.0);
  spike_list back;
  back.append(std::vector<spike>{{5, 0.0, 1}, {4, 0.0, 2}, {4, 0.0, 0}});
  CHECK_FALSE(back.steps_sorted());
  CHECK(back.steps().size() == 2);
}

TEST_CASE("join_spike_lists writes the lists in spike order, chunk by chunk, as merge_spike_runs orders them") {
  std::mt19937_64 rng(19);
  for (int runs : {1, 2, 5})
    for (bool offsets : {false, true})
      for (bool shuffle : {false, true})
        for (step_t window : {1, 7})
          for (std::size_t chunks : {1, 3, 8}) {
            auto in = partition_runs(rng, runs, 40, offsets, shuffle);
            if (runs > 1) in.insert(in.begin() + 1, std::vector<spike>{});   // a partition without spikes
            INFO(runs << " runs, offsets " << offsets << ", shuffled " << shuffle << ", window " << window << ", chunks " << chunks);
            const auto expected = merged(in);
            REQUIRE(expected.size() > 50);
            const auto got = joined(kept_lists(in, window), chunks, 0);
            REQUIRE(got.size() == expected.size());
            bool same = true;
            for (std::size_t i = 0; i < got.size(); ++i)
              same = same && got[i].step == expected[i].step && got[i].source == expected[i].source &&
                     std::abs(got[i].offset - expected[i].offset) < 1e-12;
            CHECK(same);
          }
  CHECK(joined({}, 4, 0).empty());
  CHECK(joined(std::vector<spike_list>(3), 4, 0).empty());
}
