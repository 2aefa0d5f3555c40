#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <vector>

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
