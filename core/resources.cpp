#include "core/resources.hpp"

#include <sys/resource.h>

namespace apical {

std::size_t peak_memory_bytes() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<std::size_t>(u.ru_maxrss) * 1024;   // Linux reports KiB
}

}  // namespace apical
