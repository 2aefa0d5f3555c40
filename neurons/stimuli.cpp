#include "neurons/stimuli.hpp"

#include <cmath>
#include <limits>
#include <numbers>

#include "neurons/sources.hpp"

namespace apical {

poisson_input::poisson_input(double rate_hz, double weight, int receptor, double start, double stop, double h,
                             std::uint64_t seed, std::uint64_t stream_id)
    : table_(rate_hz * h * 1e-3), weight_(weight), receptor_(receptor), first_(first_step_at_or_after(start, h)),
      last_(stop_step(stop, h)), seed_(seed), stream_(stream_id) {}

void poisson_input::apply(std::size_t begin, std::size_t end, step_context& ctx) {
  if (ctx.step < first_ || ctx.step >= last_) return;
  double* acc = ctx.acc[receptor_];
  double* u = ctx.work;
  pair_uniforms(seed_, stream_tag::poisson_input, stream_, begin, end, ctx.step, u);
  // added also where n = 0: acc + (+-0) is acc (acc is never -0: it starts
  // at +0 and +0 + -0 = +0), and the branch on n mispredicted for the one
  // step in seven without an input at Brunel's mean of 2 (bench/RESULTS.md)
  table_.add_draws(u, acc, weight_, end - begin);
}

sinusoidal_input::sinusoidal_input(double amplitude, double offset, double frequency_hz, double phase_deg, int receptor,
                                   double start, double stop, double h)
    : amplitude_(amplitude), offset_(offset), omega_(2.0 * std::numbers::pi * frequency_hz * 1e-3),
      phase_(phase_deg * std::numbers::pi / 180.0), h_(h), receptor_(receptor), first_(first_step_at_or_after(start, h)),
      last_(stop_step(stop, h)) {}

void sinusoidal_input::apply(std::size_t begin, std::size_t end, step_context& ctx) {
  if (ctx.step < first_ || ctx.step >= last_) return;
  const double w = offset_ + amplitude_ * std::sin(omega_ * double(ctx.step) * h_ + phase_);
  double* acc = ctx.acc[receptor_];
  for (std::size_t li = 0; li < end - begin; ++li) acc[li] += w;
}

dc_source::dc_source(double amplitude_pA, double start, double stop, double h)
    : amplitude_(amplitude_pA), first_(first_step_at_or_after(start, h)), last_(stop_step(stop, h)) {}

void dc_source::apply(std::size_t begin, std::size_t end, step_context& ctx) {
  if (ctx.step < first_ || ctx.step >= last_) return;
  for (std::size_t i = begin; i < end; ++i) ctx.current[i - begin] += amplitude_;
}

}  // namespace apical
