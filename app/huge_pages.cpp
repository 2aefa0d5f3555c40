// The apical program's operator new: glibc's malloc, and for blocks of 2 MiB
// and more a madvise(MADV_HUGEPAGE) over their whole 2 MiB pages before
// anything touches them, so that the kernel backs them with transparent huge
// pages (in the THP mode "madvise", this VM's, it does so only where asked).
// The large blocks are the network's: the synapse records and their sorted
// copy while it is built, the stores, the plastic weights, the spike lists.
// With 4 KiB pages every first touch of 4 KiB is a page fault (~5 us on this
// project's VMs; build time of Brunel's 15.6 million synapses was one third
// faults), and a delivery that jumps between rows of a 60 MB store misses the
// TLB at most rows. Measured with glibc's own switch for this
// (GLIBC_TUNABLES=glibc.malloc.hugetlb=1), then with this file: Brunel's
// build 1.6 s -> 0.95 s, page faults 109,000 -> 8,100, its run 4-9% shorter
// (alternated by itself; no different inside the Brian2 comparison);
// bench/RESULTS.md. Where THP is off ("never") madvise changes nothing.
//
// Only in the program and the test binary (which allocates as the program
// does; tests/app/huge_pages_test.cpp): other users of the library, as the
// Python module, keep their allocator. Not under AddressSanitizer, whose
// runtime replaces these functions itself.
#include <cstdint>
#include <cstdlib>
#include <new>

#include "app/huge_pages.hpp"

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace apical {

void advise_huge_pages(void* p, std::size_t bytes) noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  const auto begin = reinterpret_cast<std::uintptr_t>(p);
  const std::uintptr_t first = (begin + huge_page_bytes - 1) & ~(huge_page_bytes - 1);
  const std::uintptr_t last = (begin + bytes) & ~(huge_page_bytes - 1);
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);   // a hint: its failure changes nothing
#else
  (void)p, (void)bytes;
#endif
}

}  // namespace apical

#if !defined(__SANITIZE_ADDRESS__)

namespace {

void* allocate(std::size_t bytes) {
  void* p;
  while ((p = std::malloc(bytes == 0 ? 1 : bytes)) == nullptr) {
    const std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
  if (bytes >= apical::huge_page_bytes) apical::advise_huge_pages(p, bytes);
  return p;
}

}  // namespace

// The array, nothrow and sized forms call these two by default ([new.delete]).
void* operator new(std::size_t bytes) { return allocate(bytes); }
void operator delete(void* p) noexcept { std::free(p); }

#endif
