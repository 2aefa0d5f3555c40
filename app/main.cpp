// The `apical` program: run a model file, or describe it without running.
//   apical run MODEL.toml [--threads N] [--seed S] [--duration T] [--out DIR]
//   apical info MODEL.toml
//   apical models
// Exit codes: 0 success, 2 bad input (the message names file, line and key),
// 1 any other failure.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/learn.hpp"
#include "app/progress.hpp"
#include "app/summary.hpp"
#include "app/text_file.hpp"
#include "core/comm.hpp"
#include "core/model_file.hpp"
#include "core/resources.hpp"
#include "core/simulation.hpp"
#include "core/sonata_writer.hpp"
#include "neurons/registry.hpp"
#include "plasticity/stdp.hpp"

namespace fs = std::filesystem;
using namespace apical;

namespace {

struct bad_input : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct run_options {
  std::string model;
  int threads = 0;
  long long seed = -1;
  double duration = -1;
  std::string out;
  std::string progress = "auto";
  bool csv = false;
};

network_spec load_with_overrides(const run_options& o) {
  network_spec spec = load_model_file(o.model);
  if (o.threads > 0) spec.sim.threads = o.threads;
  if (o.seed >= 0) spec.sim.seed = static_cast<std::uint64_t>(o.seed);
  if (o.duration >= 0) {
    try {
      steps_exact(o.duration, spec.sim.resolution);
    } catch (const std::invalid_argument&) {
      throw bad_input(fmt::format("--duration {} ms is not a multiple of the resolution {} ms", o.duration, spec.sim.resolution));
    }
    spec.sim.duration = o.duration;
  }
  return spec;
}

int cmd_run(const run_options& o) {
  network_spec spec = load_with_overrides(o);
  const bool any_spike_recorder = std::any_of(spec.recorders.begin(), spec.recorders.end(),
                                              [](const recorder_spec& r) { return r.type == recorder_spec::kind::spikes; });
  if (!any_spike_recorder) spec.recorders.push_back({});   // record every population's spikes by default
  const fs::path out = o.out.empty() ? fs::path("out") / fs::path(o.model).stem() : fs::path(o.out);

  simulation sim(spec);
  const bool root = sim.comm().rank() == 0;   // with MPI, rank 0 reports and writes
  if (root) fmt::print(stderr, "apical: building {} ...\n", spec.sim.name);
  sim.build();
  if (root)
    fmt::print(stderr, "apical: built {} neurons, {} synapses in {:.2f} s; running {} ms on {} thread(s)\n", sim.neurons(),
               sim.synapses(), sim.phases().build, spec.sim.duration, spec.sim.threads);
  const bool show = root && (o.progress == "always" || (o.progress == "auto" && isatty(fileno(stderr))));
  app::progress_bar bar(show, spec.sim.duration);
  sim.run(spec.sim.duration, bar.callback());
  bar.finish();
  // collective under MPI: every rank takes part, rank 0 writes
  std::vector<weight_table> weights;
  if (sim.plastic_synapses() > 0) weights = sim.plastic_weights();
  if (!root) return 0;

  fs::create_directories(out);
  // a previous run's summary must not vouch for this run's files while they are written
  std::error_code ec;
  fs::remove(out / "summary.json", ec);
  write_spikes_sonata((out / "spikes.h5").string(), sim.spikes());
  if (o.csv) write_spikes_csv((out / "spikes.csv").string(), sim.spikes());
  std::set<std::string> vars;
  for (const auto& l : sim.states()) vars.insert(l.variables.begin(), l.variables.end());
  for (const auto& v : vars) write_state_report((out / (v + ".h5")).string(), sim.states(), v, unit_of(v));
  if (sim.plastic_synapses() > 0) {
    std::vector<std::string> units;
    for (const auto& pr : spec.projections)
      if (pr.plasticity.plastic()) units.push_back(find_model(spec.find(pr.target)->model)->unit_of_weights(pr.receptor));
    write_weights((out / "weights.h5").string(), weights, units, sim.weight_logs());
  }

  app::run_summary s{spec.sim.duration, spec.sim.threads, peak_memory_bytes(), std::move(weights)};
  std::cout << app::format_summary(sim, s);
  std::cout << fmt::format("  outputs            {}\n", out.string());
  app::write_file_atomically(out / "summary.json", app::summary_json(sim, s));
  return 0;
}

int cmd_info(const run_options& o) {
  const network_spec spec = load_with_overrides(o);
  const double h = spec.sim.resolution;
  fmt::print("apical: {} ({})\n", spec.sim.name, o.model);
  fmt::print("  resolution {} ms, duration {} ms, seed {}, threads {}\n", h, spec.sim.duration, spec.sim.seed, spec.sim.threads);
  std::uint64_t neurons = 0;
  fmt::print("  populations\n");
  for (const auto& p : spec.populations) {
    fmt::print("    {:<16} {:<16} {:>10} nodes\n", p.name, p.model, p.size);
    neurons += p.size;
  }
  double synapses = 0;
  fmt::print("  projections\n");
  for (const auto& pr : spec.projections) {
    const double n = expected_synapses(pr.rule, pr.pre_count(spec.find(pr.source)->size), pr.post_count(spec.find(pr.target)->size),
                                       pr.same_nodes());
    synapses += n;
    fmt::print("    {:>10} -> {:<10} {:<20} {:>14.0f} synapses{}\n", pr.source, pr.target, rule_name(pr.rule.type), n,
               pr.rule.type == connection_rule::kind::pairwise_bernoulli ? " (expected)" : "");
  }
  // Run time: 8 bytes per synapse in the store, per-partition row offsets and
  // delay groups (estimated at one group per source and target population), and
  // about 48 bytes of state per neuron. Construction adds, for the partitions
  // built at once (one per thread), 16-byte records held twice while sorting.
  const double run_bytes = 8.0 * synapses + 16.0 * double(neurons) * double(spec.populations.size()) + 48.0 * double(neurons);
  double largest_in = 0;
  for (const auto& p : spec.populations) {
    double in = 0;
    for (const auto& pr : spec.projections)
      if (pr.target == p.name)
        in += expected_synapses(pr.rule, pr.pre_count(spec.find(pr.source)->size), pr.post_count(p.size), pr.same_nodes());
    largest_in = std::max(largest_in, in);
  }
  const int threads = std::max(1, spec.sim.threads);
  const double build_bytes = 32.0 * std::min(synapses, largest_in * (threads == 1 ? 1.0 : 0.5 * threads));
  const double mib = 1024.0 * 1024.0;
  fmt::print("  total: {} nodes, {:.0f} synapses\n", neurons, synapses);
  fmt::print("  memory estimate: {:.1f} MiB while running, up to {:.1f} MiB while building (excluding recorded data)\n",
             run_bytes / mib, (run_bytes + build_bytes) / mib);
  return 0;
}

int cmd_models() {
  for (const auto& name : model_names()) {
    const model_info* m = find_model(name);
    fmt::print("{}: {}\n", m->name, m->description);
    for (const auto& p : m->params) fmt::print("    {:<12} {:>10g} {:<3}  {}\n", p.name, p.default_value, p.unit, p.description);
    if (!m->receptors.empty()) {
      std::string r;
      for (const auto& x : m->receptors) r += (r.empty() ? "" : ", ") + x;
      fmt::print("    receptors: {}; weights in {}\n", r, m->weight_unit);
    }
  }
  fmt::print("\nplasticity rules ([projection.plasticity] rule = ...)\n");
  for (const auto& rule : plasticity_rules()) {
    fmt::print("{}: {}\n", rule.name, rule.description);
    for (const auto& p : rule.params) fmt::print("    {:<24} {:>8g} {:<6}  {}\n", p.name, p.default_value, p.unit, p.description);
    for (const auto& [option, values] : rule.options) {
      std::string v;
      for (const auto& x : values) v += (v.empty() ? "" : " | ") + x;
      fmt::print("    {:<24} {}\n", option, v.empty() ? "(a population name)" : v + " (default " + values.front() + ")");
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  mpi_session mpi(argc, argv);   // MPI_Init/Finalize when built with APICAL_MPI
  const bool root = communicator().rank() == 0;
  CLI::App app{"apical: event-driven spiking neural network simulator"};
  app.require_subcommand(1);
  run_options o;
  auto* run = app.add_subcommand("run", "build and run a model file, write outputs and print a summary");
  run->add_option("model", o.model, "model file (TOML)")->required();
  run->add_option("--threads", o.threads, "worker threads")->check(CLI::Range(1, 1024));
  run->add_option("--seed", o.seed, "master random seed")->check(CLI::NonNegativeNumber);
  run->add_option("--duration", o.duration, "biological time to simulate [ms]")->check(CLI::NonNegativeNumber);
  run->add_option("--out", o.out, "output directory (default out/<model name>)");
  run->add_option("--progress", o.progress, "progress bar on stderr: auto (when a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  run->add_flag("--csv", o.csv, "also write spikes.csv");
  auto* info = app.add_subcommand("info", "print sizes and a memory estimate without running");
  info->add_option("model", o.model, "model file (TOML)")->required();
  auto* models = app.add_subcommand("models", "list neuron and source models with their parameters");
  std::string learn_file, learn_out;
  auto* learn = app.add_subcommand("learn", "train the dendritic microcircuit beside exact back-prop (learning file, TOML)");
  learn->add_option("file", learn_file, "learning file (TOML, [learn])")->required();
  learn->add_option("--out", learn_out, "output directory (default out/<file name>)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  try {
    if (run->parsed()) return cmd_run(o);
    if (info->parsed()) return cmd_info(o);
    if (models->parsed()) return cmd_models();
    if (learn->parsed()) return app::cmd_learn(learn_file, learn_out);
  } catch (const model_error& e) {
    if (root) fmt::print(stderr, "apical: error: {}\n", e.what());
    return 2;
  } catch (const bad_input& e) {
    if (root) fmt::print(stderr, "apical: error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "apical: failed: {}\n", e.what());
    return 1;
  }
  return 0;
}
