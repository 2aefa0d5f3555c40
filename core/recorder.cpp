#include "core/recorder.hpp"

#include <algorithm>

namespace apical {

namespace {
struct fnv1a {
  std::uint64_t h = 0xcbf29ce484222325ull;
  void add(const void* data, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ull;
  }
};
}  // namespace

std::uint64_t spike_hash(const std::vector<spike_log>& logs) {
  fnv1a f;
  for (const auto& l : logs) {
    if (!l.stored) continue;
    f.add(l.population.data(), l.population.size());
    f.add(l.node_ids.data(), l.node_ids.size() * sizeof(std::uint64_t));
    f.add(l.times.data(), l.times.size() * sizeof(double));
  }
  return f.h;
}

std::uint64_t state_hash(const std::vector<state_log>& logs) {
  fnv1a f;
  for (const auto& l : logs) {
    f.add(l.population.data(), l.population.size());
    f.add(l.data.data(), l.data.size() * sizeof(double));
  }
  return f.h;
}

std::uint64_t weight_hash(std::span<const weight_table> tables) {
  fnv1a f;
  for (const auto& t : tables) {
    f.add(t.projection.data(), t.projection.size());
    f.add(t.sources.data(), t.sources.size() * sizeof(std::uint64_t));
    f.add(t.targets.data(), t.targets.size() * sizeof(std::uint64_t));
    f.add(t.weights.data(), t.weights.size() * sizeof(double));
  }
  return f.h;
}

void log_spikes(std::vector<spike_log>& logs, const std::vector<spike>& window, double h) {
  // logs are in global-id order; find each spike's population by binary search
  for (const spike& s : window) {
    auto it = std::upper_bound(logs.begin(), logs.end(), s.source,
                               [](std::uint32_t id, const spike_log& l) { return id < l.first; });
    spike_log& l = *(it - 1);
    ++l.count;
    ++l.total;
    if (l.stored) {
      l.node_ids.push_back(s.source - l.first);
      l.times.push_back(double(s.step) * h + s.offset);
    }
  }
}

}  // namespace apical
