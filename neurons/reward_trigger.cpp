#include "neurons/reward_trigger.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/rng.hpp"
#include "neurons/sources.hpp"

namespace apical {

std::optional<param_error> reward_trigger_params::validate() const {
  if (auto e = require_positive("window", window, "ms")) return e;
  if (auto e = require_non_negative("delay_min", delay_min, "ms")) return e;
  if (!(delay_max >= delay_min)) return param_error{"delay_max", fmt::format("must be >= delay_min = {} ms (got {})", delay_min, delay_max)};
  return std::nullopt;
}

reward_trigger::reward_trigger(std::size_t n, const reward_trigger_params& p, double h, std::uint64_t seed,
                               std::uint64_t stream_id)
    : p_(p), h_(h), seed_(seed), stream_(stream_id), armed_from_(n, 0), armed_until_(n, -1), triggers_(n, 0), pending_(n) {}

void reward_trigger::update(std::size_t begin, std::size_t end, step_context& ctx) {
  const step_t k = ctx.step;
  for (std::size_t i = begin; i < end; ++i) {
    const std::size_t l = i - begin;
    const bool pre = ctx.acc[0][l] > 0.0, post = ctx.acc[1][l] > 0.0;
    ctx.acc[0][l] = ctx.acc[1][l] = 0.0;
    // a post spike in the step of the pre spike does not follow it: post first
    if (post && k > armed_from_[i] && k <= armed_until_[i]) {
      armed_until_[i] = -1;
      const auto b = random_block(seed_, stream_tag::reward_delay, stream_, static_cast<std::uint32_t>(i), triggers_[i]++);
      const double delay = p_.delay_min + (p_.delay_max - p_.delay_min) * to_unit(b[0], b[1]);
      pending_[i].push_back(k + std::max<step_t>(1, std::llround(delay / h_)));
    }
    if (pre) {
      armed_from_[i] = k;
      armed_until_[i] = k + static_cast<step_t>(std::floor(p_.window / h_ + 1e-9));
    }
    auto& q = pending_[i];
    for (std::size_t j = 0; j < q.size();)
      if (q[j] == k) {
        ctx.outbox->push_back({k, 0.0, ctx.global_first + static_cast<std::uint32_t>(i)});
        q[j] = q.back();
        q.pop_back();
      } else {
        ++j;
      }
  }
}

}  // namespace apical
