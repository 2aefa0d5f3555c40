#include "core/flag_scan.hpp"
#include "neurons/lif_delta.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
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
  const grid_time r = to_grid(p.t_ref, h);
  t_ref_on_grid_ = r.offset == 0.0;
  n_ref_ = r.step;
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

/// c ? a : b, as a bitwise select. Written as a ternary, `x[i] = keep ?
/// x[i] : y` became a store only where !keep, which GCC vectorised as masked
/// stores (vmaskmovpd), slow on Zen 2: the fast step's vector loop took 1.3x
/// the scalar loop's time (bench/RESULTS.md).
template <class T>
inline T select_bits(bool c, T a, T b) {
  const std::uint64_t m = -static_cast<std::uint64_t>(c);
  return std::bit_cast<T>((std::bit_cast<std::uint64_t>(a) & m) | (std::bit_cast<std::uint64_t>(b) & ~m));
}

}  // namespace

void lif_delta::update(std::size_t begin, std::size_t end, step_context& ctx) {
  // The vector loop handles every neuron whose step is simple: no input inside
  // the step, no refractory period ending inside it, and V_inf <= V_th (no
  // drift crossing). It computes exactly what the general stepper computes for
  // such a neuron, and flags the others, which the stepper then advances.
  if (ctx.events.empty() && t_ref_on_grid_) {
    if (ctx.current)
      fast_step<true>(begin, end, ctx);
    else
      fast_step<false>(begin, end, ctx);
  }
  else
  {
    std::size_t ev = 0;   // events are sorted by target: one cursor walks them
    for (std::size_t i = begin; i < end; ++i) exact_step(i, begin, ctx, ev);
  }
  if (ctx.current)
    for (std::size_t li = 0; li < end - begin; ++li) ctx.current[li] = 0.0;
}

void lif_delta::exact_step(std::size_t i, std::size_t begin, step_context& ctx, std::size_t& ev) {
  const std::size_t li = i - begin;
  const double I = p_.I_e + (ctx.current ? ctx.current[li] : 0.0);
  delta_stepper s{p_, d_.P22, h_, p_.E_L + d_.R * I, p_.tau_m, ctx.step, V_m[i], ref_step[i], ref_offset[i],
                  ctx.outbox, ctx.global_first + static_cast<std::uint32_t>(i)};
  s.input(0.0, ctx.acc[0][li]);
  ctx.acc[0][li] = 0.0;
  double t = 0.0;
  const auto events = ctx.events;
  for (; ev < events.size() && events[ev].target == li; ++ev) {
    s.evolve(t, events[ev].offset);
    t = events[ev].offset;
    s.input(t, events[ev].weight);
  }
  s.evolve(t, h_);
  V_m[i] = s.V;
  ref_step[i] = s.rs;
  ref_offset[i] = s.ro;
}

template <bool has_current>
void lif_delta::fast_step(std::size_t begin, std::size_t end, step_context& ctx) {
  const std::size_t n = end - begin;
  const step_t k = ctx.step;
  double* __restrict acc = ctx.acc[0];
  const double* __restrict cur = ctx.current;
  double* __restrict V = V_m.data() + begin;
  step_t* __restrict rs = ref_step.data() + begin;
  const double* __restrict ro = ref_offset.data() + begin;
  // 1: fired, 2: needs the exact stepper. Doubles in ctx.work, not bytes in
  // ctx.scratch: with byte flags GCC vectorised 32 neurons a turn, packing
  // every mask down to bytes, and the loop took 1.6x as long (bench/RESULTS.md)
  double* __restrict flag = ctx.work;
  const double E_L = p_.E_L, R = d_.R, P22 = d_.P22, V_th = p_.V_th, V_reset = p_.V_reset, I_e = p_.I_e;
  const step_t n_ref = n_ref_;
  std::uint64_t any = 0;
  // the arrays are distinct SoA vectors: no dependence between iterations
#pragma GCC ivdep
  for (std::size_t li = 0; li < n; ++li) {
    const double I = has_current ? I_e + cur[li] : I_e + 0.0;
    const double V_inf = E_L + R * I;
    const step_t r = rs[li];
    // non-short-circuit operators: no conditional loads, so the loop if-converts
    const bool slow = ((r == k) & (ro[li] > 0.0)) | (V_inf > V_th);
    const bool refractory = r > k;
    const double V0 = V[li], a0 = acc[li];
    const double Vj = V0 + a0;
    const bool fire = !refractory & (Vj >= V_th);
    // after a spike at the step start: clamped for the whole step when t_ref >= h,
    // else free from V_reset (t_ref == 0)
    const double V_after_fire = n_ref > 0 ? V_reset : V_inf + (V_reset - V_inf) * P22;
    const double Vn = refractory ? V_reset : (fire ? V_after_fire : V_inf + (Vj - V_inf) * P22);
    // the slow neurons' V and input stay for the exact stepper
    V[li] = select_bits(slow, V0, Vn);
    rs[li] = select_bits(fire & !slow, k + n_ref, r);
    acc[li] = select_bits(slow, a0, 0.0);
    flag[li] = slow ? 2.0 : (fire ? 1.0 : 0.0);
    any |= std::uint64_t(slow | fire);
  }
  if (!any) return;
  // k by value: captured by reference, its address escaped, a store through
  // the (then byte) flags might have changed it, and GCC left the loop above
  // scalar (tests/check_vectorised.sh)
  for_each_where(flag, n, [](double f) { return f != 0.0; }, [&, k](std::size_t li) {
    if (flag[li] == 1.0) {
      ctx.outbox->push_back({k, 0.0, ctx.global_first + static_cast<std::uint32_t>(begin + li)});
      ref_offset[begin + li] = 0.0;
    } else {
      std::size_t no_events = 0;   // ctx.events is empty on this path
      exact_step(begin + li, begin, ctx, no_events);
    }
  });
}

}  // namespace apical
