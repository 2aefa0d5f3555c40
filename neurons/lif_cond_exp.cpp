#include "neurons/lif_cond_exp.hpp"

#include <cmath>

#include <fmt/format.h>

#include "neurons/grid_threshold.hpp"

#include "core/vector_math.hpp"

namespace apical {

std::optional<param_error> lif_cond_exp_params::validate() const {
  if (auto e = require_positive("C_m", C_m, "pF")) return e;
  if (auto e = require_positive("g_L", g_L, "nS")) return e;
  if (auto e = require_non_negative("t_ref", t_ref, "ms")) return e;
  if (auto e = require_positive("tau_syn_ex", tau_syn_ex, "ms")) return e;
  if (auto e = require_positive("tau_syn_in", tau_syn_in, "ms")) return e;
  for (auto [k, v] : {std::pair{"E_L", E_L}, {"V_th", V_th}, {"V_reset", V_reset}, {"E_ex", E_ex}, {"E_in", E_in}, {"I_e", I_e}})
    if (auto e = require_finite(k, v)) return e;
  if (!(V_reset < V_th)) return param_error{"V_reset", fmt::format("must be below V_th = {} mV (got {})", V_th, V_reset)};
  return std::nullopt;
}

lif_cond_exp::lif_cond_exp(std::size_t n, const lif_cond_exp_params& p, double h)
    : V_m(n, p.E_L), g_ex(n, 0.0), g_in(n, 0.0), ref_until(n, grid_threshold::never), p_(p), relax_(h / p.C_m), h_(h) {
  d_.P_ex = std::exp(-h / p.tau_syn_ex);
  d_.P_in = std::exp(-h / p.tau_syn_in);
  d_.Ph_ex = std::exp(-0.5 * h / p.tau_syn_ex);
  d_.Ph_in = std::exp(-0.5 * h / p.tau_syn_in);
  d_.n_ref = double(std::llround(p.t_ref / h));
}

const double* lif_cond_exp::state(std::string_view var) const {
  if (var == "V_m") return V_m.data();
  if (var == "g_ex") return g_ex.data();
  if (var == "g_in") return g_in.data();
  return nullptr;
}

void lif_cond_exp::update(std::size_t begin, std::size_t end, step_context& ctx) {
  // E_ex = 0 mV (NEST's default, COBA's): the excitatory term of num is
  // fma(g_ex, 0, base) = base exactly (g_ex finite), so it is left out: one
  // multiply-add of the eighteen per eight neurons, COBA's update 4% faster
  // (bench/RESULTS.md)
  const bool ex_at_zero = cond_exp_zero_ex_enabled && p_.E_ex == 0.0;
  if (ctx.current)
    ex_at_zero ? grid_loop<true, true>(begin, end, ctx) : grid_loop<true, false>(begin, end, ctx);
  else
    ex_at_zero ? grid_loop<false, true>(begin, end, ctx) : grid_loop<false, false>(begin, end, ctx);
}

// The free update: V relaxes towards V_inf = num / g_tot at the rate g_tot / C_m,
//   V' = V_inf + (V - V_inf) e^{-x} = V + (num - g_tot V) (1 - e^{-x}) / g_tot,
//   x = g_tot h / C_m,
// the same value without a division, and for x <= 0.5 (all but one neuron-step
// in about 10^5 of COBA) the last factor a polynomial in g_tot instead of exp
// (exprel_neg_scaled in core/vector_math.hpp): bench/RESULTS.md.
//
// Where compiled with AVX-512 or AVX2 and FMA, vectors of eight neurons with
// intrinsics (core/simd8.hpp): the free update and the clamp and threshold
// (neurons/grid_threshold.hpp) in one pass, sixteen neurons a turn. With AVX2
// this took COBA's update 20% less time than GCC's vectorised portable loops
// (bench/RESULTS.md, "AVX2 hosts"). Elsewhere, and for the tail, the portable
// form, written so that GCC vectorises it: the free update with the
// polynomial to ctx.work, the few neurons outside its interval again with the
// expression, the conductances' decay, then grid_threshold::apply_emit
// clamping and thresholding in a loop of its own (fused, GCC's loop took 10%
// more time: bench/RESULTS.md). Both forms do the same operations in the same
// order: bit-identical results (tests/neurons/grid_threshold_test.cpp).
template <bool has_current, bool ex_at_zero>
void lif_cond_exp::grid_loop(std::size_t begin, std::size_t end, step_context& ctx) {
  const std::size_t n = end - begin;
  double* __restrict cur = ctx.current;
  double* __restrict V = V_m.data() + begin;
  double* __restrict gex = g_ex.data() + begin;
  double* __restrict gin = g_in.data() + begin;
  double* __restrict ru = ref_until.data() + begin;
  double* __restrict V_next = ctx.work;
  const auto [P_ex, P_in, Ph_ex, Ph_in, n_ref] = d_;
  const double g_L = p_.g_L;
  // num = g_L E_L + I_e + g_ex(mid) E_ex + g_in(mid) E_in (+ I_stim): the
  // constants summed once, the midpoint decay folded into the reversal terms
  const double base = p_.g_L * p_.E_L + p_.I_e, c_ex = Ph_ex * p_.E_ex, c_in = Ph_in * p_.E_in;
  const grid_threshold rule{p_.V_th, p_.V_reset, n_ref};
  const exprel_neg_scaled relax_factor = relax_;   // a local copy: stores cannot alias it
  std::size_t done = 0;
#if defined(APICAL_SIMD8)
  if (grid_simd_enabled) {
    using namespace simd8;
    const grid_threshold::step_values s = rule.at(ctx.step);
    const vec vP_ex = set1(P_ex), vP_in = set1(P_in), vPh_ex = set1(Ph_ex), vPh_in = set1(Ph_in), vg_L = set1(g_L),
              vbase = set1(base), vc_ex = set1(c_ex), vc_in = set1(c_in);
    // eight neurons from li: their state and drive
    struct lanes {
      vec ge, gi, V0, g_tot, num;
    };
    auto inputs = [&](std::size_t li) {
      lanes l{load(gex + li), load(gin + li), load(V + li), {}, {}};
      l.g_tot = fmadd(l.gi, vPh_in, fmadd(l.ge, vPh_ex, vg_L));
      l.num = fmadd(l.gi, vc_in, ex_at_zero ? vbase : fmadd(l.ge, vc_ex, vbase));
      if constexpr (has_current) {
        l.num = add(l.num, load(cur + li));
        store(cur + li, zero());
      }
      return l;
    };
    auto finish = [&](std::size_t li, const lanes& l, vec relax) {
      const vec V_free = fmadd(fnmadd(l.g_tot, l.V0, l.num), relax, l.V0);
      const auto [refractory, fire] = rule.masks8(V_free, load(ru + li), s);
      rule.finish8(V, ru, li, V_free, refractory, fire, begin, s, ctx);
      store(gex + li, mul(l.ge, vP_ex));
      store(gin + li, mul(l.gi, vP_in));
    };
    // sixteen neurons a turn, the two polynomials' chains side by side
    // (exprel_neg_scaled); spikes still emitted in index order
    for (; done + 16 <= n; done += 16) {
      const lanes a = inputs(done), b = inputs(done + 8);
      const auto relax = relax_factor(a.g_tot, b.g_tot);
      finish(done, a, relax.first);
      finish(done + 8, b, relax.second);
    }
    if (done + 8 <= n) {
      const lanes a = inputs(done);
      finish(done, a, relax_factor(a.g_tot));
      done += 8;
    }
  }
#endif
  // inputs of this step arrived at its start: already added to g_ex / g_in;
  // the conductances are taken at the step's midpoint
  struct drive {
    double g_tot, num;   // nS, nS mV + pA
  };
  auto drive_of = [&](std::size_t li) {
    const double ge = gex[li], gi = gin[li];
    const double num = std::fma(gi, c_in, ex_at_zero ? base : std::fma(ge, c_ex, base));
    return drive{std::fma(gi, Ph_in, std::fma(ge, Ph_ex, g_L)), has_current ? num + cur[li] : num};
  };
  std::uint64_t outside = 0;   // a count: GCC does not vectorise a bool reduction
  // the arrays are distinct SoA vectors: no dependence between iterations
#pragma GCC ivdep
  for (std::size_t li = done; li < n; ++li) {
    const drive d = drive_of(li);
    outside += !relax_factor.in_poly(d.g_tot);
    V_next[li] = std::fma(std::fma(-d.g_tot, V[li], d.num), relax_factor.poly(d.g_tot), V[li]);
  }
  if (outside) [[unlikely]]
    for (std::size_t li = done; li < n; ++li) {
      const drive d = drive_of(li);
      if (!relax_factor.in_poly(d.g_tot)) V_next[li] = std::fma(std::fma(-d.g_tot, V[li], d.num), relax_factor(d.g_tot), V[li]);
    }
#pragma GCC ivdep
  for (std::size_t li = done; li < n; ++li) {
    gex[li] *= P_ex;
    gin[li] *= P_in;
    if constexpr (has_current) cur[li] = 0.0;
  }
  rule.apply_emit(V + done, V_next + done, ru + done, n - done, begin + done, ctx);
}

}  // namespace apical
