#include <doctest/doctest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "core/window_team.hpp"

using namespace apical;

TEST_CASE("run_windows: every thread's work of a window ends before serial(), which runs between windows") {
  for (int threads : {1, 2, 3}) {
    std::vector<int> done(std::size_t(threads), 0);   // windows finished per thread
    int windows = 0;
    bool in_order = true;
    run_windows(
        threads, [&](int t) { ++done[std::size_t(t)]; },
        [&] {
          ++windows;
          for (int d : done) in_order = in_order && d == windows;   // each thread's writes are visible here
          return windows < 200;
        });
    INFO("threads = " << threads);
    CHECK(windows == 200);
    CHECK(in_order);
    for (int d : done) CHECK(d == 200);
  }
}

TEST_CASE("run_windows: an exception in a thread's work stops the team after that window and reaches the caller") {
  int windows = 0;
  std::atomic<int> calls{0};
  auto work = [&](int t) {
    ++calls;
    if (t == 1 && windows == 5) throw std::runtime_error("partition failed");
  };
  CHECK_THROWS_WITH(run_windows(2, work, [&] { return ++windows < 100; }), "partition failed");
  CHECK(windows == 5);       // serial() did not run after the failed window
  CHECK(calls.load() == 12);  // six windows of two threads
}
