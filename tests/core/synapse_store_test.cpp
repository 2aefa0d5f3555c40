#include <doctest/doctest.h>

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

/// For every target, the ordered list of (source, delay, receptor, weight) it
/// receives when sources' rows are visited in order: what fixes summation order.
std::map<std::uint32_t, std::vector<std::tuple<std::uint32_t, int, int, float>>> per_target(const synapse_store& s) {
  std::map<std::uint32_t, std::vector<std::tuple<std::uint32_t, int, int, float>>> m;
  for (std::uint32_t src = 0; src < 40; ++src)
    for (const auto& g : s.row(src))
      for (std::uint32_t j = g.begin; j < g.end; ++j)
        m[s.synapses()[j].target].push_back({src, g.delay, g.receptor, s.synapses()[j].weight});
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
    const auto a = whole.row(src), b = merged.row(src);
    REQUIRE(a.size() == b.size());
    for (std::size_t k = 0; k < a.size(); ++k) {
      CHECK(a[k].delay == b[k].delay);
      CHECK(a[k].receptor == b[k].receptor);
      CHECK(a[k].end - a[k].begin == b[k].end - b[k].begin);
    }
  }
  CHECK(per_target(whole) == per_target(merged));
}
