#include "core/synapse_store.hpp"

#include <algorithm>

namespace apical {

synapse_store synapse_store::build(std::vector<entry>&& e, std::uint32_t n_sources) {
  // Stable counting sort by source (O(n)), then a stable sort of each row by
  // (delay, receptor, target) where it is not already in that order.
  {
    std::vector<std::uint32_t> start(std::size_t(n_sources) + 1, 0);
    for (const entry& x : e) ++start[x.source + 1];
    for (std::uint32_t i = 0; i < n_sources; ++i) start[i + 1] += start[i];
    std::vector<entry> sorted(e.size());
    for (const entry& x : e) sorted[start[x.source]++] = x;
    e.swap(sorted);
  }
  const auto row_less = [](const entry& a, const entry& b) {
    if (a.delay != b.delay) return a.delay < b.delay;
    if (a.receptor != b.receptor) return a.receptor < b.receptor;
    return a.target < b.target;
  };
  for (std::size_t b = 0; b < e.size();) {
    std::size_t f = b;
    while (f < e.size() && e[f].source == e[b].source) ++f;
    if (!std::is_sorted(e.begin() + b, e.begin() + f, row_less)) std::stable_sort(e.begin() + b, e.begin() + f, row_less);
    b = f;
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
