#include "neurons/sources.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "core/philox_pairs.hpp"

namespace apical {

std::array<u32, 4> random_block(std::uint64_t seed, stream_tag tag, std::uint64_t id, std::uint32_t sub, std::uint32_t counter) {
  return philox4x32({counter, sub, static_cast<u32>(id), static_cast<u32>(id >> 32) ^ (static_cast<u32>(tag) << 24)},
                    {static_cast<u32>(seed), static_cast<u32>(seed >> 32)});
}

void pair_uniforms(std::uint64_t seed, stream_tag tag, std::uint64_t id, std::size_t begin, std::size_t end, step_t step,
                   double* u) {
  const u32 c0 = static_cast<u32>(step), c2 = static_cast<u32>(id), c3 = static_cast<u32>(id >> 32) ^ (static_cast<u32>(tag) << 24);
  const std::array<u32, 2> key{static_cast<u32>(seed), static_cast<u32>(seed >> 32)};
  const std::size_t m0 = begin >> 1, m1 = (end + 1) >> 1;
  // whole pairs first (eight blocks at a time: core/philox_pairs.hpp), the odd ends after
  const std::size_t full0 = (begin + 1) >> 1, full1 = end >> 1;
  double* out = u - begin;   // out[i] for neuron i
  philox_uniform_pairs(c0, c2, c3, key, full0, full1, out);
  for (std::size_t m : {m0, m1 - 1}) {
    if (m >= full0 && m < full1) continue;
    const auto b = philox4x32({c0, static_cast<u32>(m), c2, c3}, key);
    if (2 * m >= begin && 2 * m < end) out[2 * m] = to_unit(b[0], b[1]);
    if (2 * m + 1 >= begin && 2 * m + 1 < end) out[2 * m + 1] = to_unit(b[2], b[3]);
  }
}

std::optional<param_error> poisson_source_params::validate() const {
  if (auto e = require_non_negative("rate", rate, "Hz")) return e;
  if (!(start >= 0.0)) return param_error{"start", fmt::format("must be >= 0 ms (got {})", start)};
  if (!(stop >= start)) return param_error{"stop", fmt::format("must be >= start = {} ms (got {})", start, stop)};
  if (auto e = require_non_negative("period", period, "ms")) return e;
  return std::nullopt;
}

poisson_source::poisson_source(std::size_t n, const poisson_source_params& p, double h, std::uint64_t seed,
                               std::uint64_t stream_id)
    : n_(n), p_(p), table_(p.rate * h * 1e-3), seed_(seed), stream_(stream_id) {
  first_ = first_step_at_or_after(p.start, h);
  last_ = stop_step(p.stop, h);
  period_ = p.period > 0.0 ? std::max<step_t>(1, std::llround(p.period / h)) : 0;
}

void poisson_source::update(std::size_t begin, std::size_t end, step_context& ctx) {
  if (ctx.step < first_ || ctx.step >= last_ || p_.rate == 0.0) return;
  double* u = ctx.work;
  const step_t k = period_ > 0 ? first_ + (ctx.step - first_) % period_ : ctx.step;
  pair_uniforms(seed_, stream_tag::poisson_source, stream_, begin, end, k, u);
  for (std::size_t i = begin; i < end; ++i) {
    const unsigned n = table_.draw(u[i - begin]);
    for (unsigned j = 0; j < n; ++j) ctx.outbox->push_back({ctx.step, 0.0, ctx.global_first + static_cast<std::uint32_t>(i)});
  }
}

spike_source::spike_source(std::vector<std::vector<double>> times, double h) : times_(times.size()), next_(times.size(), 0) {
  for (std::size_t i = 0; i < times.size(); ++i)
    for (double t : times[i]) {
      times_[i].push_back(to_grid(t, h));
      on_grid_ = on_grid_ && times_[i].back().offset == 0.0;
    }
}

void spike_source::update(std::size_t begin, std::size_t end, step_context& ctx) {
  for (std::size_t i = begin; i < end; ++i) {
    auto& t = times_[i];
    std::size_t& j = next_[i];
    while (j < t.size() && t[j].step < ctx.step) ++j;   // times before the run start are skipped
    for (; j < t.size() && t[j].step == ctx.step; ++j)
      ctx.outbox->push_back({ctx.step, t[j].offset, ctx.global_first + static_cast<std::uint32_t>(i)});
  }
}

}  // namespace apical
