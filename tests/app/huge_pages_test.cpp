// The program's operator new asks for transparent huge pages over the whole
// 2 MiB pages of large blocks, and nowhere else (app/huge_pages.cpp; this test
// binary links that file, so it allocates as the program does). Read back
// from the kernel: a range given MADV_HUGEPAGE becomes a mapping of its own
// whose VmFlags in /proc/self/smaps hold "hg".
#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "app/huge_pages.hpp"

using namespace apical;

namespace {

struct mapping {
  std::uintptr_t begin = 0, end = 0;
  bool huge = false;   // VmFlags has "hg"
};

/// The mapping of this process that holds address a, from /proc/self/smaps.
std::optional<mapping> mapping_of(const void* p) {
  const auto a = reinterpret_cast<std::uintptr_t>(p);
  std::ifstream in("/proc/self/smaps");
  std::string line;
  std::optional<mapping> found;
  while (std::getline(in, line)) {
    std::uintptr_t lo = 0, hi = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> lo >> dash >> hi && dash == '-') {
      if (found) return found;   // the next mapping's header: the one found had no VmFlags line
      if (a >= lo && a < hi) found = mapping{lo, hi, false};
      continue;
    }
    if (found && line.rfind("VmFlags:", 0) == 0) {
      found->huge = (" " + line.substr(8) + " ").find(" hg ") != std::string::npos;
      return found;
    }
  }
  return found;
}

constexpr std::uintptr_t page = huge_page_bytes;
std::uintptr_t up(const void* p) { return (reinterpret_cast<std::uintptr_t>(p) + page - 1) / page * page; }
std::uintptr_t down(std::uintptr_t a) { return a / page * page; }

bool smaps_readable() {
  std::ifstream in("/proc/self/smaps");
  return in.good();
}

}  // namespace

TEST_CASE("advise_huge_pages: exactly the whole 2 MiB pages inside the block") {
  if (!smaps_readable()) {
    MESSAGE("no /proc/self/smaps here: not checked");
    return;
  }
  // 9 MiB from malloc (a mapping of its own): at least three whole huge pages
  const std::size_t bytes = std::size_t(9) << 20;
  std::unique_ptr<char, decltype(&std::free)> block(static_cast<char*>(std::malloc(bytes)), &std::free);
  REQUIRE(block);
  advise_huge_pages(block.get(), bytes);
  const std::uintptr_t first = up(block.get()), last = down(reinterpret_cast<std::uintptr_t>(block.get()) + bytes);
  const auto inside = mapping_of(reinterpret_cast<const void*>(first));
  REQUIRE(inside);
  CHECK(inside->huge);
  CHECK(inside->begin == first);
  CHECK(inside->end == last);
  // the block's start before its first whole page, when there is one, is not asked for
  if (first > reinterpret_cast<std::uintptr_t>(block.get())) {
    const auto head = mapping_of(block.get());
    REQUIRE(head);
    CHECK_FALSE(head->huge);
  }
}

#if !defined(__SANITIZE_ADDRESS__)
TEST_CASE("the program's operator new advises blocks of 2 MiB and more") {
  if (!smaps_readable()) {
    MESSAGE("no /proc/self/smaps here: not checked");
    return;
  }
  std::vector<double> large(std::size_t(1) << 20);   // 8 MiB through operator new
  const auto m = mapping_of(reinterpret_cast<const void*>(up(large.data())));
  REQUIRE(m);
  CHECK(m->huge);
  large[0] = large.back() = 1.0;   // the memory is usable
  CHECK(large[0] + large.back() == 2.0);
}
#endif
