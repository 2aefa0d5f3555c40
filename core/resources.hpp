#pragma once
// Process resources for run summaries.
#include <cstddef>

namespace apical {

/// Peak resident memory of this process so far, in bytes.
std::size_t peak_memory_bytes();

}  // namespace apical
