#include "models/microcircuit.hpp"

#include <cmath>

#include <fmt/format.h>

namespace apical {

const double microcircuit_full_rates[8] = {0.971, 2.868, 4.746, 5.396, 8.142, 9.078, 0.991, 7.523};

namespace {

constexpr double N_full[8] = {20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948};
// connection probabilities [target][source]
constexpr double C[8][8] = {{0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0., 0.0076, 0.},
                            {0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0., 0.0042, 0.},
                            {0.0077, 0.0059, 0.0497, 0.135, 0.0067, 0.0003, 0.0453, 0.},
                            {0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0., 0.1057, 0.},
                            {0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.},
                            {0.0548, 0.0269, 0.0257, 0.0022, 0.06, 0.3158, 0.0086, 0.},
                            {0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252},
                            {0.0364, 0.001, 0.0034, 0.0005, 0.0277, 0.008, 0.0658, 0.1443}};
constexpr double K_ext[8] = {1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100};
constexpr double V0_mean[8] = {-68.28, -63.16, -63.33, -63.45, -63.11, -61.66, -66.72, -61.43};
constexpr double V0_std[8] = {5.36, 4.57, 4.74, 4.94, 4.94, 4.55, 5.46, 4.48};
constexpr double C_th[8] = {0.0, 0.0, 0.0983, 0.0619, 0.0, 0.0, 0.0512, 0.0196};
constexpr double N_th = 902;
constexpr double tau_m = 10.0, tau_s = 0.5, C_m = 250.0, bg_rate = 8.0, PSP_e = 0.15, g = -4.0, PSP_rel_sd = 0.1;

/// Synapses realising connection probability c between populations of n_pre and
/// n_post neurons with multapses: K = ln(1 - c) / ln(1 - 1/(n_pre n_post)).
double synapses_from_probability(double c, double n_pre, double n_post) {
  if (c <= 0.0) return 0.0;
  const double prod = n_pre * n_post;
  return std::log(1.0 - c) / std::log((prod - 1.0) / prod);
}

/// PSC amplitude [pA] giving a PSP peak of 1 mV for lif_exp (tau_m, tau_s, C_m).
double psc_over_psp() {
  const double sub = 1.0 / (tau_s - tau_m);
  const double pre = tau_m * tau_s / C_m * sub;
  const double frac = std::pow(tau_m / tau_s, sub);
  return 1.0 / (pre * (std::pow(frac, tau_m) - std::pow(frac, tau_s)));
}


}  // namespace

void build_microcircuit(const microcircuit_options& o, network_spec& net) {
  const double h = net.sim.resolution;
  const double w_unit = psc_over_psp();   // 87.81 pA per 0.15 mV
  const double sqrt_k = std::sqrt(o.k_scale);
  const double w_ext = PSP_e * w_unit;    // external weight, full scale [pA]

  for (int i = 0; i < 8; ++i) {
    population_spec p;
    p.name = microcircuit_populations[i];
    p.model = "lif_exp";
    p.size = static_cast<std::uint64_t>(std::max(1.0, std::round(N_full[i] * o.n_scale)));
    p.params = {{"tau_m", tau_m}, {"C_m", C_m},        {"E_L", -65.0},        {"V_th", -50.0},
                {"V_reset", -65.0}, {"t_ref", 2.0},    {"tau_syn_ex", tau_s}, {"tau_syn_in", tau_s}};
    p.initial["V_m"] = o.v0 == "original" ? distribution::normal_of(-58.0, 10.0)
                                          : distribution::normal_of(V0_mean[i], V0_std[i]);
    net.populations.push_back(std::move(p));
  }

  double dc[8] = {};
  for (int t = 0; t < 8; ++t) {
    double input_rec = 0;   // mean recurrent input of the full network [pA]
    for (int s = 0; s < 8; ++s) {
      const bool exc = s % 2 == 0;
      double psp = exc ? PSP_e : PSP_e * g;
      if (t == 0 && s == 2) psp *= 2.0;   // L4E -> L23E doubled
      const double w_full = psp * w_unit;
      const double K_full = synapses_from_probability(C[t][s], N_full[s], N_full[t]);
      input_rec += w_full * K_full / N_full[t] * microcircuit_full_rates[s];
      const double K = std::round(K_full * o.n_scale * o.k_scale);
      if (K <= 0) continue;
      projection_spec pr;
      pr.source = microcircuit_populations[s];
      pr.target = microcircuit_populations[t];
      pr.name = pr.source + "_to_" + pr.target;
      pr.rule.type = connection_rule::kind::fixed_total_number;
      pr.rule.n = static_cast<std::uint64_t>(K);
      const double w = w_full / sqrt_k;
      pr.weight = exc ? distribution::normal_of(w, PSP_rel_sd * std::abs(w), 0.0, INFINITY) : distribution::normal_of(w, PSP_rel_sd * std::abs(w), -INFINITY, 0.0);
      pr.delay = exc ? distribution::normal_of(1.5, 0.75, h, INFINITY) : distribution::normal_of(0.75, 0.375, h, INFINITY);
      pr.receptor = exc ? "excitatory" : "inhibitory";
      net.projections.push_back(std::move(pr));
    }
    const double input_ext = w_ext * K_ext[t] * bg_rate;   // full-scale mean external input
    dc[t] = 1e-3 * tau_s * (1.0 - sqrt_k) * input_rec;
    if (o.background == "poisson") {
      stimulus_spec s;
      s.type = "poisson_input";
      s.target = microcircuit_populations[t];
      s.rate = bg_rate * std::round(K_ext[t] * o.k_scale);
      s.weight = w_ext / sqrt_k;
      s.receptor = "excitatory";
      net.stimuli.push_back(s);
      dc[t] += 1e-3 * tau_s * (1.0 - sqrt_k) * input_ext;
    } else {
      dc[t] += 1e-3 * tau_s * input_ext;
    }
    if (dc[t] != 0.0) {
      stimulus_spec s;
      s.type = "dc_source";
      s.target = microcircuit_populations[t];
      s.amplitude = dc[t];
      net.stimuli.push_back(s);
    }
  }

  if (o.thalamus) {
    population_spec th;
    th.name = "TC";
    th.model = "poisson_source";
    th.size = static_cast<std::uint64_t>(N_th);
    th.params = {{"rate", o.th_rate}, {"start", o.th_start}, {"stop", o.th_start + o.th_duration}};
    net.populations.push_back(std::move(th));
    for (int t = 0; t < 8; ++t) {
      const double K = std::round(synapses_from_probability(C_th[t], N_th, N_full[t]) * o.n_scale * o.k_scale);
      if (K <= 0) continue;
      projection_spec pr;
      pr.source = "TC";
      pr.target = microcircuit_populations[t];
      pr.name = pr.source + "_to_" + pr.target;
      pr.rule.type = connection_rule::kind::fixed_total_number;
      pr.rule.n = static_cast<std::uint64_t>(K);
      const double w = PSP_e * w_unit / sqrt_k;
      pr.weight = distribution::normal_of(w, PSP_rel_sd * w, 0.0, INFINITY);
      pr.delay = distribution::normal_of(1.5, 0.75, h, INFINITY);
      pr.receptor = "excitatory";
      net.projections.push_back(std::move(pr));
    }
  }
}

}  // namespace apical
