#include "core/synapse_store.hpp"

#include <algorithm>

namespace apical {

synapse_store synapse_store::build(std::vector<entry>&& e, std::uint32_t n_sources) {
  // Rows ordered by (source, delay, receptor) with two stable counting passes
  // (least significant key first), O(n): the per-row stable_sort it replaces was
  // a quarter of the microcircuit's construction time. Within equal keys the
  // generation order stays, which is deterministic and the same for any
  // partitioning (generation is by projection, then by target's row stream).
  {
    std::uint32_t max_key = 0;
    for (const entry& x : e) max_key = std::max<std::uint32_t>(max_key, x.delay * 4u + x.receptor);
    std::vector<entry> tmp(e.size());
    auto counting_pass = [&](std::vector<entry>& from, std::vector<entry>& to, std::size_t buckets, auto key) {
      std::vector<std::uint32_t> start(buckets + 1, 0);
      for (const entry& x : from) ++start[key(x) + 1];
      for (std::size_t i = 0; i < buckets; ++i) start[i + 1] += start[i];
      for (const entry& x : from) to[start[key(x)]++] = x;
    };
    counting_pass(e, tmp, std::size_t(max_key) + 1, [](const entry& x) { return x.delay * 4u + x.receptor; });
    counting_pass(tmp, e, n_sources, [](const entry& x) { return x.source; });
  }
  synapse_store s;
  s.row_.assign(std::size_t(n_sources) + 1, 0);
  s.syn_.reserve(e.size());
  std::size_t i = 0;
  for (std::uint32_t src = 0; src < n_sources; ++src) {
    s.row_[src] = static_cast<std::uint32_t>(s.groups_.size());
    while (i < e.size() && e[i].source == src) {
      delay_group g{static_cast<std::uint32_t>(s.syn_.size()), 0, e[i].delay, e[i].receptor};
      while (i < e.size() && e[i].source == src && e[i].delay == g.delay && e[i].receptor == g.receptor) {
        s.syn_.push_back({e[i].target, e[i].weight});
        ++i;
      }
      g.end = static_cast<std::uint32_t>(s.syn_.size());
      s.max_delay_ = std::max(s.max_delay_, g.delay);
      s.groups_.push_back(g);
    }
  }
  s.row_[n_sources] = static_cast<std::uint32_t>(s.groups_.size());
  std::vector<entry>().swap(e);
  s.groups_.shrink_to_fit();
  return s;
}

std::size_t synapse_store::bytes() const {
  return syn_.capacity() * sizeof(synapse) + groups_.capacity() * sizeof(delay_group) + row_.capacity() * sizeof(std::uint32_t);
}

}  // namespace apical
