#include "neurons/registry.hpp"

#include <algorithm>
#include <stdexcept>

#include "neurons/lif_cond_exp.hpp"
#include "neurons/lif_delta.hpp"
#include "neurons/lif_exp.hpp"
#include "neurons/pyramidal_2c.hpp"
#include "neurons/reward_trigger.hpp"
#include "neurons/sources.hpp"

namespace apical {

namespace {

const std::vector<model_info>& models() {
  static const std::vector<model_info> list = {
      {"lif_delta", "LIF, delta synapses, exact integration, precise spike times (NEST iaf_psc_delta_ps)",
       document_params(lif_delta_table), {"excitatory", "inhibitory"}, {"V_m"}, false, "mV", false, {}},
      {"lif_exp", "LIF, exponential synaptic currents, exact integration (NEST iaf_psc_exp / iaf_psc_exp_ps)",
       document_params(lif_exp_table), {"excitatory", "inhibitory"}, {"V_m", "I_syn_ex", "I_syn_in"}, false, "pA", false, {}},
      {"lif_cond_exp", "LIF, exponential synaptic conductances (NEST iaf_cond_exp)", document_params(lif_cond_exp_table),
       {"excitatory", "inhibitory"}, {"V_m", "g_ex", "g_in"}, false, "nS", true, {}},
      {"pyramidal_2c", "two-compartment pyramidal cell, stochastic spiking (Urbanczik & Senn 2014; NEST pp_cond_exp_mc_urbanczik)",
       document_params(pyramidal_2c_table), {"soma_exc", "soma_inh", "dendritic_exc", "dendritic_inh"},
       {"V_m", "V_d", "g_ex", "g_in", "I_ex", "I_in"}, false, "nS (soma_*), pA (dendritic_*)", false, {"soma_exc", "soma_inh"}},
      {"poisson_source", "independent Poisson spike trains (NEST poisson_generator + parrot_neuron)",
       document_params(poisson_source_table), {}, {}, true, "", false, {}},
      {"spike_source", "spikes at given times (NEST spike_generator)", {}, {}, {}, true, "", false, {}},
      {"reward_trigger", "spikes 1-3 s after a post spike follows a pre spike within 10 ms (Izhikevich 2007 reward)",
       document_params(reward_trigger_table), {"pre", "post"}, {}, false, "any > 0", false, {}},
  };
  return list;
}

template <class P, std::size_t N>
P lowered(const param_info<P> (&table)[N], const std::map<std::string, double>& values) {
  P p{};
  if (auto err = assign_params(p, table, values)) throw std::invalid_argument(err->key + ": " + err->message);
  return p;
}

}  // namespace

const std::vector<std::string>& model_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& m : models()) n.push_back(m.name);
    return n;
  }();
  return names;
}

const model_info* find_model(const std::string& name) {
  for (const auto& m : models())
    if (m.name == name) return &m;
  return nullptr;
}

std::optional<param_error> check_params(const std::string& model, const std::map<std::string, double>& params) {
  if (model == "lif_delta") {
    lif_delta_params p;
    return assign_params(p, lif_delta_table, params);
  }
  if (model == "lif_exp") {
    lif_exp_params p;
    return assign_params(p, lif_exp_table, params);
  }
  if (model == "lif_cond_exp") {
    lif_cond_exp_params p;
    return assign_params(p, lif_cond_exp_table, params);
  }
  if (model == "pyramidal_2c") {
    pyramidal_2c_params p;
    return assign_params(p, pyramidal_2c_table, params);
  }
  if (model == "poisson_source") {
    poisson_source_params p;
    return assign_params(p, poisson_source_table, params);
  }
  if (model == "reward_trigger") {
    reward_trigger_params p;
    return assign_params(p, reward_trigger_table, params);
  }
  if (model == "spike_source") {
    if (!params.empty()) return param_error{params.begin()->first, "unknown parameter"};
    return std::nullopt;
  }
  return param_error{"", "unknown model"};
}

int receptor_port(const std::string& model, const std::string& receptor, double weight_sign) {
  const model_info* m = find_model(model);
  if (!m || m->receptors.empty()) return -1;
  const std::string name = receptor.empty() ? (weight_sign >= 0.0 ? "excitatory" : "inhibitory") : receptor;
  if (model == "lif_delta") return (name == "excitatory" || name == "inhibitory") ? 0 : -1;
  auto it = std::find(m->receptors.begin(), m->receptors.end(), name);
  return it == m->receptors.end() ? -1 : static_cast<int>(it - m->receptors.begin());
}

std::unique_ptr<population_dynamics> make_population(const population_spec& s, double h, std::uint64_t seed,
                                                     std::uint64_t stream_id) {
  if (s.model == "lif_delta") return std::make_unique<lif_delta>(s.size, lowered(lif_delta_table, s.params), h);
  if (s.model == "lif_exp") return std::make_unique<lif_exp>(s.size, lowered(lif_exp_table, s.params), h, s.precise_times);
  if (s.model == "lif_cond_exp") return std::make_unique<lif_cond_exp>(s.size, lowered(lif_cond_exp_table, s.params), h);
  if (s.model == "pyramidal_2c") {
    compartment_integrator integ = compartment_integrator::exact;
    if (!s.integrator.empty() && !parse_integrator(s.integrator, integ))
      throw std::invalid_argument("unknown integrator '" + s.integrator + "'");
    return std::make_unique<pyramidal_2c>(s.size, lowered(pyramidal_2c_table, s.params), h, integ, seed, stream_id);
  }
  if (s.model == "poisson_source")
    return std::make_unique<poisson_source>(s.size, lowered(poisson_source_table, s.params), h, seed, stream_id);
  if (s.model == "reward_trigger")
    return std::make_unique<reward_trigger>(s.size, lowered(reward_trigger_table, s.params), h, seed, stream_id);
  if (s.model == "spike_source") {
    auto times = s.spike_times;
    times.resize(s.size);
    for (auto& t : times) std::sort(t.begin(), t.end());
    return std::make_unique<spike_source>(std::move(times), h);
  }
  throw std::invalid_argument("unknown model '" + s.model + "'");
}

}  // namespace apical
