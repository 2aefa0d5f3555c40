// The Python module `apical` (pybind11): build a network as with PyNN, run it,
// and read spikes, state and weights as NumPy arrays. It fills the same
// network_spec a model file does and runs the same simulation, so a network
// built here and the model file stating it give bit-identical results
// (tests/python/test_api.py).
//
// Names follow PyNN where they fit: Population(size, model, params, label),
// Projection(pre, post, connector, ...), AllToAllConnector,
// FixedProbabilityConnector, FixedNumberPreConnector (fixed in-degree),
// FixedNumberPostConnector (fixed out-degree), FixedTotalNumberConnector,
// OneToOneConnector; allow_self_connections, with_replacement. Units are
// apical's (docs/user_guide.md#python-api): ms, mV, pA, nS, pF, Hz.
//
// Copies: a population's state variables (Population.get) are NumPy views of
// the simulation's own arrays (writable, valid while the network lives);
// recorded spikes, state and weight tables are copied once per call.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <limits>
#include <memory>

#include <fmt/format.h>

#include "core/model_file.hpp"
#include "core/recorder.hpp"
#include "core/simulation.hpp"
#include "neurons/registry.hpp"

namespace py = pybind11;
using namespace apical;

namespace {

/// A connection rule under its PyNN name.
struct connector {
  connection_rule rule;
  std::string name;
};

connector make_connector(connection_rule::kind k, double p, std::uint64_t n, bool autapses, bool multapses, const char* name) {
  connector c;
  c.rule.type = k;
  c.rule.p = p;
  c.rule.n = n;
  c.rule.allow_autapses = autapses;
  c.rule.allow_multapses = multapses;
  c.name = name;
  return c;
}

/// A float, or a Constant/Uniform/Normal distribution.
distribution as_distribution(const py::object& x) {
  if (py::isinstance<distribution>(x)) return x.cast<distribution>();
  return distribution::constant_of(x.cast<double>());
}

class network;

/// A population of a network: handle by index.
struct population_handle {
  std::shared_ptr<network> net;
  std::size_t index;
};

class network : public std::enable_shared_from_this<network> {
 public:
  explicit network(network_spec spec) : spec_(std::move(spec)) {}

  network_spec& spec() { return spec_; }
  bool built() const { return sim_ != nullptr; }
  simulation& sim() {
    if (!sim_) {
      check_network(spec_);
      sim_ = std::make_unique<simulation>(spec_);
      sim_->build();
    }
    return *sim_;
  }
  void require_unbuilt(const char* what) const {
    if (sim_) throw std::logic_error(fmt::format("{}: the network has been built (by run or get); describe it fully first", what));
  }
  std::size_t find_population(const std::string& label) const {
    for (std::size_t i = 0; i < spec_.populations.size(); ++i)
      if (spec_.populations[i].name == label) return i;
    throw py::key_error(fmt::format("no population labelled '{}'", label));
  }

 private:
  network_spec spec_;
  std::unique_ptr<simulation> sim_;
};

population_handle add_population(const std::shared_ptr<network>& net, std::uint64_t size, const std::string& model,
                                 const std::map<std::string, double>& params, const std::string& label,
                                 const std::map<std::string, py::object>& initial, bool precise_times, const std::string& integrator,
                                 const std::vector<std::vector<double>>& spike_times) {
  net->require_unbuilt("Population");
  population_spec p;
  p.name = label.empty() ? fmt::format("population{}", net->spec().populations.size()) : label;
  p.model = model;
  p.size = size;
  p.params = params;
  for (const auto& [k, v] : initial) p.initial[k] = as_distribution(v);
  p.precise_times = precise_times;
  p.integrator = integrator;
  p.spike_times = spike_times;
  net->spec().populations.push_back(std::move(p));
  return {net, net->spec().populations.size() - 1};
}

std::string add_projection(const std::shared_ptr<network>& net, const population_handle& pre, const population_handle& post,
                           const connector& c, const py::object& weight, const py::object& delay, const std::string& receptor,
                           const std::string& label, const std::string& rule, const std::map<std::string, double>& rule_params,
                           const std::map<std::string, std::string>& rule_options, const std::vector<std::uint32_t>& source_nodes,
                           const std::vector<std::uint32_t>& target_nodes) {
  net->require_unbuilt("Projection");
  projection_spec pr;
  pr.source = net->spec().populations.at(pre.index).name;
  pr.target = net->spec().populations.at(post.index).name;
  pr.rule = c.rule;
  pr.weight = as_distribution(weight);
  pr.delay = as_distribution(delay);
  pr.receptor = receptor;
  pr.plasticity.rule = rule;
  pr.plasticity.params = rule_params;
  pr.plasticity.options = rule_options;
  pr.source_nodes = source_nodes;
  pr.target_nodes = target_nodes;
  pr.name = label;
  if (pr.name.empty()) {   // the model files' default name (core/model_file.cpp)
    pr.name = pr.source + "_to_" + pr.target;
    for (int k = 2; net->spec().find_projection(pr.name); ++k) pr.name = fmt::format("{}_to_{}_{}", pr.source, pr.target, k);
  }
  net->spec().projections.push_back(std::move(pr));
  return net->spec().projections.back().name;
}

const spike_log& spikes_of(network& net, std::size_t pop) { return net.sim().spikes().at(pop); }

py::array_t<double> copy_of(const std::vector<double>& v) { return py::array_t<double>(v.size(), v.data()); }

}  // namespace

PYBIND11_MODULE(apical, m) {
  m.doc() = "apical: event-driven spiking neural network simulator (docs/user_guide.md#python-api)";
  py::register_exception<model_error>(m, "ModelError", PyExc_ValueError);

  py::class_<distribution>(m, "Distribution", "a random weight, delay or initial value")
      .def("__repr__", [](const distribution& d) {
        switch (d.type) {
          case distribution::kind::uniform: return fmt::format("Uniform({}, {})", d.low, d.high);
          case distribution::kind::normal: return fmt::format("Normal({}, {}, low={}, high={})", d.mean, d.std, d.low, d.high);
          default: return fmt::format("Constant({})", d.value);
        }
      });
  m.def("Constant", &distribution::constant_of, py::arg("value"));
  m.def("Uniform", &distribution::uniform_of, py::arg("low"), py::arg("high"));
  m.def("Normal", &distribution::normal_of, py::arg("mean"), py::arg("std"), py::arg("low") = -std::numeric_limits<double>::infinity(),
      py::arg("high") = std::numeric_limits<double>::infinity(), "normal, redrawn outside [low, high] (clipped at the bounds)");

  using K = connection_rule::kind;
  py::class_<connector>(m, "Connector").def("__repr__", [](const connector& c) { return c.name; });
  m.def("AllToAllConnector", [](bool self) { return make_connector(K::all_to_all, 0, 0, self, true, "AllToAllConnector"); },
        py::arg("allow_self_connections") = true);
  m.def("OneToOneConnector", [] { return make_connector(K::one_to_one, 0, 0, true, true, "OneToOneConnector"); });
  m.def("FixedProbabilityConnector",
        [](double p, bool self) { return make_connector(K::pairwise_bernoulli, p, 0, self, true, "FixedProbabilityConnector"); },
        py::arg("p_connect"), py::arg("allow_self_connections") = true);
  m.def("FixedNumberPreConnector",
        [](std::uint64_t n, bool self, bool repl) { return make_connector(K::fixed_indegree, 0, n, self, repl, "FixedNumberPreConnector"); },
        py::arg("n"), py::arg("allow_self_connections") = true, py::arg("with_replacement") = true,
        "every target gets n sources (NEST fixed_indegree)");
  m.def("FixedNumberPostConnector",
        [](std::uint64_t n, bool self, bool repl) { return make_connector(K::fixed_outdegree, 0, n, self, repl, "FixedNumberPostConnector"); },
        py::arg("n"), py::arg("allow_self_connections") = true, py::arg("with_replacement") = true,
        "every source gets n targets (NEST fixed_outdegree)");
  m.def("FixedTotalNumberConnector",
        [](std::uint64_t n, bool self, bool repl) { return make_connector(K::fixed_total_number, 0, n, self, repl, "FixedTotalNumberConnector"); },
        py::arg("n"), py::arg("allow_self_connections") = true, py::arg("with_replacement") = true);

  py::class_<population_handle>(m, "Population", "a population of a Network (made by Network.Population)")
      .def_property_readonly("label", [](const population_handle& p) { return p.net->spec().populations.at(p.index).name; })
      .def_property_readonly("size", [](const population_handle& p) { return p.net->spec().populations.at(p.index).size; })
      .def_property_readonly("model", [](const population_handle& p) { return p.net->spec().populations.at(p.index).model; })
      .def("__len__", [](const population_handle& p) { return p.net->spec().populations.at(p.index).size; })
      .def(
          "record",
          [](const population_handle& p, const py::object& what, double interval, const std::vector<std::uint32_t>& neurons,
             std::uint32_t count) {
            p.net->require_unbuilt("record");
            recorder_spec r;
            const std::string pop = p.net->spec().populations.at(p.index).name;
            r.populations = {pop};
            std::vector<std::string> vars = py::isinstance<py::str>(what) ? std::vector<std::string>{what.cast<std::string>()}
                                                                            : what.cast<std::vector<std::string>>();
            if (vars.size() == 1 && vars[0] == "spikes") {
              r.type = recorder_spec::kind::spikes;
            } else {
              r.type = recorder_spec::kind::state;
              r.variables = vars;
              r.interval = interval;
              r.neurons = neurons;
              r.count = count;
            }
            p.net->spec().recorders.push_back(std::move(r));
          },
          py::arg("variables"), py::arg("interval") = 1.0, py::arg("neurons") = std::vector<std::uint32_t>{}, py::arg("count") = 0,
          "record 'spikes', or state variables (a name or a list) every `interval` ms of the given neurons (or the first `count`, or all)")
      .def(
          "spikes",
          [](const population_handle& p) {
            const spike_log& l = spikes_of(*p.net, p.index);
            return py::make_tuple(copy_of(l.times), py::array_t<std::uint64_t>(l.node_ids.size(), l.node_ids.data()));
          },
          "(times [ms], node ids) of the recorded spikes, sorted by time then node")
      .def(
          "spike_count", [](const population_handle& p) { return spikes_of(*p.net, p.index).total; },
          "spikes since t = 0, recorded or not")
      .def(
          "state",
          [](const population_handle& p, const std::string& var) {
            const std::string pop = p.net->spec().populations.at(p.index).name;
            for (const auto& l : p.net->sim().states()) {
              auto v = std::find(l.variables.begin(), l.variables.end(), var);
              if (l.population != pop || v == l.variables.end()) continue;
              const std::size_t nv = l.variables.size(), nn = l.nodes.size(), vi = std::size_t(v - l.variables.begin());
              py::array_t<double> out({l.samples, nn});
              auto a = out.mutable_unchecked<2>();
              for (std::size_t s = 0; s < l.samples; ++s)
                for (std::size_t n = 0; n < nn; ++n) a(s, n) = l.data[s * nv * nn + vi * nn + n];
              py::array_t<double> times(l.samples);
              for (std::size_t s = 0; s < l.samples; ++s) times.mutable_at(s) = double(s + 1) * l.interval_ms;
              return py::make_tuple(times, out, py::array_t<std::uint32_t>(nn, l.nodes.data()));
            }
            throw py::key_error(fmt::format("'{}' of population '{}' is not recorded", var, pop));
          },
          py::arg("variable"), "(times [ms], samples x nodes array, node ids) of a recorded state variable")
      .def(
          "get",
          [](const population_handle& p, const std::string& var) {
            simulation& sim = p.net->sim();
            double* a = sim.dynamics(p.index).writable_state(var);
            if (!a) throw py::key_error(fmt::format("'{}' is not a state variable of {}", var, p.net->spec().populations[p.index].model));
            return py::array_t<double>({sim.dynamics(p.index).size()}, {sizeof(double)}, a, py::cast(p.net));
          },
          py::arg("variable"), "the current value of a state variable per neuron: a view of the simulation's array, no copy");

  py::class_<network, std::shared_ptr<network>>(m, "Network", "a network description that runs")
      .def(py::init([](double resolution, std::uint64_t seed, int threads, const std::string& name) {
             network_spec s;
             s.sim.resolution = resolution;
             s.sim.seed = seed;
             s.sim.threads = threads;
             s.sim.name = name;
             s.source_file = "(python)";
             return std::make_shared<network>(std::move(s));
           }),
           py::arg("resolution") = 0.1, py::arg("seed") = 1, py::arg("threads") = 1, py::arg("name") = "network")
      .def("Population", &add_population, py::arg("size"), py::arg("model"), py::arg("params") = std::map<std::string, double>{},
           py::arg("label") = "", py::arg("initial") = std::map<std::string, py::object>{}, py::arg("precise_times") = false,
           py::arg("integrator") = "", py::arg("spike_times") = std::vector<std::vector<double>>{},
           "add a population: model as `apical models` lists, params in its units")
      .def("Projection", &add_projection, py::arg("presynaptic"), py::arg("postsynaptic"), py::arg("connector"), py::arg("weight"),
           py::arg("delay") = 1.0, py::arg("receptor") = "", py::arg("label") = "", py::arg("rule") = "",
           py::arg("rule_params") = std::map<std::string, double>{}, py::arg("rule_options") = std::map<std::string, std::string>{},
           py::arg("source_nodes") = std::vector<std::uint32_t>{}, py::arg("target_nodes") = std::vector<std::uint32_t>{},
           "connect two populations; weight in the target's unit (mV, pA or nS), delay in ms; rule: a plasticity rule name. Returns the label.")
      .def(
          "Stimulus",
          [](network& n, const std::string& type, const population_handle& target, double rate, double weight, double amplitude,
             double offset, double frequency, double phase, const std::string& receptor, double start, double stop) {
            n.require_unbuilt("Stimulus");
            stimulus_spec s;
            s.type = type;
            s.target = n.spec().populations.at(target.index).name;
            s.rate = rate, s.weight = weight, s.amplitude = amplitude, s.offset = offset, s.frequency = frequency, s.phase = phase;
            s.receptor = receptor, s.start = start, s.stop = stop;
            n.spec().stimuli.push_back(s);
          },
          py::arg("type"), py::arg("target"), py::arg("rate") = 0.0, py::arg("weight") = 0.0, py::arg("amplitude") = 0.0,
          py::arg("offset") = 0.0, py::arg("frequency") = 0.0, py::arg("phase") = 0.0, py::arg("receptor") = "", py::arg("start") = 0.0,
          py::arg("stop") = std::numeric_limits<double>::infinity(),
          "poisson_input (rate Hz, weight), dc_source (amplitude pA) or sinusoidal_input onto every neuron of a population")
      .def(
          "record_weights",
          [](network& n, const std::string& projection, double interval, const std::vector<std::uint32_t>& targets, bool on_change) {
            n.require_unbuilt("record_weights");
            recorder_spec r;
            r.type = recorder_spec::kind::weights;
            r.projection = projection;
            r.interval = interval;
            r.targets = targets;
            r.on_change = on_change;
            n.spec().recorders.push_back(r);
          },
          py::arg("projection"), py::arg("interval") = 1.0, py::arg("targets") = std::vector<std::uint32_t>{}, py::arg("on_change") = false)
      .def("__getitem__", [](const std::shared_ptr<network>& n, const std::string& label) {
        return population_handle{n, n->find_population(label)};
      })
      .def_property_readonly("populations",
                             [](const std::shared_ptr<network>& n) {
                               std::vector<population_handle> out;
                               for (std::size_t i = 0; i < n->spec().populations.size(); ++i) out.push_back({n, i});
                               return out;
                             })
      .def_property(
          "threads", [](network& n) { return n.spec().sim.threads; },
          [](network& n, int t) {
            n.require_unbuilt("threads");
            n.spec().sim.threads = t;
          })
      .def(
          "run",
          [](network& n, double duration) {
            simulation& sim = n.sim();
            py::gil_scoped_release release;
            sim.run(duration);
          },
          py::arg("duration"), "advance by `duration` ms (builds the network on the first call)")
      .def_property_readonly("time", [](network& n) { return n.built() ? n.sim().time() : 0.0; }, "ms simulated")
      .def_property_readonly("synapses", [](network& n) { return n.sim().synapses(); })
      .def(
          "weights",
          [](network& n, const std::string& projection) {
            const weight_table t = n.sim().weights(projection);
            py::dict d;
            d["source"] = py::array_t<std::uint64_t>(t.sources.size(), t.sources.data());
            d["target"] = py::array_t<std::uint64_t>(t.targets.size(), t.targets.data());
            d["delay"] = copy_of(t.delays);
            d["weight"] = copy_of(t.weights);
            return d;
          },
          py::arg("projection"), "current weights of a plastic projection: source, target (node ids), delay [ms], weight")
      .def("spike_hash", [](network& n) { return fmt::format("{:016x}", spike_hash(n.sim().spikes())); },
           "FNV-1a hash of the recorded spikes, as apical run prints it")
      .def("weight_hash", [](network& n) { return fmt::format("{:016x}", weight_hash(n.sim().plastic_weights())); });

  m.def(
      "load",
      [](const std::string& path, const std::vector<std::string>& set) {
        std::vector<key_override> o;
        for (const auto& s : set) o.push_back(parse_override(s));
        return std::make_shared<network>(load_model_file(path, o));
      },
      py::arg("path"), py::arg("set") = std::vector<std::string>{},
      "a network from a model file, with KEY=VALUE overrides as apical run --set");
  m.def("models", [] { return model_names(); }, "names of the neuron and source models");
}
