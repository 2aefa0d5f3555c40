#include "neurons/lif_delta.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace apical {

std::optional<param_error> lif_delta_params::validate() const {
  if (auto e = require_positive("tau_m", tau_m, "ms")) return e;
  if (auto e = require_positive("C_m", C_m, "pF")) return e;
  if (auto e = require_non_negative("t_ref", t_ref, "ms")) return e;
  for (auto [k, v] : {std::pair{"E_L", E_L}, {"V_th", V_th}, {"V_reset", V_reset}, {"I_e", I_e}})
    if (auto e = require_finite(k, v)) return e;
  if (!(V_reset < V_th)) return param_error{"V_reset", fmt::format("must be below V_th = {} mV (got {})", V_th, V_reset)};
  return std::nullopt;
}

lif_delta::lif_delta(std::size_t n, const lif_delta_params& p, double h)
    : V_m(n, p.E_L), ref_step(n, std::numeric_limits<step_t>::min()), ref_offset(n, 0.0), p_(p), h_(h) {
  d_.R = p.tau_m / p.C_m;   // ms / pF = mV / pA
  d_.P22 = std::exp(-h / p.tau_m);
}

namespace {

/// One neuron through one step, events applied at their offsets. The segment
/// loop handles refractoriness ending inside the step, drift crossings (closed
/// form) and several spikes per step when t_ref < h.
struct delta_stepper {
  const lif_delta_params& p;
  double P22, h, V_inf, tau;
  step_t k;
  double V;
  step_t rs;
  double ro;
  std::vector<spike>* out;
  std::uint32_t gid;

  bool refractory_at(double t) const { return rs > k || (rs == k && ro > t); }
  double refractory_end_local() const { return rs > k ? std::numeric_limits<double>::infinity() : ro; }

  void fire(double t) {
    out->push_back({k, t, gid});
    V = p.V_reset;
    const grid_time e = to_grid(t + p.t_ref, h);
    rs = k + e.step;
    ro = e.offset;
  }

  /// Free evolution from t0 to t1 (local ms).
  void evolve(double t0, double t1) {
    while (t0 < t1) {
      if (refractory_at(t0)) {
        const double re = refractory_end_local();
        V = p.V_reset;
        if (re >= t1) return;
        t0 = re;
        continue;
      }
      if (V_inf > p.V_th) {
        const double tc = t0 + tau * std::log((V - V_inf) / (p.V_th - V_inf));
        if (tc < t1) {
          fire(tc);
          t0 = tc;
          continue;
        }
      }
      const double decay = (t0 == 0.0 && t1 == h) ? P22 : std::exp(-(t1 - t0) / tau);
      V = V_inf + (V - V_inf) * decay;
      return;
    }
  }

  void input(double t, double w) {
    if (refractory_at(t)) return;
    V += w;
    if (V >= p.V_th) fire(t);
  }
};

}  // namespace

void lif_delta::update(std::size_t begin, std::size_t end, step_context& ctx) {
  double* acc = ctx.acc[0];
  const double* cur = ctx.current;
  auto ev = ctx.events.begin();
  const auto ev_end = ctx.events.end();
  const step_t k = ctx.step;
  for (std::size_t i = begin; i < end; ++i) {
    const std::size_t li = i - begin;
    const double I = p_.I_e + (cur ? cur[li] : 0.0);
    delta_stepper s{p_, d_.P22, h_, p_.E_L + d_.R * I, p_.tau_m, k, V_m[i], ref_step[i], ref_offset[i],
                    ctx.outbox, ctx.global_first + static_cast<std::uint32_t>(i)};
    s.input(0.0, acc[li]);
    acc[li] = 0.0;
    double t = 0.0;
    for (; ev != ev_end && ev->target == li; ++ev) {
      s.evolve(t, ev->offset);
      t = ev->offset;
      s.input(t, ev->weight);
    }
    s.evolve(t, h_);
    V_m[i] = s.V;
    ref_step[i] = s.rs;
    ref_offset[i] = s.ro;
  }
  if (cur)
    for (std::size_t li = 0; li < end - begin; ++li) ctx.current[li] = 0.0;
}

}  // namespace apical
