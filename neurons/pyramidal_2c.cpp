#include "neurons/pyramidal_2c.hpp"

#include <array>
#include <cmath>

#include <boost/numeric/odeint.hpp>
#include <fmt/format.h>

#include "core/vector_math.hpp"
#include "neurons/sources.hpp"

namespace apical {

namespace {

/// At least one spike in the step, with probability 1 - e^{-mean} (u >= e^{-mean}),
/// unless in dead time; updates the dead-time counter. Branch-free: it vectorises.
inline bool draw_spike(double mean, double u, std::int32_t n_ref, std::int32_t& ref_count) {
  const std::int32_t r = ref_count;
  const bool fire = r == 0 && u >= exp_vec(-mean);
  ref_count = fire ? n_ref : (r > 0 ? r - 1 : 0);
  return fire;
}

}  // namespace

std::optional<param_error> pyramidal_2c_params::validate() const {
  for (auto [k, v, u] : {std::tuple{"C_m", C_m, "pF"}, {"g_L", g_L, "nS"}, {"tau_syn_ex", tau_syn_ex, "ms"}, {"tau_syn_in", tau_syn_in, "ms"},
                         {"C_d", C_d, "pF"}, {"g_L_d", g_L_d, "nS"}, {"tau_syn_ex_d", tau_syn_ex_d, "ms"},
                         {"tau_syn_in_d", tau_syn_in_d, "ms"}, {"rate_slope", rate_slope, "(k)"}})
    if (auto e = require_positive(k, v, u)) return e;
  for (auto [k, v, u] : {std::tuple{"g_sp", g_sp, "nS"}, {"phi_max", phi_max, "1/ms"}, {"beta", beta, "1/mV"}, {"t_ref", t_ref, "ms"}})
    if (auto e = require_non_negative(k, v, u)) return e;
  for (auto [k, v] : {std::pair{"E_L", E_L}, {"E_ex", E_ex}, {"E_in", E_in}, {"I_e", I_e}, {"E_L_d", E_L_d}, {"I_e_d", I_e_d}, {"theta", theta}})
    if (auto e = require_finite(k, v)) return e;
  // the exact propagator and the Urbanczik-Senn PSP kernel divide by tau_L_d - tau_syn_d
  for (auto [k, v] : {std::pair{"tau_syn_ex_d", tau_syn_ex_d}, {"tau_syn_in_d", tau_syn_in_d}})
    if (std::abs(v - tau_L_d()) < 1e-3 * tau_L_d())
      return param_error{k, fmt::format("must differ from the dendritic membrane time constant C_d/g_L_d = {} ms by more than 0.1% (got {})",
                                        tau_L_d(), v)};
  return std::nullopt;
}

bool parse_integrator(const std::string& name, compartment_integrator& out) {
  if (name == "exact") out = compartment_integrator::exact;
  else if (name == "rk4") out = compartment_integrator::rk4;
  else if (name == "dopri5") out = compartment_integrator::dopri5;
  else return false;
  return true;
}

pyramidal_2c::pyramidal_2c(std::size_t n, const pyramidal_2c_params& p, double h, compartment_integrator integ,
                           std::uint64_t seed, std::uint64_t stream_id)
    : V_m(n, p.E_L), V_d(n, p.E_L_d), g_ex(n, 0.0), g_in(n, 0.0), I_ex(n, 0.0), I_in(n, 0.0), ref_count(n, 0), p_(p), h_(h),
      integ_(integ), seed_(seed), stream_(stream_id) {
  n_ref_ = static_cast<std::int32_t>(std::llround(p.t_ref / h));
  const double tau_L = p.tau_L_d();
  P_L_ = std::exp(-h / tau_L);
  P_ex_d_ = std::exp(-h / p.tau_syn_ex_d);
  P_in_d_ = std::exp(-h / p.tau_syn_in_d);
  // V - V_inf of a unit current I(0) = 1 pA decaying with tau_x: K_x (e^{-t/tau_L} - e^{-t/tau_x})
  K_ex_ = tau_L * p.tau_syn_ex_d / (p.C_d * (tau_L - p.tau_syn_ex_d));
  K_in_ = tau_L * p.tau_syn_in_d / (p.C_d * (tau_L - p.tau_syn_in_d));
  P_ex_ = std::exp(-h / p.tau_syn_ex);
  P_in_ = std::exp(-h / p.tau_syn_in);
  Ph_ex_ = std::exp(-0.5 * h / p.tau_syn_ex);
  Ph_in_ = std::exp(-0.5 * h / p.tau_syn_in);
  V_inf_ = p.E_L_d + p.I_e_d / p.g_L_d;
}

double* pyramidal_2c::input_array(int r) {
  switch (r) {
    case 0: return g_ex.data();
    case 1: return g_in.data();
    case 2: return I_ex.data();
    default: return I_in.data();
  }
}

const double* pyramidal_2c::state(std::string_view var) const {
  if (var == "V_m") return V_m.data();
  if (var == "V_d") return V_d.data();
  if (var == "g_ex") return g_ex.data();
  if (var == "g_in") return g_in.data();
  if (var == "I_ex") return I_ex.data();
  if (var == "I_in") return I_in.data();
  return nullptr;
}

void pyramidal_2c::advance_odeint(std::size_t i, double I_stim) {
  namespace ode = boost::numeric::odeint;
  using state_type = std::array<double, 6>;   // U, V, g_ex, g_in, I_ex, I_in
  const pyramidal_2c_params& p = p_;
  auto rhs = [&p, I_stim](const state_type& x, state_type& dx, double) {
    const double U = x[0], V = x[1];
    dx[0] = (-p.g_L * (U - p.E_L) + p.g_sp * (V - U) + x[2] * (p.E_ex - U) + x[3] * (p.E_in - U) + p.I_e + I_stim) / p.C_m;
    dx[1] = (-p.g_L_d * (V - p.E_L_d) + x[4] + x[5] + p.I_e_d) / p.C_d;
    dx[2] = -x[2] / p.tau_syn_ex;
    dx[3] = -x[3] / p.tau_syn_in;
    dx[4] = -x[4] / p.tau_syn_ex_d;
    dx[5] = -x[5] / p.tau_syn_in_d;
  };
  state_type x{V_m[i], V_d[i], g_ex[i], g_in[i], I_ex[i], I_in[i]};
  if (integ_ == compartment_integrator::rk4) {
    ode::runge_kutta4<state_type> stepper;
    stepper.do_step(rhs, x, 0.0, h_);
  } else {
    auto stepper = ode::make_controlled(1e-9, 1e-9, ode::runge_kutta_dopri5<state_type>());
    ode::integrate_adaptive(stepper, rhs, x, 0.0, h_, h_);
  }
  V_m[i] = x[0], V_d[i] = x[1], g_ex[i] = x[2], g_in[i] = x[3], I_ex[i] = x[4], I_in[i] = x[5];
}

template <bool has_current>
void pyramidal_2c::advance_exact_block(std::size_t begin, std::size_t end, step_context& ctx) {
  const pyramidal_2c_params& p = p_;
  const double h = h_, inv_C = 1.0 / p.C_m, gsp_over_C = p.g_sp / p.C_m;
  const double G0 = p.g_L + p.g_sp, drive0 = p.g_L * p.E_L + p.I_e + p.g_sp * V_inf_;
  const double a_L_rate = 1.0 / p.tau_L_d(), a_ex_rate = 1.0 / p.tau_syn_ex_d, a_in_rate = 1.0 / p.tau_syn_in_d;
  const double P_L = P_L_, P_exd = P_ex_d_, P_ind = P_in_d_, K_ex = K_ex_, K_in = K_in_, V_inf = V_inf_;
  const double Ph_ex = Ph_ex_, Ph_in = Ph_in_, P_ex = P_ex_, P_in = P_in_;
  const std::int32_t n_ref = n_ref_;
  double* __restrict cur = ctx.current;
  const double* __restrict u = ctx.work;
  std::uint8_t* __restrict fired = ctx.scratch;
  double* __restrict U = V_m.data() + begin;
  double* __restrict V = V_d.data() + begin;
  double* __restrict ge = g_ex.data() + begin;
  double* __restrict gi = g_in.data() + begin;
  double* __restrict Ie = I_ex.data() + begin;
  double* __restrict Ii = I_in.data() + begin;
  std::int32_t* __restrict rc = ref_count.data() + begin;
  // S(a) = integral_0^h e^{-lambda (h - s)} e^{-a s} ds = (e^{-a h} - e^{-lambda h}) / (lambda - a), by its
  // series h e^{-lambda h} (1 + x/2 + x^2/6 + x^3/24), x = (lambda - a) h, where that cancels
  auto S = [h](double lambda, double a, double P_a, double e) {
    const double x = (lambda - a) * h;
    const double series = h * e * (1.0 + x * (0.5 + x * (1.0 / 6.0 + x * (1.0 / 24.0))));
    return std::abs(x) > 1e-3 ? (P_a - e) / (lambda - a) : series;
  };
  std::uint32_t any = 0;
  // the arrays are distinct SoA vectors: no dependence between iterations
#pragma GCC ivdep
  for (std::size_t li = 0; li < end - begin; ++li) {
    const double I_stim = has_current ? cur[li] : 0.0;
    if constexpr (has_current) cur[li] = 0.0;
    // dendrite: V(t) = V_inf + a_L e^{-t/tau_L} + a_ex e^{-t/tau_ex} + a_in e^{-t/tau_in}
    const double a_ex = -K_ex * Ie[li], a_in = -K_in * Ii[li];
    const double a_L = V[li] - V_inf - a_ex - a_in;
    // soma: conductances frozen at the step's midpoint
    const double gme = ge[li] * Ph_ex, gmi = gi[li] * Ph_in;
    const double G = G0 + gme + gmi;
    const double lambda = G * inv_C;
    const double e = exp_vec(-lambda * h);
    const double U_c = (drive0 + gme * p.E_ex + gmi * p.E_in + I_stim) / G;
    const double drive = a_L * S(lambda, a_L_rate, P_L, e) + a_ex * S(lambda, a_ex_rate, P_exd, e) + a_in * S(lambda, a_in_rate, P_ind, e);
    const double Un = U_c + (U[li] - U_c) * e + gsp_over_C * drive;
    U[li] = Un;
    V[li] = V_inf + a_L * P_L + a_ex * P_exd + a_in * P_ind;
    Ie[li] *= P_exd;
    Ii[li] *= P_ind;
    ge[li] *= P_ex;
    gi[li] *= P_in;
    const double mean = h * p.phi_max / (1.0 + p.rate_slope * exp_vec(p.beta * (p.theta - Un)));
    const bool fire = draw_spike(mean, u[li], n_ref, rc[li]);
    fired[li] = fire;
    any |= fire;
  }
  if (any) emit(begin, end, ctx);
}

void pyramidal_2c::emit(std::size_t begin, std::size_t end, step_context& ctx) {
  for (std::size_t li = 0; li < end - begin; ++li) {
    if (!ctx.scratch[li]) continue;
    const std::size_t i = begin + li;
    unsigned count = 1;
    if (n_ref_ == 0) {   // Poisson count: continue the inversion past k = 1 (mean << 1: a few terms)
      const double mean = p_.phi(V_m[i]) * h_;
      double pk = std::exp(-mean) * mean, cdf = std::exp(-mean) + pk;
      while (ctx.work[li] >= cdf && pk > 0.0) {
        ++count;
        pk *= mean / count;
        cdf += pk;
      }
    }
    for (unsigned c = 0; c < count; ++c) ctx.outbox->push_back({ctx.step + 1, 0.0, ctx.global_first + static_cast<std::uint32_t>(i)});
  }
}

void pyramidal_2c::update(std::size_t begin, std::size_t end, step_context& ctx) {
  pair_uniforms(seed_, stream_tag::pyramidal_spikes, stream_, begin, end, ctx.step, ctx.work);
  if (integ_ == compartment_integrator::exact) {
    if (ctx.current)
      advance_exact_block<true>(begin, end, ctx);
    else
      advance_exact_block<false>(begin, end, ctx);
    return;
  }
  std::uint32_t any = 0;
  for (std::size_t li = 0; li < end - begin; ++li) {
    const std::size_t i = begin + li;
    double I_stim = 0.0;
    if (ctx.current) {
      I_stim = ctx.current[li];
      ctx.current[li] = 0.0;
    }
    advance_odeint(i, I_stim);
    const double mean = p_.phi(V_m[i]) * h_;
    const bool fire = draw_spike(mean, ctx.work[li], n_ref_, ref_count[i]);
    ctx.scratch[li] = fire;
    any |= fire;
  }
  if (any) emit(begin, end, ctx);
}

}  // namespace apical
