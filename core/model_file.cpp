#include "core/model_file.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <toml.hpp>

#include "core/toml_reader.hpp"
#include "models/microcircuit.hpp"
#include "neurons/registry.hpp"
#include "neurons/pyramidal_2c.hpp"
#include "plasticity/stdp.hpp"

namespace apical {

model_error::model_error(std::string file, unsigned line, std::string key, const std::string& message)
    : std::runtime_error(line > 0 ? fmt::format("{}:{}: {}: {}", file, line, key, message)
                                  : fmt::format("{}: {}: {}", file, key, message)),
      file_(std::move(file)), line_(line), key_(std::move(key)) {}

namespace {

bool valid_name(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'; });
}

connection_rule::kind rule_kind(const std::string& name, bool& ok) {
  using k = connection_rule::kind;
  ok = true;
  // NEST names, then PyNN connector names
  if (name == "all_to_all" || name == "AllToAllConnector") return k::all_to_all;
  if (name == "one_to_one" || name == "OneToOneConnector") return k::one_to_one;
  if (name == "pairwise_bernoulli" || name == "fixed_probability" || name == "FixedProbabilityConnector") return k::pairwise_bernoulli;
  if (name == "fixed_indegree" || name == "FixedNumberPreConnector") return k::fixed_indegree;
  if (name == "fixed_outdegree" || name == "FixedNumberPostConnector") return k::fixed_outdegree;
  if (name == "fixed_total_number" || name == "FixedTotalNumberConnector") return k::fixed_total_number;
  ok = false;
  return k::all_to_all;
}

std::vector<std::vector<double>> read_spike_file(const reader& r, const value& at, const std::string& key,
                                                 const std::string& path, std::uint64_t size) {
  namespace fs = std::filesystem;
  fs::path p(path);
  if (p.is_relative()) p = fs::path(r.base_dir) / p;
  std::ifstream in(p);
  if (!in) r.fail(at, key, fmt::format("cannot open spike file '{}'", p.string()));
  std::vector<std::vector<double>> times(size);
  std::string line;
  unsigned n = 0;
  while (std::getline(in, line)) {
    ++n;
    const auto hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    std::istringstream ls(line);
    long long id;
    double t;
    if (!(ls >> id)) continue;   // blank or comment line
    std::string rest;
    if (!(ls >> t) || (ls >> rest))
      throw model_error(p.string(), n, key, "expected two columns: node_id time_ms");
    if (id < 0 || static_cast<std::uint64_t>(id) >= size)
      throw model_error(p.string(), n, key, fmt::format("node_id {} outside the population (size {})", id, size));
    if (!std::isfinite(t) || t < 0) throw model_error(p.string(), n, key, fmt::format("time must be >= 0 ms (got {})", t));
    times[id].push_back(t);
  }
  return times;
}

void read_simulation(const reader& r, const value& root, network_spec& net) {
  const value* s = r.get(root, "simulation");
  if (!s) return;
  r.table(*s, "simulation");
  r.only(*s, "simulation", {"name", "resolution", "duration", "seed", "threads", "partitions"});
  auto& sim = net.sim;
  if (auto* v = r.get(*s, "name")) sim.name = r.string(*v, "simulation.name");
  if (auto* v = r.get(*s, "resolution")) {
    sim.resolution = r.number(*v, "simulation.resolution");
    if (!(sim.resolution > 0) || !std::isfinite(sim.resolution)) r.fail(*v, "simulation.resolution", fmt::format("must be > 0 ms (got {})", sim.resolution));
  }
  if (auto* v = r.get(*s, "duration")) {
    sim.duration = r.number(*v, "simulation.duration");
    if (!(sim.duration >= 0) || !std::isfinite(sim.duration)) r.fail(*v, "simulation.duration", fmt::format("must be >= 0 ms (got {})", sim.duration));
    try {
      steps_exact(sim.duration, sim.resolution);
    } catch (const std::invalid_argument&) {
      r.fail(*v, "simulation.duration", fmt::format("must be a multiple of the resolution {} ms (got {})", sim.resolution, sim.duration));
    }
  }
  if (auto* v = r.get(*s, "seed")) {
    const auto seed = r.integer(*v, "simulation.seed");
    if (seed < 0) r.fail(*v, "simulation.seed", "must be >= 0");
    sim.seed = static_cast<std::uint64_t>(seed);
  }
  if (auto* v = r.get(*s, "threads")) {
    const auto t = r.integer(*v, "simulation.threads");
    if (t < 1 || t > 1024) r.fail(*v, "simulation.threads", fmt::format("must be in [1, 1024] (got {})", t));
    sim.threads = static_cast<int>(t);
  }
  if (auto* v = r.get(*s, "partitions")) {
    const auto t = r.integer(*v, "simulation.partitions");
    if (t < 0) r.fail(*v, "simulation.partitions", "must be >= 0 (0: automatic)");
    sim.partitions = static_cast<int>(t);
  }
}

/// [microcircuit]: the Potjans-Diesmann network from models/microcircuit.hpp.
void read_microcircuit(const reader& r, const value& root, network_spec& net) {
  const value* m = r.get(root, "microcircuit");
  if (!m) return;
  const std::string path = "microcircuit";
  r.table(*m, path);
  r.only(*m, path, {"scale", "n_scale", "k_scale", "background", "thalamus", "th_start", "th_duration", "th_rate", "v0"});
  microcircuit_options o;
  auto scale = [&](const char* key, double& out) {
    if (const value* v = r.get(*m, key)) {
      out = r.number(*v, path + "." + key);
      if (!(out > 0.0 && out <= 1.0)) r.fail(*v, path + "." + key, fmt::format("must lie in (0, 1] (got {})", out));
    }
  };
  double both = 1.0;
  scale("scale", both);
  o.n_scale = o.k_scale = both;
  scale("n_scale", o.n_scale);
  scale("k_scale", o.k_scale);
  if (const value* v = r.get(*m, "background")) {
    o.background = r.string(*v, path + ".background");
    if (o.background != "poisson" && o.background != "dc") r.fail(*v, path + ".background", "must be \"poisson\" or \"dc\"");
  }
  if (const value* v = r.get(*m, "v0")) {
    o.v0 = r.string(*v, path + ".v0");
    if (o.v0 != "optimized" && o.v0 != "original") r.fail(*v, path + ".v0", "must be \"optimized\" or \"original\"");
  }
  if (const value* v = r.get(*m, "thalamus")) o.thalamus = r.boolean(*v, path + ".thalamus");
  for (auto [key, out] : {std::pair{"th_start", &o.th_start}, {"th_duration", &o.th_duration}, {"th_rate", &o.th_rate}})
    if (const value* v = r.get(*m, key)) {
      *out = r.number(*v, path + "." + key);
      if (!(*out >= 0.0) || !std::isfinite(*out)) r.fail(*v, path + "." + key, fmt::format("must be >= 0 (got {})", *out));
    }
  build_microcircuit(o, net);
}

void read_populations(const reader& r, const value& root, network_spec& net) {
  const value* arr = r.get(root, "population");
  if (!arr && !net.populations.empty()) return;   // a builder made them
  if (!arr) throw model_error(r.file, 0, "population", "the model has no [[population]]");
  std::size_t i = 0;
  for (const auto& pv : r.array(*arr, "population")) {
    const std::string path = fmt::format("population[{}]", i++);
    r.table(pv, path);
    r.only(pv, path, {"name", "model", "size", "params", "initial", "precise_times", "integrator", "spike_times", "spike_file"});
    population_spec ps;
    const value& nv = r.require(pv, path, "name");
    ps.name = r.string(nv, path + ".name");
    if (!valid_name(ps.name)) r.fail(nv, path + ".name", fmt::format("'{}' is not a valid name (letters, digits, _ - .)", ps.name));
    if (net.find(ps.name)) r.fail(nv, path + ".name", fmt::format("a population named '{}' exists already", ps.name));
    const value& mv = r.require(pv, path, "model");
    ps.model = r.string(mv, path + ".model");
    const model_info* info = find_model(ps.model);
    if (!info) {
      std::string known;
      for (const auto& n : model_names()) known += (known.empty() ? "" : ", ") + n;
      r.fail(mv, path + ".model", fmt::format("unknown model '{}' (known: {})", ps.model, known));
    }
    const value& sv = r.require(pv, path, "size");
    const auto size = r.integer(sv, path + ".size");
    if (size < 1 || size > (std::int64_t{1} << 31)) r.fail(sv, path + ".size", fmt::format("must be in [1, 2^31] (got {})", size));
    ps.size = static_cast<std::uint64_t>(size);
    if (const value* prm = r.get(pv, "params")) {
      r.table(*prm, path + ".params");
      for (const auto& [k, v] : prm->as_table()) ps.params[k] = r.number(v, path + ".params." + k);
      if (auto err = check_params(ps.model, ps.params)) {
        const value* at = err->key.empty() ? prm : r.get(*prm, err->key.c_str());
        std::string msg = err->message;
        if (msg == "unknown parameter") {
          std::string known;
          for (const auto& d : info->params) known += (known.empty() ? "" : ", ") + d.name;
          msg = fmt::format("unknown parameter of {} (known: {})", ps.model, known);
        }
        r.fail(at ? *at : *prm, path + ".params." + err->key, msg);
      }
    }
    if (const value* init = r.get(pv, "initial")) {
      r.table(*init, path + ".initial");
      for (const auto& [k, v] : init->as_table()) {
        if (std::find(info->state.begin(), info->state.end(), k) == info->state.end())
          r.fail(v, path + ".initial." + k, fmt::format("'{}' is not a state variable of {}", k, ps.model));
        ps.initial[k] = r.dist(v, path + ".initial." + k);
      }
    }
    if (const value* v = r.get(pv, "precise_times")) {
      ps.precise_times = r.boolean(*v, path + ".precise_times");
      if (ps.precise_times && ps.model != "lif_exp" && ps.model != "lif_delta")
        r.fail(*v, path + ".precise_times", fmt::format("{} has no precise-timing mode", ps.model));
    }
    if (const value* v = r.get(pv, "integrator")) {
      ps.integrator = r.string(*v, path + ".integrator");
      compartment_integrator integ;
      if (ps.model != "pyramidal_2c") r.fail(*v, path + ".integrator", fmt::format("{} has no choice of integrator", ps.model));
      if (!parse_integrator(ps.integrator, integ))
        r.fail(*v, path + ".integrator", fmt::format("unknown integrator '{}' (known: exact, rk4, dopri5)", ps.integrator));
    }
    const value* st = r.get(pv, "spike_times");
    const value* sf = r.get(pv, "spike_file");
    if ((st || sf) && ps.model != "spike_source")
      r.fail(st ? *st : *sf, path + (st ? ".spike_times" : ".spike_file"), "only a spike_source takes spike times");
    if (st) {
      std::size_t n = 0;
      for (const auto& row : r.array(*st, path + ".spike_times")) {
        const std::string rk = fmt::format("{}.spike_times[{}]", path, n);
        if (n >= ps.size) r.fail(row, rk, fmt::format("more rows than nodes ({})", ps.size));
        std::vector<double> times;
        for (const auto& t : r.array(row, rk)) {
          const double x = r.number(t, rk);
          if (!(x >= 0) || !std::isfinite(x)) r.fail(t, rk, fmt::format("spike times must be >= 0 ms (got {})", x));
          times.push_back(x);
        }
        ps.spike_times.push_back(std::move(times));
        ++n;
      }
    }
    if (sf) {
      auto extra = read_spike_file(r, *sf, path + ".spike_file", r.string(*sf, path + ".spike_file"), ps.size);
      ps.spike_times.resize(ps.size);
      for (std::size_t n = 0; n < ps.size; ++n) ps.spike_times[n].insert(ps.spike_times[n].end(), extra[n].begin(), extra[n].end());
    }
    net.populations.push_back(std::move(ps));
  }
}

void check_delay(const reader& r, const value& at, const std::string& key, const distribution& d, double h) {
  if (d.min_value() < h * (1.0 - 1e-9))
    r.fail(at, key, fmt::format("delays must be >= the resolution {} ms (smallest possible here: {} ms)", h, d.min_value()));
  if (d.max_value() / h > 65535.0) r.fail(at, key, fmt::format("delays must be below {} ms", 65535.0 * h));
}

void check_weight(const reader& r, const value& at, const std::string& key, const distribution& w, const model_info& target,
                  int port) {
  const bool conductance = target.conductance || (port >= 0 && target.takes_conductance(target.receptors[std::size_t(port)]));
  if (conductance && w.min_value() < 0.0)
    r.fail(at, key, fmt::format("{} takes conductances there: weights must be >= 0 nS (smallest possible here: {})", target.name, w.min_value()));
  if (target.name == "reward_trigger" && !(w.min_value() > 0.0))
    r.fail(at, key, fmt::format("reward_trigger counts spikes of weight > 0 (smallest possible here: {})", w.min_value()));
}

/// "<source>_to_<target>", with "_<k>" appended when that name is taken.
std::string default_projection_name(const network_spec& net, const std::string& source, const std::string& target) {
  std::string name = source + "_to_" + target;
  for (int k = 2; net.find_projection(name); ++k) name = fmt::format("{}_to_{}_{}", source, target, k);
  return name;
}

/// The smallest delay of any projection [ms] (the length of a window).
double smallest_delay(const network_spec& net) {
  double d = std::numeric_limits<double>::infinity();
  for (const auto& pr : net.projections) d = std::min(d, pr.delay.min_value());
  return d;
}

/// urbanczik_senn reads the dendrite of a pyramidal_2c: empty when the projection may carry it.
std::string urbanczik_target_error(const projection_spec& pr, const std::string& target_model) {
  if (pr.plasticity.rule != "urbanczik_senn") return {};
  if (target_model != "pyramidal_2c") return fmt::format("urbanczik_senn needs a pyramidal_2c target ('{}' is a {})", pr.target, target_model);
  if (pr.receptor != "dendritic_exc" && pr.receptor != "dendritic_inh")
    return fmt::format("urbanczik_senn acts on the dendrite: receptor must be dendritic_exc or dendritic_inh (got '{}')", pr.receptor);
  return {};
}

/// [projection.plasticity]: rule = "...", string options, numeric parameters.
void read_plasticity(const reader& r, const value& v, const std::string& path, projection_spec& pr, double h) {
  r.table(v, path);
  plasticity_spec& pl = pr.plasticity;
  const value& rv = r.require(v, path, "rule");
  pl.rule = r.string(rv, path + ".rule");
  if (!find_rule(pl.rule)) {
    std::string known;
    for (const auto& ri : plasticity_rules()) known += (known.empty() ? "" : ", ") + ri.name;
    r.fail(rv, path + ".rule", fmt::format("unknown plasticity rule '{}' (known: {})", pl.rule, known));
  }
  for (const auto& [k, x] : v.as_table()) {
    if (k == "rule") continue;
    if (x.is_string())
      pl.options[k] = x.as_string().str;
    else
      pl.params[k] = r.number(x, path + "." + k);
  }
  plasticity_params rule;
  if (auto err = lower_plasticity(pl.rule, pl.params, pl.options, rule)) {
    const value* at = r.get(v, err->key.c_str());
    r.fail(at ? *at : v, path + "." + err->key, err->message);
  }
  if (pr.weight.min_value() < rule.w_min || pr.weight.max_value() > rule.w_max)
    r.fail(v, path, fmt::format("initial weights must lie in [w_min, w_max] = [{}, {}] (weights here: [{}, {}])", rule.w_min,
                                rule.w_max, pr.weight.min_value(), pr.weight.max_value()));
  if (auto err = rule.check_delay(pr.delay.min_value(), pr.delay.max_value(), h)) {
    const value* at = r.get(v, err->key.c_str());
    r.fail(at ? *at : v, path + "." + err->key, err->message);
  }
}

void read_projections(const reader& r, const value& root, network_spec& net) {
  const value* arr = r.get(root, "projection");
  if (!arr) return;
  std::size_t i = 0;
  for (const auto& pv : r.array(*arr, "projection")) {
    const std::string path = fmt::format("projection[{}]", i++);
    r.table(pv, path);
    r.only(pv, path, {"name", "source", "target", "rule", "p", "indegree", "outdegree", "N", "allow_autapses", "allow_multapses",
                      "weight", "delay", "receptor", "plasticity", "source_nodes", "target_nodes"});
    projection_spec pr;
    const population_spec* pops[2];
    const char* ends[2] = {"source", "target"};
    for (int e = 0; e < 2; ++e) {
      const value& v = r.require(pv, path, ends[e]);
      const std::string name = r.string(v, path + "." + ends[e]);
      pops[e] = net.find(name);
      if (!pops[e]) r.fail(v, path + "." + ends[e], fmt::format("no population named '{}'", name));
      (e == 0 ? pr.source : pr.target) = name;
    }
    for (int e = 0; e < 2; ++e) {   // node selections: ascending ids inside the population
      const std::string key = std::string(ends[e]) + "_nodes";
      const value* sv = r.get(pv, key.c_str());
      if (!sv) continue;
      auto& nodes = e == 0 ? pr.source_nodes : pr.target_nodes;
      for (const auto& x : r.array(*sv, path + "." + key)) {
        const auto id = r.integer(x, path + "." + key);
        if (id < 0 || static_cast<std::uint64_t>(id) >= pops[e]->size)
          r.fail(x, path + "." + key, fmt::format("node {} outside population '{}' (size {})", id, pops[e]->name, pops[e]->size));
        if (!nodes.empty() && id <= nodes.back()) r.fail(x, path + "." + key, "node ids must be ascending and unique");
        nodes.push_back(static_cast<std::uint32_t>(id));
      }
      if (nodes.empty()) r.fail(*sv, path + "." + key, "selects no node");
    }
    const model_info& tinfo = *find_model(pops[1]->model);
    if (tinfo.is_source) r.fail(*r.get(pv, "target"), path + ".target", fmt::format("'{}' is a {} and takes no input", pr.target, pops[1]->model));
    const value& rv = r.require(pv, path, "rule");
    bool ok;
    pr.rule.type = rule_kind(r.string(rv, path + ".rule"), ok);
    if (!ok)
      r.fail(rv, path + ".rule",
             "unknown rule (known: all_to_all, one_to_one, pairwise_bernoulli, fixed_indegree, fixed_outdegree, fixed_total_number)");
    using k = connection_rule::kind;
    auto count = [&](const char* key) {
      const value& v = r.require(pv, path, key);
      const auto n = r.integer(v, path + "." + key);
      if (n < 0) r.fail(v, path + "." + key, fmt::format("must be >= 0 (got {})", n));
      return static_cast<std::uint64_t>(n);
    };
    const char* rule_key = nullptr;
    switch (pr.rule.type) {
      case k::pairwise_bernoulli: {
        const value& v = r.require(pv, path, "p");
        pr.rule.p = r.number(v, path + ".p");
        if (!(pr.rule.p >= 0.0 && pr.rule.p <= 1.0)) r.fail(v, path + ".p", fmt::format("probability must lie in [0, 1] (got {})", pr.rule.p));
        rule_key = "p";
        break;
      }
      case k::fixed_indegree: pr.rule.n = count(rule_key = "indegree"); break;
      case k::fixed_outdegree: pr.rule.n = count(rule_key = "outdegree"); break;
      case k::fixed_total_number: pr.rule.n = count(rule_key = "N"); break;
      default: break;
    }
    for (const char* key : {"p", "indegree", "outdegree", "N"})
      if (const value* v = r.get(pv, key); v && (!rule_key || std::string(key) != rule_key))
        r.fail(*v, path + "." + key, fmt::format("not a parameter of rule {}", rule_name(pr.rule.type)));
    if (const value* v = r.get(pv, "allow_autapses")) pr.rule.allow_autapses = r.boolean(*v, path + ".allow_autapses");
    if (const value* v = r.get(pv, "allow_multapses")) pr.rule.allow_multapses = r.boolean(*v, path + ".allow_multapses");
    if (auto msg = check_rule(pr.rule, pr.pre_count(pops[0]->size), pr.post_count(pops[1]->size), pr.same_nodes()); !msg.empty())
      r.fail(rv, path + ".rule", msg);
    const value& wv = r.require(pv, path, "weight");
    pr.weight = r.dist(wv, path + ".weight");
    if (const value* dv = r.get(pv, "delay")) {
      pr.delay = r.dist(*dv, path + ".delay");
      check_delay(r, *dv, path + ".delay", pr.delay, net.sim.resolution);
    } else {
      pr.delay = distribution::constant_of(std::max(1.0, net.sim.resolution));
    }
    if (const value* v = r.get(pv, "receptor")) pr.receptor = r.string(*v, path + ".receptor");
    if (receptor_port(pops[1]->model, pr.receptor, pr.weight.expectation()) < 0) {
      std::string known;
      for (const auto& n : tinfo.receptors) known += (known.empty() ? "" : ", ") + n;
      r.fail(r.get(pv, "receptor") ? *r.get(pv, "receptor") : pv, path + ".receptor",
             fmt::format("{} has no receptor '{}' (known: {})", pops[1]->model, pr.receptor, known));
    }
    check_weight(r, wv, path + ".weight", pr.weight, tinfo, receptor_port(pops[1]->model, pr.receptor, pr.weight.expectation()));
    if (const value* nv = r.get(pv, "name")) {
      pr.name = r.string(*nv, path + ".name");
      if (!valid_name(pr.name)) r.fail(*nv, path + ".name", fmt::format("'{}' is not a valid name (letters, digits, _ - .)", pr.name));
      if (net.find_projection(pr.name)) r.fail(*nv, path + ".name", fmt::format("a projection named '{}' exists already", pr.name));
    } else {
      pr.name = default_projection_name(net, pr.source, pr.target);
    }
    if (const value* plv = r.get(pv, "plasticity")) {
      read_plasticity(r, *plv, path + ".plasticity", pr, net.sim.resolution);
      if (auto m = urbanczik_target_error(pr, pops[1]->model); !m.empty()) r.fail(*r.get(*plv, "rule"), path + ".plasticity.rule", m);
      if (auto m = pr.plasticity.options.find("modulator"); m != pr.plasticity.options.end() && !net.find(m->second))
        r.fail(*r.get(*plv, "modulator"), path + ".plasticity.modulator", fmt::format("no population named '{}'", m->second));
    }
    net.projections.push_back(std::move(pr));
  }
  // stdp_dopamine: the dendritic delay against the network's smallest delay
  i = 0;
  for (const auto& pv : r.array(*arr, "projection")) {
    const projection_spec& pr = net.projections[i];
    const std::string path = fmt::format("projection[{}].plasticity", i++);
    if (!pr.plasticity.plastic()) continue;
    plasticity_params rule;
    lower_plasticity(pr.plasticity.rule, pr.plasticity.params, pr.plasticity.options, rule);
    if (auto err = rule.check_modulated_delay(pr.delay.min_value(), smallest_delay(net), net.sim.resolution)) {
      const value& plv = *r.get(pv, "plasticity");
      const value* at = r.get(plv, err->key.c_str());
      r.fail(at ? *at : plv, path + "." + err->key, err->message);
    }
  }
}

void read_stimuli(const reader& r, const value& root, network_spec& net) {
  const value* arr = r.get(root, "stimulus");
  if (!arr) return;
  std::size_t i = 0;
  for (const auto& sv : r.array(*arr, "stimulus")) {
    const std::string path = fmt::format("stimulus[{}]", i++);
    r.table(sv, path);
    stimulus_spec s;
    const value& tv = r.require(sv, path, "type");
    s.type = r.string(tv, path + ".type");
    if (s.type == "poisson_input")
      r.only(sv, path, {"type", "target", "rate", "weight", "receptor", "start", "stop"});
    else if (s.type == "dc_source")
      r.only(sv, path, {"type", "target", "amplitude", "start", "stop"});
    else if (s.type == "sinusoidal_input")
      r.only(sv, path, {"type", "target", "amplitude", "offset", "frequency", "phase", "receptor", "start", "stop"});
    else
      r.fail(tv, path + ".type", fmt::format("unknown stimulus '{}' (known: poisson_input, dc_source, sinusoidal_input)", s.type));
    const value& target = r.require(sv, path, "target");
    s.target = r.string(target, path + ".target");
    const population_spec* tp = net.find(s.target);
    if (!tp) r.fail(target, path + ".target", fmt::format("no population named '{}'", s.target));
    const model_info& tinfo = *find_model(tp->model);
    if (tinfo.is_source) r.fail(target, path + ".target", fmt::format("'{}' is a {} and takes no input", s.target, tp->model));
    if (s.type == "poisson_input") {
      const value& rv = r.require(sv, path, "rate");
      s.rate = r.number(rv, path + ".rate");
      if (!(s.rate >= 0) || !std::isfinite(s.rate)) r.fail(rv, path + ".rate", fmt::format("must be >= 0 Hz (got {})", s.rate));
      if (s.rate * net.sim.resolution * 1e-3 > 700) r.fail(rv, path + ".rate", "more than 700 events per step: use a dc_source");
      const value& wv = r.require(sv, path, "weight");
      s.weight = r.number(wv, path + ".weight");
      if (const value* v = r.get(sv, "receptor")) s.receptor = r.string(*v, path + ".receptor");
      if (receptor_port(tp->model, s.receptor, s.weight) < 0)
        r.fail(r.get(sv, "receptor") ? *r.get(sv, "receptor") : sv, path + ".receptor", fmt::format("{} has no receptor '{}'", tp->model, s.receptor));
      check_weight(r, wv, path + ".weight", distribution::constant_of(s.weight), tinfo, receptor_port(tp->model, s.receptor, s.weight));
    } else if (s.type == "sinusoidal_input") {
      auto finite = [&](const char* key, double& out, bool required) {
        const value* v = required ? &r.require(sv, path, key) : r.get(sv, key);
        if (!v) return;
        out = r.number(*v, path + "." + key);
        if (!std::isfinite(out)) r.fail(*v, path + "." + key, "must be finite");
      };
      finite("amplitude", s.amplitude, true);
      finite("offset", s.offset, false);
      finite("frequency", s.frequency, true);
      finite("phase", s.phase, false);
      if (s.frequency < 0) r.fail(*r.get(sv, "frequency"), path + ".frequency", fmt::format("must be >= 0 Hz (got {})", s.frequency));
      const value& rv = r.require(sv, path, "receptor");
      s.receptor = r.string(rv, path + ".receptor");
      const int port = receptor_port(tp->model, s.receptor, s.offset);
      if (port < 0) r.fail(rv, path + ".receptor", fmt::format("{} has no receptor '{}'", tp->model, s.receptor));
      // the smallest value it adds: offset - |amplitude|
      check_weight(r, *r.get(sv, "amplitude"), path + ".amplitude", distribution::constant_of(s.offset - std::abs(s.amplitude)), tinfo, port);
    } else {
      s.amplitude = r.number(r.require(sv, path, "amplitude"), path + ".amplitude");
      if (!std::isfinite(s.amplitude)) r.fail(*r.get(sv, "amplitude"), path + ".amplitude", "must be finite");
    }
    if (const value* v = r.get(sv, "start")) {
      s.start = r.number(*v, path + ".start");
      if (!(s.start >= 0)) r.fail(*v, path + ".start", fmt::format("must be >= 0 ms (got {})", s.start));
    }
    if (const value* v = r.get(sv, "stop")) {
      s.stop = r.number(*v, path + ".stop");
      if (!(s.stop >= s.start)) r.fail(*v, path + ".stop", fmt::format("must be >= start = {} ms (got {})", s.start, s.stop));
    }
    net.stimuli.push_back(std::move(s));
  }
}

void read_interval(const reader& r, const value& rv, const std::string& path, const network_spec& net, recorder_spec& rec) {
  if (const value* iv = r.get(rv, "interval")) {
    rec.interval = r.number(*iv, path + ".interval");
    try {
      if (!(rec.interval > 0) || steps_exact(rec.interval, net.sim.resolution) < 1) throw std::invalid_argument("");
    } catch (const std::invalid_argument&) {
      r.fail(*iv, path + ".interval",
             fmt::format("must be a positive multiple of the resolution {} ms (got {})", net.sim.resolution, rec.interval));
    }
  } else {
    rec.interval = std::max(1.0, net.sim.resolution);
  }
}

void read_recorders(const reader& r, const value& root, network_spec& net) {
  const value* arr = r.get(root, "recorder");
  if (!arr) return;
  std::size_t i = 0;
  for (const auto& rv : r.array(*arr, "recorder")) {
    const std::string path = fmt::format("recorder[{}]", i++);
    r.table(rv, path);
    recorder_spec rec;
    const value& tv = r.require(rv, path, "type");
    const std::string type = r.string(tv, path + ".type");
    if (type == "spikes") {
      rec.type = recorder_spec::kind::spikes;
      r.only(rv, path, {"type", "populations", "record"});
      if (const value* kv = r.get(rv, "record")) {
        rec.record = r.boolean(*kv, path + ".record");
        // every population's spikes are counted whether recorded or not: a
        // count-only recorder naming populations would promise what it does not do
        const value* pv = r.get(rv, "populations");
        if (!rec.record && pv && !r.array(*pv, path + ".populations").empty())
          r.fail(*pv, path + ".populations",
                 "a spike recorder with record = false keeps no spikes (every population's are counted): leave out populations");
      }
    } else if (type == "state") {
      rec.type = recorder_spec::kind::state;
      r.only(rv, path, {"type", "populations", "variables", "neurons", "count", "interval"});
    } else if (type == "weights") {
      rec.type = recorder_spec::kind::weights;
      r.only(rv, path, {"type", "projection", "targets", "interval", "on_change"});
      const value& pv = r.require(rv, path, "projection");
      rec.projection = r.string(pv, path + ".projection");
      const projection_spec* pr = net.find_projection(rec.projection);
      if (!pr) r.fail(pv, path + ".projection", fmt::format("no projection named '{}'", rec.projection));
      if (!pr->plasticity.plastic()) r.fail(pv, path + ".projection", fmt::format("projection '{}' is static", rec.projection));
      for (const auto& other : net.recorders)   // weights.h5 holds one recording per projection
        if (other.type == recorder_spec::kind::weights && other.projection == rec.projection)
          r.fail(pv, path + ".projection", fmt::format("projection '{}' has a weight recorder already (one per projection)", rec.projection));
      if (const value* tv2 = r.get(rv, "targets")) {
        const std::uint64_t size = net.find(pr->target)->size;
        for (const auto& e : r.array(*tv2, path + ".targets")) {
          const auto id = r.integer(e, path + ".targets");
          if (id < 0 || static_cast<std::uint64_t>(id) >= size)
            r.fail(e, path + ".targets", fmt::format("node {} outside population '{}' (size {})", id, pr->target, size));
          rec.targets.push_back(static_cast<std::uint32_t>(id));
        }
      }
      if (const value* ov = r.get(rv, "on_change")) {
        rec.on_change = r.boolean(*ov, path + ".on_change");
        if (rec.on_change && r.get(rv, "interval"))
          r.fail(*r.get(rv, "interval"), path + ".interval", "a recorder with on_change = true samples no interval");
      }
      read_interval(r, rv, path, net, rec);
      net.recorders.push_back(std::move(rec));
      continue;
    } else {
      r.fail(tv, path + ".type", fmt::format("unknown recorder '{}' (known: spikes, state, weights)", type));
    }
    if (const value* v = r.get(rv, "populations")) {
      rec.populations = r.strings(*v, path + ".populations");
      for (const auto& name : rec.populations)
        if (!net.find(name)) r.fail(*v, path + ".populations", fmt::format("no population named '{}'", name));
    }
    if (rec.type == recorder_spec::kind::state) {
      if (rec.populations.empty()) r.fail(rv, path + ".populations", "missing required key");
      const value& vv = r.require(rv, path, "variables");
      rec.variables = r.strings(vv, path + ".variables");
      for (const auto& pname : rec.populations) {
        const population_spec* ps = net.find(pname);
        const model_info& mi = *find_model(ps->model);
        for (const auto& var : rec.variables)
          if (std::find(mi.state.begin(), mi.state.end(), var) == mi.state.end())
            r.fail(vv, path + ".variables", fmt::format("{} (population '{}') has no state variable '{}'", ps->model, pname, var));
        if (const value* nv = r.get(rv, "neurons")) {
          for (const auto& e : r.array(*nv, path + ".neurons")) {
            const auto id = r.integer(e, path + ".neurons");
            if (id < 0 || static_cast<std::uint64_t>(id) >= ps->size)
              r.fail(e, path + ".neurons", fmt::format("node {} outside population '{}' (size {})", id, pname, ps->size));
          }
        }
      }
      if (const value* nv = r.get(rv, "neurons"))
        for (const auto& e : nv->as_array()) rec.neurons.push_back(static_cast<std::uint32_t>(e.as_integer()));
      if (const value* cv = r.get(rv, "count")) {
        const auto c = r.integer(*cv, path + ".count");
        if (c < 1) r.fail(*cv, path + ".count", "must be >= 1");
        rec.count = static_cast<std::uint32_t>(c);
      }
      read_interval(r, rv, path, net, rec);
    }
    net.recorders.push_back(std::move(rec));
  }
}

}  // namespace

value parse_toml(const std::string& text, const std::string& name) {
  try {
    std::istringstream in(text);
    return toml::parse(in, name);
  } catch (const toml::syntax_error& e) {
    // toml11's message starts "[error] <what>" followed by an annotated excerpt
    std::string what = e.what();
    what = what.substr(0, what.find('\n'));
    if (what.rfind("[error] ", 0) == 0) what = what.substr(8);
    throw model_error(name, static_cast<unsigned>(e.location().line()), "(syntax)", "not valid TOML: " + what);
  }
}

network_spec parse_model(const std::string& text, const std::string& name, const std::string& base_dir,
                         const std::vector<key_override>& overrides) {
  value root = parse_toml(text, name);
  apply_overrides(root, overrides);
  reader r{name, base_dir};
  r.only(root, "(top level)", {"simulation", "microcircuit", "population", "projection", "stimulus", "recorder"});
  network_spec net;
  net.source_file = name;
  read_simulation(r, root, net);
  read_microcircuit(r, root, net);
  read_populations(r, root, net);
  read_projections(r, root, net);
  read_stimuli(r, root, net);
  read_recorders(r, root, net);
  check_network(net);   // what builders made obeys the same rules
  return net;
}

network_spec load_model_file(const std::string& path, const std::vector<key_override>& overrides) {
  std::ifstream in(path);
  if (!in) throw model_error(path, 0, "(file)", "cannot open the model file");
  std::stringstream ss;
  ss << in.rdbuf();
  const auto dir = std::filesystem::path(path).parent_path();
  return parse_model(ss.str(), path, dir.empty() ? "." : dir.string(), overrides);
}

void check_network(const network_spec& spec) {
  const std::string f = spec.source_file.empty() ? "(network)" : spec.source_file;
  if (!(spec.sim.resolution > 0)) throw model_error(f, 0, "simulation.resolution", "must be > 0 ms");
  std::set<std::string> names;
  for (std::size_t i = 0; i < spec.populations.size(); ++i) {
    const auto& p = spec.populations[i];
    const std::string path = fmt::format("population[{}]", i);
    if (!valid_name(p.name) || !names.insert(p.name).second) throw model_error(f, 0, path + ".name", "missing, invalid or repeated name");
    if (!find_model(p.model)) throw model_error(f, 0, path + ".model", "unknown model '" + p.model + "'");
    if (p.size < 1) throw model_error(f, 0, path + ".size", "must be >= 1");
    if (auto err = check_params(p.model, p.params)) throw model_error(f, 0, path + ".params." + err->key, err->message);
  }
  for (std::size_t i = 0; i < spec.recorders.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (spec.recorders[i].type == recorder_spec::kind::weights && spec.recorders[j].type == recorder_spec::kind::weights &&
          spec.recorders[i].projection == spec.recorders[j].projection)
        throw model_error(f, 0, fmt::format("recorder[{}].projection", i),
                          fmt::format("projection '{}' has a weight recorder already (one per projection)", spec.recorders[i].projection));
  for (std::size_t i = 0; i < spec.projections.size(); ++i) {
    const auto& pr = spec.projections[i];
    const std::string path = fmt::format("projection[{}]", i);
    const auto* a = spec.find(pr.source);
    const auto* b = spec.find(pr.target);
    if (!a) throw model_error(f, 0, path + ".source", "no population named '" + pr.source + "'");
    if (!b) throw model_error(f, 0, path + ".target", "no population named '" + pr.target + "'");
    for (int e = 0; e < 2; ++e) {
      const auto& nodes = e == 0 ? pr.source_nodes : pr.target_nodes;
      const std::uint64_t size = (e == 0 ? a : b)->size;
      for (std::size_t i = 0; i < nodes.size(); ++i)
        if (nodes[i] >= size || (i > 0 && nodes[i] <= nodes[i - 1]))
          throw model_error(f, 0, path + (e == 0 ? ".source_nodes" : ".target_nodes"), "node ids must be ascending, unique and inside the population");
    }
    if (auto m = check_rule(pr.rule, pr.pre_count(a->size), pr.post_count(b->size), pr.same_nodes()); !m.empty())
      throw model_error(f, 0, path + ".rule", m);
    if (auto m = pr.weight.check(); !m.empty()) throw model_error(f, 0, path + ".weight", m);
    if (auto m = pr.delay.check(); !m.empty()) throw model_error(f, 0, path + ".delay", m);
    if (pr.delay.min_value() < spec.sim.resolution * (1.0 - 1e-9)) throw model_error(f, 0, path + ".delay", "delays must be >= the resolution");
    if (receptor_port(b->model, pr.receptor, pr.weight.expectation()) < 0) throw model_error(f, 0, path + ".receptor", "unknown receptor");
    if (pr.name.empty() || !valid_name(pr.name) || spec.find_projection(pr.name) != &pr)
      throw model_error(f, 0, path + ".name", "missing, invalid or repeated name");
    if (pr.plasticity.plastic()) {
      plasticity_params rule;
      if (auto err = lower_plasticity(pr.plasticity.rule, pr.plasticity.params, pr.plasticity.options, rule))
        throw model_error(f, 0, path + ".plasticity." + err->key, err->message);
      if (auto err = rule.check_delay(pr.delay.min_value(), pr.delay.max_value(), spec.sim.resolution))
        throw model_error(f, 0, path + ".plasticity." + err->key, err->message);
      if (auto m = pr.plasticity.options.find("modulator"); m != pr.plasticity.options.end() && !spec.find(m->second))
        throw model_error(f, 0, path + ".plasticity.modulator", "no population named '" + m->second + "'");
      if (auto err = rule.check_modulated_delay(pr.delay.min_value(), smallest_delay(spec), spec.sim.resolution))
        throw model_error(f, 0, path + ".plasticity." + err->key, err->message);
      if (auto m = urbanczik_target_error(pr, b->model); !m.empty()) throw model_error(f, 0, path + ".plasticity.rule", m);
    }
  }
}

}  // namespace apical
