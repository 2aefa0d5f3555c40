#include "neurons/lif_cond_exp.hpp"

#include <cmath>

#include <fmt/format.h>

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
    : V_m(n, p.E_L), g_ex(n, 0.0), g_in(n, 0.0), ref_count(n, 0), p_(p), h_(h) {
  d_.P_ex = std::exp(-h / p.tau_syn_ex);
  d_.P_in = std::exp(-h / p.tau_syn_in);
  d_.Ph_ex = std::exp(-0.5 * h / p.tau_syn_ex);
  d_.Ph_in = std::exp(-0.5 * h / p.tau_syn_in);
  d_.n_ref = static_cast<std::int32_t>(std::llround(p.t_ref / h));
}

const double* lif_cond_exp::state(std::string_view var) const {
  if (var == "V_m") return V_m.data();
  if (var == "g_ex") return g_ex.data();
  if (var == "g_in") return g_in.data();
  return nullptr;
}

void lif_cond_exp::update(std::size_t begin, std::size_t end, step_context& ctx) {
  double* ax = ctx.acc[0];
  double* ai = ctx.acc[1];
  double* cur = ctx.current;
  const auto [P_ex, P_in, Ph_ex, Ph_in, n_ref] = d_;
  const double h_over_C = h_ / p_.C_m;
  for (std::size_t i = begin; i < end; ++i) {
    const std::size_t li = i - begin;
    const double ge = g_ex[i] + ax[li];
    const double gi = g_in[i] + ai[li];
    ax[li] = 0.0;
    ai[li] = 0.0;
    double V = V_m[i];
    if (ref_count[i] > 0) {
      --ref_count[i];
    } else {
      const double gme = ge * Ph_ex, gmi = gi * Ph_in;
      const double gt = p_.g_L + gme + gmi;
      const double I = p_.I_e + (cur ? cur[li] : 0.0);
      const double V_inf = (p_.g_L * p_.E_L + gme * p_.E_ex + gmi * p_.E_in + I) / gt;
      V = V_inf + (V - V_inf) * std::exp(-gt * h_over_C);
      if (V >= p_.V_th) {
        ctx.outbox->push_back({ctx.step + 1, 0.0, ctx.global_first + static_cast<std::uint32_t>(i)});
        V = p_.V_reset;
        ref_count[i] = n_ref;
      }
    }
    V_m[i] = V;
    g_ex[i] = ge * P_ex;
    g_in[i] = gi * P_in;
  }
  if (cur)
    for (std::size_t li = 0; li < end - begin; ++li) cur[li] = 0.0;
}

}  // namespace apical
