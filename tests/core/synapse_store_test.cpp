#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <vector>

#include "core/rng.hpp"
#include "core/synapse_store.hpp"

using namespace apical;

namespace {
/// Random entries in generation order: by projection, then by target.
std::vector<synapse_store::entry> random_entries(std::uint32_t targets, std::uint32_t t0, std::uint32_t t1) {
  std::vector<synapse_store::entry> out;
  for (std::uint32_t proj = 0; proj < 3; ++proj)
    for (std::uint32_t t = t0; t < t1; ++t) {
      stream_engine e(5, stream_tag::connectivity, proj, t);
      for (int k = 0; k < 12; ++k) {
        const auto src = static_cast<std::uint32_t>(e.uniform() * 40);
        const auto delay = static_cast<std::uint16_t>(1 + e.uniform() * 5);
        out.push_back({src, t, float(e.uniform()), delay, static_cast<std::uint16_t>(proj % 2)});
      }
    }
  return out;
}

/// The delay groups of `src`'s row, in order.
std::vector<delay_group> row_of(const synapse_store& s, std::uint32_t src) {
  std::vector<delay_group> out;
  for (auto [g, last] = s.row(src); g < last; ++g) out.push_back(s.group(g));
  return out;
}

/// For every target, the ordered list of (source, delay, receptor, weight) it
/// receives when sources' rows are visited in order: what fixes summation order.
std::map<std::uint32_t, std::vector<std::tuple<std::uint32_t, int, int, float>>> per_target(const synapse_store& s) {
  std::map<std::uint32_t, std::vector<std::tuple<std::uint32_t, int, int, float>>> m;
  for (std::uint32_t src = 0; src < 40; ++src)
    for (const auto& g : row_of(s, src))
      for (std::uint32_t j = g.begin; j < g.end; ++j)
        m[s.targets()[j]].push_back({src, g.delay, g.receptor, s.weight(g, j)});
  return m;
}
}  // namespace

TEST_CASE("a store built in blocks of targets and merged equals one built at once") {
  const std::uint32_t n = 90;
  auto whole = synapse_store::build(random_entries(n, 0, n), 40);
  std::vector<synapse_store> blocks;
  for (std::uint32_t b : {0u, 17u, 50u, 51u}) {
    const std::uint32_t e = b == 0 ? 17 : b == 17 ? 50 : b == 50 ? 51 : n;
    blocks.push_back(synapse_store::build(random_entries(n, b, e), 40));
  }
  auto merged = synapse_store::merge(std::move(blocks), 40);
  CHECK(merged.size() == whole.size());
  CHECK(merged.max_delay() == whole.max_delay());
  // one group per (source, delay, receptor), in the same order
  for (std::uint32_t src = 0; src < 40; ++src) {
    const auto a = row_of(whole, src), b = row_of(merged, src);
    REQUIRE(a.size() == b.size());
    for (std::size_t k = 0; k < a.size(); ++k) {
      CHECK(a[k].delay == b[k].delay);
      CHECK(a[k].receptor == b[k].receptor);
      CHECK(a[k].end - a[k].begin == b[k].end - b[k].begin);
    }
  }
  CHECK(per_target(whole) == per_target(merged));
}

TEST_CASE("a group whose synapses share one weight holds it once: 4 bytes a synapse, the same weights") {
  // projection 0 and 2 with one weight each, projection 1 drawn: rows mixing
  // projections 0 and 2 (same receptor) are mixed, those of 0 or 2 alone uniform
  auto entries = [](std::uint32_t t0, std::uint32_t t1) {
    auto out = random_entries(90, t0, t1);
    for (auto& x : out)
      if (x.receptor == 0) x.weight = x.delay % 2 ? 0.25f : -1.5f;   // one weight per (delay parity)
    return out;
  };
  auto whole = synapse_store::build(entries(0, 90), 40);
  std::size_t uniform = 0, mixed = 0;
  for (std::uint32_t src = 0; src < 40; ++src)
    for (const auto& g : row_of(whole, src)) {
      bool same = true;
      for (std::uint32_t j = g.begin; j < g.end; ++j) same = same && whole.weight(g, j) == whole.weight(g, g.begin);
      CHECK(g.uniform == same);
      (g.uniform ? uniform : mixed) += 1;
    }
  CHECK(uniform > 20);
  CHECK(mixed > 20);
  // the weights are the entries' weights, target by target, in either layout
  std::map<std::uint32_t, std::vector<std::tuple<std::uint32_t, int, int, float>>> expected;
  {
    auto e = entries(0, 90);
    std::stable_sort(e.begin(), e.end(), [](const auto& a, const auto& b) {
      return std::tuple(a.source, a.delay, a.receptor) < std::tuple(b.source, b.delay, b.receptor);
    });
    for (const auto& x : e) expected[x.target].push_back({x.source, x.delay, x.receptor, x.weight});
  }
  CHECK(per_target(whole) == expected);
  // merged from blocks: a group stays uniform only where all its blocks share the weight
  std::vector<synapse_store> blocks;
  blocks.push_back(synapse_store::build(entries(0, 45), 40));
  blocks.push_back(synapse_store::build(entries(45, 90), 40));
  auto merged = synapse_store::merge(std::move(blocks), 40);
  CHECK(per_target(merged) == expected);
  for (std::uint32_t src = 0; src < 40; ++src) {
    const auto a = row_of(whole, src), b = row_of(merged, src);
    for (std::size_t k = 0; k < a.size(); ++k) CHECK(b[k].uniform == a[k].uniform);
  }
  // release_synapses hands over (target, weight) in synapse order
  auto released = merged;
  const auto syn = released.release_synapses();
  REQUIRE(syn.size() == merged.size());
  for (std::uint32_t src = 0; src < 40; ++src)
    for (const auto& g : row_of(merged, src))
      for (std::uint32_t j = g.begin; j < g.end; ++j) {
        CHECK(syn[j].target == merged.targets()[j]);
        CHECK(syn[j].weight == merged.weight(g, j));
      }
  CHECK(released.size() == merged.size());
  // one weight for the whole store: 4 bytes a synapse plus rows and groups
  auto one = random_entries(90, 0, 90);
  for (auto& x : one) x.weight = 0.1f;
  const auto s = synapse_store::build(std::move(one), 40);
  std::size_t groups = 0;
  for (std::uint32_t src = 0; src < 40; ++src) groups += row_of(s, src).size();
  CHECK(s.bytes() == s.size() * 4 + groups * sizeof(delay_group) + 41 * 4);
}

TEST_CASE("a released store with one group per source and one delay keeps one offset per source, the same groups") {
  // sources 5..34 project (some of them to no target), one delay, one receptor
  std::vector<synapse_store::entry> e;
  for (std::uint32_t t = 0; t < 60; ++t) {
    stream_engine r(9, stream_tag::connectivity, 0, t);
    for (int k = 0; k < 6; ++k) e.push_back({5 + static_cast<std::uint32_t>(r.uniform() * 30), t, float(r.uniform()), 3, 1});
  }
  e.push_back({5, 7, 0.5f, 3, 1});
  e.push_back({34, 8, 0.5f, 3, 1});
  auto full = synapse_store::build(std::move(e), 40);
  full.release_synapses();
  auto compact = full;
  REQUIRE(compact.compact_rows());
  CHECK(compact.size() == full.size());
  CHECK(compact.max_delay() == 3);
  CHECK(compact.group_count() == 30);   // sources 5..34
  CHECK(compact.bytes() == 31 * 4);
  CHECK(full.bytes() == full.group_count() * sizeof(delay_group) + 41 * 4);
  std::size_t empty = 0;
  for (std::uint32_t src = 0; src < 40; ++src) {
    const auto a = row_of(full, src), b = row_of(compact, src);
    REQUIRE(a.size() == b.size());
    if (a.empty()) {
      empty += src >= 5 && src < 35;
      continue;
    }
    CHECK(compact.row(src).first == src - 5);
    CHECK(b[0].begin == a[0].begin);
    CHECK(b[0].end == a[0].end);
    CHECK(b[0].delay == 3);
    CHECK(b[0].receptor == 1);
  }
  CHECK(empty + full.group_count() == 30);
  CHECK_FALSE(compact.compact_rows());   // once
}

TEST_CASE("rows with two delays, two receptors or unreleased synapses are not compacted") {
  auto make = [](std::uint16_t d2, std::uint16_t r2, bool release) {
    std::vector<synapse_store::entry> e{{1, 0, 0.5f, 2, 0}, {2, 1, 0.5f, 2, 0}, {3, 0, 0.5f, d2, r2}};
    auto s = synapse_store::build(std::move(e), 5);
    if (release) s.release_synapses();
    return s;
  };
  CHECK(make(2, 0, true).compact_rows());
  CHECK_FALSE(make(4, 0, true).compact_rows());
  CHECK_FALSE(make(2, 1, true).compact_rows());
  CHECK_FALSE(make(2, 0, false).compact_rows());
  // a source with two groups
  std::vector<synapse_store::entry> two{{1, 0, 0.5f, 2, 0}, {1, 1, 0.5f, 3, 0}};
  auto s = synapse_store::build(std::move(two), 5);
  s.release_synapses();
  CHECK_FALSE(s.compact_rows());
}
