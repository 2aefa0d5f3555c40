#include "plasticity/stdp.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace apical {

namespace {

using member = double plasticity_params::*;
struct named {
  const char* name;
  member m;
  const char* unit;
  const char* description;
};

// Pair rule: PyNN's SpikePairRule + weight dependence, NEST's stdp_synapse defaults
// for the time constants and amplitudes.
const named pair_table[] = {
    {"tau_plus", &plasticity_params::tau_plus, "ms", "time constant of the pre trace x (potentiation window)"},
    {"tau_minus", &plasticity_params::tau_minus, "ms", "time constant of the post trace y (depression window)"},
    {"A_plus", &plasticity_params::A_plus, "1", "potentiation amplitude, fraction of w_max - w_min"},
    {"A_minus", &plasticity_params::A_minus, "1", "depression amplitude, fraction of w_max - w_min"},
    {"mu_plus", &plasticity_params::mu_plus, "1", "power_law: exponent of (1 - w~) in potentiation"},
    {"mu_minus", &plasticity_params::mu_minus, "1", "power_law: exponent of w~ in depression"},
    {"w_min", &plasticity_params::w_min, "weight", "lower weight bound"},
    {"w_max", &plasticity_params::w_max, "weight", "upper weight bound"},
    {"dendritic_delay_fraction", &plasticity_params::dendritic_delay_fraction, "1", "part of the delay that is dendritic"},
};

// Triplet rule: Pfister & Gerstner (2006), Table 4, visual cortex, all-to-all,
// minimal model (A2_plus = A3_minus = 0); tau_x from the full model.
const named triplet_table[] = {
    {"tau_plus", &plasticity_params::tau_plus, "ms", "time constant of the pre trace r1"},
    {"tau_minus", &plasticity_params::tau_minus, "ms", "time constant of the post trace o1"},
    {"tau_x", &plasticity_params::tau_x, "ms", "time constant of the pre trace r2"},
    {"tau_y", &plasticity_params::tau_y, "ms", "time constant of the post trace o2"},
    {"A2_plus", &plasticity_params::A_plus, "weight", "pair potentiation amplitude"},
    {"A3_plus", &plasticity_params::A3_plus, "weight", "triplet potentiation amplitude"},
    {"A2_minus", &plasticity_params::A_minus, "weight", "pair depression amplitude"},
    {"A3_minus", &plasticity_params::A3_minus, "weight", "triplet depression amplitude"},
    {"w_min", &plasticity_params::w_min, "weight", "lower weight bound"},
    {"w_max", &plasticity_params::w_max, "weight", "upper weight bound"},
    {"dendritic_delay_fraction", &plasticity_params::dendritic_delay_fraction, "1", "part of the delay that is dendritic"},
};

// Reward-modulated STDP: NEST's stdp_dopamine_synapse names and defaults.
const named dopamine_table[] = {
    {"tau_plus", &plasticity_params::tau_plus, "ms", "time constant of the pre trace x"},
    {"tau_minus", &plasticity_params::tau_minus, "ms", "time constant of the post trace y"},
    {"tau_c", &plasticity_params::tau_c, "ms", "time constant of the eligibility trace c"},
    {"tau_n", &plasticity_params::tau_n, "ms", "time constant of the neuromodulator concentration n"},
    {"b", &plasticity_params::b, "1/ms", "baseline concentration: dw/dt = c (n - b)"},
    {"A_plus", &plasticity_params::A_plus, "c", "increase of c per pre-post pair, times x"},
    {"A_minus", &plasticity_params::A_minus, "c", "decrease of c per post-pre pair, times y"},
    {"w_min", &plasticity_params::w_min, "weight", "lower weight bound"},
    {"w_max", &plasticity_params::w_max, "weight", "upper weight bound"},
    {"dendritic_delay_fraction", &plasticity_params::dendritic_delay_fraction, "1", "part of the delay that is dendritic"},
};

// Dendritic prediction: NEST's urbanczik_synapse names and defaults.
const named urbanczik_table[] = {
    {"eta", &plasticity_params::eta, "pA^2/pF", "learning rate (NEST's scaling: the update is multiplied by 225 C_d)"},
    {"tau_Delta", &plasticity_params::tau_Delta, "ms", "time constant of the low-pass filter of the weight change"},
    {"w_min", &plasticity_params::w_min, "pA", "lower weight bound"},
    {"w_max", &plasticity_params::w_max, "pA", "upper weight bound"},
};

plasticity_params pair_defaults() { return {}; }

plasticity_params urbanczik_defaults() {
  plasticity_params p;
  p.kind = plasticity_kind::urbanczik;
  p.w_max = 100.0;
  return p;
}

plasticity_params dopamine_defaults() {
  plasticity_params p;
  p.kind = plasticity_kind::dopamine;
  p.A_plus = 1.0;
  p.A_minus = 1.5;
  p.w_max = 200.0;
  return p;
}

plasticity_params triplet_defaults() {
  plasticity_params p;
  p.kind = plasticity_kind::triplet;
  p.tau_plus = 16.8;
  p.tau_minus = 33.7;
  p.tau_x = 101.0;
  p.tau_y = 114.0;
  p.A_plus = 0.0;
  p.A3_plus = 6.5e-3;
  p.A_minus = 7.1e-3;
  p.A3_minus = 0.0;
  return p;
}

template <std::size_t N>
std::vector<param_doc> docs(const named (&table)[N], const plasticity_params& d) {
  std::vector<param_doc> out;
  for (const auto& t : table) out.push_back({t.name, t.unit, t.description, d.*t.m});
  return out;
}

}  // namespace

std::optional<param_error> plasticity_params::validate() const {
  for (auto [k, v] : {std::pair{"tau_plus", tau_plus}, {"tau_minus", tau_minus}, {"tau_x", tau_x}, {"tau_y", tau_y},
                      {"tau_c", tau_c}, {"tau_n", tau_n}, {"tau_Delta", tau_Delta}})
    if (auto e = require_positive(k, v, "ms")) return e;
  if (auto e = require_finite("b", b)) return e;
  if (auto e = require_non_negative("eta", eta, "pA^2/pF")) return e;
  for (auto [k, v] : {std::pair{"A_plus", A_plus}, {"A_minus", A_minus}, {"A3_plus", A3_plus}, {"A3_minus", A3_minus},
                      {"mu_plus", mu_plus}, {"mu_minus", mu_minus}}) {
    if (auto e = require_finite(k, v)) return e;
    if (v < 0) return param_error{k, fmt::format("must be >= 0 (got {})", v)};
  }
  if (auto e = require_finite("w_min", w_min)) return e;
  if (auto e = require_finite("w_max", w_max)) return e;
  if (!(w_max > w_min)) return param_error{"w_max", fmt::format("must be > w_min = {} (got {})", w_min, w_max)};
  if (!(dendritic_delay_fraction >= 0.0 && dendritic_delay_fraction <= 1.0))
    return param_error{"dendritic_delay_fraction", fmt::format("must lie in [0, 1] (got {})", dendritic_delay_fraction)};
  return std::nullopt;
}

std::optional<param_error> plasticity_params::check_delay(double min_delay_ms, double max_delay_ms, double h_ms) const {
  if (kind == plasticity_kind::urbanczik) return std::nullopt;   // reads the target's past only
  const std::int64_t shortest = dendritic_steps(std::llround(min_delay_ms / h_ms));
  if (potentiate_at_post && dendritic_steps(std::llround(max_delay_ms / h_ms)) != shortest)
    return param_error{"potentiation", fmt::format("at_post needs one dendritic delay per projection: delays from {} to {} ms "
                                                   "give several (use a constant delay)",
                                                   min_delay_ms, max_delay_ms)};
  if (shortest >= 1) return std::nullopt;
  return param_error{"dendritic_delay_fraction",
                     fmt::format("the dendritic part of the delay must be at least one step ({} ms): fraction {} of the "
                                 "smallest delay {} ms is less",
                                 h_ms, dendritic_delay_fraction, min_delay_ms)};
}

std::optional<param_error> plasticity_params::check_modulated_delay(double min_delay_ms, double window_ms, double h_ms) const {
  if (kind != plasticity_kind::dopamine) return std::nullopt;
  const std::int64_t window = std::max<std::int64_t>(1, std::llround(window_ms / h_ms));
  if (dendritic_steps(std::llround(min_delay_ms / h_ms)) >= window) return std::nullopt;
  return param_error{"dendritic_delay_fraction",
                     fmt::format("stdp_dopamine needs a dendritic delay of at least the network's smallest delay ({} ms), "
                                 "so that neuromodulator spikes are known when a pre spike arrives: fraction {} of the "
                                 "smallest delay {} ms is less",
                                 window_ms, dendritic_delay_fraction, min_delay_ms)};
}

const std::vector<rule_info>& plasticity_rules() {
  static const std::vector<rule_info> rules = {
      {"stdp",
       "pair-based STDP, additive / multiplicative (van Rossum 2000) / power-law (Gutig 2003) weight dependence",
       docs(pair_table, pair_defaults()),
       {{"weight_dependence", {"additive", "multiplicative", "power_law"}},
        {"pairing", {"all_to_all", "nearest"}},
        {"potentiation", {"at_next_pre", "at_post"}}}},
      {"stdp_triplet", "triplet STDP (Pfister & Gerstner 2006), additive", docs(triplet_table, triplet_defaults()),
       {{"pairing", {"all_to_all", "nearest"}}}},
      {"stdp_dopamine",
       "reward-modulated STDP with eligibility trace (Izhikevich 2007; NEST stdp_dopamine_synapse); modulator: the "
       "population whose spikes release the neuromodulator",
       docs(dopamine_table, dopamine_defaults()),
       {{"modulator", {}}}},
      {"urbanczik_senn",
       "dendritic prediction of somatic spiking (Urbanczik & Senn 2014; NEST urbanczik_synapse), onto the dendritic "
       "receptors of pyramidal_2c",
       docs(urbanczik_table, urbanczik_defaults()),
       {{"update", {"event", "time_driven"}}}},
  };
  return rules;
}

const rule_info* find_rule(const std::string& name) {
  for (const auto& r : plasticity_rules())
    if (r.name == name) return &r;
  return nullptr;
}

std::optional<param_error> lower_plasticity(const std::string& rule, const std::map<std::string, double>& params,
                                      const std::map<std::string, std::string>& options, plasticity_params& out) {
  const rule_info* info = find_rule(rule);
  if (!info)
    return param_error{"rule", fmt::format("unknown plasticity rule '{}' (known: stdp, stdp_triplet, stdp_dopamine, urbanczik_senn)", rule)};
  const bool triplet = rule == "stdp_triplet", dopamine = rule == "stdp_dopamine", urbanczik = rule == "urbanczik_senn";
  plasticity_params p = triplet ? triplet_defaults() : dopamine ? dopamine_defaults() : urbanczik ? urbanczik_defaults() : pair_defaults();
  for (const auto& [key, v] : params) {
    bool found = false;
    auto set = [&](const auto& table) {
      for (const auto& t : table)
        if (key == t.name) {
          p.*t.m = v;
          found = true;
        }
    };
    if (triplet)
      set(triplet_table);
    else if (dopamine)
      set(dopamine_table);
    else if (urbanczik)
      set(urbanczik_table);
    else
      set(pair_table);
    if (!found) {
      std::string known;
      for (const auto& d : info->params) known += (known.empty() ? "" : ", ") + d.name;
      return param_error{key, fmt::format("unknown parameter of {} (known: {})", rule, known)};
    }
  }
  for (const auto& [key, v] : options) {
    auto opt = std::find_if(info->options.begin(), info->options.end(), [&](const auto& o) { return o.first == key; });
    if (opt == info->options.end()) return param_error{key, fmt::format("not an option of {}", rule)};
    if (key == "modulator") {
      if (v.empty()) return param_error{key, "must name a population"};
      continue;
    }
    if (std::find(opt->second.begin(), opt->second.end(), v) == opt->second.end()) {
      std::string known;
      for (const auto& a : opt->second) known += (known.empty() ? "" : ", ") + a;
      return param_error{key, fmt::format("unknown value '{}' (known: {})", v, known)};
    }
    if (key == "update") p.time_driven = v == "time_driven";
    if (key == "pairing") p.pairing = v == "nearest" ? stdp_pairing::nearest : stdp_pairing::all_to_all;
    if (key == "potentiation") p.potentiate_at_post = v == "at_post";
    if (key == "weight_dependence")
      p.dependence = v == "additive" ? weight_dependence::additive
                     : v == "multiplicative" ? weight_dependence::multiplicative
                                             : weight_dependence::power_law;
  }
  if (p.potentiate_at_post && p.pairing == stdp_pairing::nearest)
    return param_error{"potentiation", "at_post pairs all to all: pairing = \"nearest\" needs at_next_pre"};
  if (dopamine && !options.count("modulator"))
    return param_error{"modulator", "stdp_dopamine needs the population whose spikes release the neuromodulator"};
  if (p.dependence != weight_dependence::power_law)
    for (const char* k : {"mu_plus", "mu_minus"})
      if (params.count(k)) return param_error{k, "only the power_law weight dependence takes an exponent"};
  if (auto e = p.validate()) {
    // the triplet rule names its pair amplitudes A2_plus / A2_minus
    if (triplet && (e->key == "A_plus" || e->key == "A_minus")) e->key = e->key == "A_plus" ? "A2_plus" : "A2_minus";
    return e;
  }
  out = p;
  return std::nullopt;
}

}  // namespace apical
