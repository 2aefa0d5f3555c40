#include "core/recorder.hpp"

#include <algorithm>

namespace apical {

void log_spikes(std::vector<spike_log>& logs, const std::vector<spike>& window, double h) {
  // logs are in global-id order; find each spike's population by binary search
  for (const spike& s : window) {
    auto it = std::upper_bound(logs.begin(), logs.end(), s.source,
                               [](std::uint32_t id, const spike_log& l) { return id < l.first; });
    spike_log& l = *(it - 1);
    ++l.count;
    if (l.stored) {
      l.node_ids.push_back(s.source - l.first);
      l.times.push_back(double(s.step) * h + s.offset);
    }
  }
}

}  // namespace apical
