#include "core/thread_pinning.hpp"

#include <cstdlib>
#include <cstring>

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#endif

namespace apical {

#if defined(__linux__)
namespace {
void set_affinity(const std::vector<int>& cpus) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int c : cpus) CPU_SET(c, &set);
  pthread_setaffinity_np(pthread_self(), sizeof(set), &set);   // best effort: a refusal leaves the thread unpinned
}
}  // namespace

thread_pinning::thread_pinning(int threads) {
  const char* env = std::getenv("APICAL_PIN_THREADS");
  if (threads <= 1 || (env && std::strcmp(env, "0") == 0)) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (pthread_getaffinity_np(pthread_self(), sizeof(set), &set) != 0) return;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &set)) allowed_.push_back(c);
  if (int(allowed_.size()) < threads) {   // more threads than CPUs: leave them to the scheduler
    allowed_.clear();
    return;
  }
  cpus_.assign(allowed_.begin(), allowed_.begin() + threads);
}

thread_pinning::~thread_pinning() {
  if (active()) set_affinity(allowed_);
}

void thread_pinning::pin(int t) const {
  if (active()) set_affinity({cpus_[std::size_t(t)]});
}
#else
thread_pinning::thread_pinning(int) {}
thread_pinning::~thread_pinning() = default;
void thread_pinning::pin(int) const {}
#endif

}  // namespace apical
