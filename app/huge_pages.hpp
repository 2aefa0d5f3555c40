#pragma once
// Transparent huge pages for the program's large blocks (app/huge_pages.cpp,
// which also replaces the program's operator new).
#include <cstddef>

namespace apical {

/// Bytes of an x86-64 huge page, and the block size from which the program's
/// operator new asks for them.
inline constexpr std::size_t huge_page_bytes = std::size_t(2) << 20;

/// Asks the kernel to back the whole huge pages inside [p, p + bytes) with
/// transparent huge pages (madvise MADV_HUGEPAGE; nothing elsewhere than Linux).
void advise_huge_pages(void* p, std::size_t bytes) noexcept;

}  // namespace apical
