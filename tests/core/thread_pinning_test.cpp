#include <doctest/doctest.h>

#include <cstdlib>
#include <thread>

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#endif

#include "core/thread_pinning.hpp"

using namespace apical;

#if defined(__linux__)
namespace {
int allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  pthread_getaffinity_np(pthread_self(), sizeof(set), &set);
  return CPU_COUNT(&set);
}
}  // namespace

TEST_CASE("thread_pinning: one CPU per thread while it lives, the caller's set back after, none when CPUs are short") {
  const int cpus = allowed_cpus();
  REQUIRE(cpus >= 1);
  SUBCASE("as many threads as CPUs") {
    if (cpus < 2) return;   // a 1-CPU machine has nothing to pin 2 threads to (CI has 2)
    {
      const thread_pinning p(2);
      CHECK(p.active());
      p.pin(0);
      CHECK(allowed_cpus() == 1);
      int worker_cpus = 0, worker_cpu = -1;
      std::thread w([&] {
        p.pin(1);
        worker_cpus = allowed_cpus();
        worker_cpu = sched_getcpu();
      });
      w.join();
      CHECK(worker_cpus == 1);
      CHECK(worker_cpu >= 0);
      CHECK(worker_cpu != sched_getcpu());   // the two threads run on different CPUs
    }
    CHECK(allowed_cpus() == cpus);
  }
  SUBCASE("more threads than CPUs, one thread, or APICAL_PIN_THREADS=0: nothing pinned") {
    CHECK_FALSE(thread_pinning(cpus + 1).active());
    CHECK_FALSE(thread_pinning(1).active());
    setenv("APICAL_PIN_THREADS", "0", 1);
    CHECK_FALSE(thread_pinning(2).active());
    unsetenv("APICAL_PIN_THREADS");
    const thread_pinning p(cpus + 1);
    p.pin(0);
    CHECK(allowed_cpus() == cpus);
  }
}
#endif
