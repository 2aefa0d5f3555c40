#include "core/synapse_store.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>

namespace apical {

synapse_store synapse_store::build(std::vector<entry>&& e, std::uint32_t n_sources) {
  std::vector<entry> entries = std::move(e), scratch;
  return build(entries, scratch, n_sources);
}

synapse_store synapse_store::build(std::vector<entry>& e, std::vector<entry>& tmp, std::uint32_t n_sources) {
  // Rows ordered by (source, delay, receptor) with two stable counting passes
  // (least significant key first), O(n): the per-row stable_sort it replaces was
  // a quarter of the microcircuit's construction time. Within equal keys the
  // generation order stays, which is deterministic and the same for any
  // partitioning (generation is by projection, then by target's row stream).
  {
    std::uint32_t max_key = 0;
    for (const entry& x : e) max_key = std::max<std::uint32_t>(max_key, x.delay * 4u + x.receptor);
    tmp.resize(e.size());
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
  s.target_.reserve(e.size());
  std::vector<float> w;   // the group's weights
  std::size_t i = 0;
  for (std::uint32_t src = 0; src < n_sources; ++src) {
    s.row_[src] = static_cast<std::uint32_t>(s.groups_.size());
    while (i < e.size() && e[i].source == src) {
      delay_group g{static_cast<std::uint32_t>(s.target_.size()), 0, e[i].delay, static_cast<std::uint8_t>(e[i].receptor), false, 0};
      w.clear();
      while (i < e.size() && e[i].source == src && e[i].delay == g.delay && e[i].receptor == g.receptor) {
        s.target_.push_back(e[i].target);
        w.push_back(e[i].weight);
        ++i;
      }
      g.end = static_cast<std::uint32_t>(s.target_.size());
      s.close_group(g, w);
    }
  }
  s.row_[n_sources] = static_cast<std::uint32_t>(s.groups_.size());
  e.clear();
  s.groups_.shrink_to_fit();
  s.weight_.shrink_to_fit();
  return s;
}

void synapse_store::close_group(delay_group& g, std::span<const float> weights) {
  const auto bits = [](float x) { return std::bit_cast<std::uint32_t>(x); };
  g.uniform = std::all_of(weights.begin(), weights.end(), [&](float x) { return bits(x) == bits(weights.front()); });
  if (g.uniform) {
    g.weight_slot = weights.empty() ? 0 : bits(weights.front());
  } else {
    g.weight_slot = static_cast<std::uint32_t>(weight_.size());
    weight_.insert(weight_.end(), weights.begin(), weights.end());
  }
  max_delay_ = std::max(max_delay_, g.delay);
  groups_.push_back(g);
}

std::vector<synapse> synapse_store::release_synapses() {
  std::vector<synapse> out(target_.size());
  for (const delay_group& g : groups_)
    for (std::uint32_t j = g.begin; j < g.end; ++j) out[j] = {target_[j], weight(g, j)};
  released_ = target_.size();
  std::vector<std::uint32_t>().swap(target_);
  std::vector<float>().swap(weight_);
  return out;
}

bool synapse_store::compact_rows() {
  if (compact_ || !target_.empty() || groups_.empty()) return false;
  std::uint32_t lo = UINT32_MAX, hi = 0;
  for (std::uint32_t src = 0; src + 1 < row_.size(); ++src) {
    if (row_[src + 1] - row_[src] > 1) return false;
    if (row_[src + 1] > row_[src]) lo = std::min(lo, src), hi = src + 1;
  }
  for (const delay_group& g : groups_)
    if (g.delay != groups_.front().delay || g.receptor != groups_.front().receptor) return false;
  // the groups lie in source order, each one's synapses right after the
  // previous one's (build and merge append them so)
  std::vector<std::uint32_t> start(std::size_t(hi - lo) + 1);
  std::uint32_t next = 0;
  for (std::uint32_t src = lo; src < hi; ++src) {
    start[src - lo] = next;
    if (row_[src + 1] > row_[src]) {
      const delay_group& g = groups_[row_[src]];
      if (g.begin != next) return false;
      next = g.end;
    }
  }
  start.back() = next;
  delay_ = groups_.front().delay;
  receptor_ = groups_.front().receptor;
  first_ = lo;
  span_ = hi - lo;
  row_ = std::move(start);
  std::vector<delay_group>().swap(groups_);
  compact_ = true;
  return true;
}

synapse_store synapse_store::merge(std::vector<synapse_store>&& blocks, std::uint32_t n_sources) {
  if (blocks.size() == 1) return std::move(blocks.front());
  synapse_store s;
  std::size_t total = 0, groups = 0;
  for (const auto& b : blocks) {
    total += b.target_.size();
    groups += b.groups_.size();
  }
  s.target_.reserve(total);
  s.groups_.reserve(groups);
  std::vector<float> w;   // the merged group's weights
  s.row_.assign(std::size_t(n_sources) + 1, 0);
  std::vector<std::size_t> head(blocks.size()), stop(blocks.size());
  for (std::uint32_t src = 0; src < n_sources; ++src) {
    s.row_[src] = static_cast<std::uint32_t>(s.groups_.size());
    for (std::size_t k = 0; k < blocks.size(); ++k) {
      const auto& b = blocks[k];
      head[k] = b.row_.empty() ? 0 : b.row_[src];
      stop[k] = b.row_.empty() ? 0 : b.row_[src + 1];
    }
    for (;;) {
      // the smallest (delay, receptor) at the heads of the blocks' rows
      std::uint32_t best = UINT32_MAX;
      for (std::size_t k = 0; k < blocks.size(); ++k)
        if (head[k] < stop[k]) {
          const delay_group& g = blocks[k].groups_[head[k]];
          best = std::min<std::uint32_t>(best, g.delay * 4u + g.receptor);
        }
      if (best == UINT32_MAX) break;
      delay_group out{static_cast<std::uint32_t>(s.target_.size()), 0, static_cast<std::uint16_t>(best / 4),
                      static_cast<std::uint8_t>(best % 4), false, 0};
      w.clear();
      for (std::size_t k = 0; k < blocks.size(); ++k) {
        if (head[k] >= stop[k]) continue;
        const auto& b = blocks[k];
        const delay_group& g = b.groups_[head[k]];
        if (g.delay * 4u + g.receptor != best) continue;
        s.target_.insert(s.target_.end(), b.target_.begin() + g.begin, b.target_.begin() + g.end);
        for (std::uint32_t j = g.begin; j < g.end; ++j) w.push_back(b.weight(g, j));
        ++head[k];
      }
      out.end = static_cast<std::uint32_t>(s.target_.size());
      s.close_group(out, w);
    }
  }
  s.row_[n_sources] = static_cast<std::uint32_t>(s.groups_.size());
  s.groups_.shrink_to_fit();
  s.weight_.shrink_to_fit();
  std::vector<synapse_store>().swap(blocks);
  return s;
}

std::size_t synapse_store::bytes() const {
  return target_.capacity() * sizeof(std::uint32_t) + weight_.capacity() * sizeof(float) +
         groups_.capacity() * sizeof(delay_group) + row_.capacity() * sizeof(std::uint32_t);
}

}  // namespace apical
