// The `apical` program: run a model file, or describe it without running.
//   apical run MODEL.toml [--threads N] [--seed S] [--duration T] [--out DIR] [--set KEY=VALUE]...
//   apical sweep MODEL.toml --vary KEY=V1,V2,... [--vary ...] [--set KEY=VALUE]... [--out DIR]
//   apical run MODEL.toml --checkpoint-every T [...]      then, after an interruption:
//   apical resume DIR [--threads N]
//   apical info MODEL.toml [--set KEY=VALUE]...
//   apical plot DIR [--out OUTDIR]
//   apical models
//   apical learn FILE.toml [--out DIR] [--set KEY=VALUE]...
// Exit codes: 0 success, 2 bad input (the message names file, line and key),
// 1 any other failure.
#include <algorithm>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/learn.hpp"
#include "app/plot.hpp"
#include "app/run.hpp"
#include "app/sweep.hpp"
#include "core/comm.hpp"
#include "core/model_file.hpp"
#include "core/simulation.hpp"
#include "neurons/registry.hpp"
#include "plasticity/stdp.hpp"

using namespace apical;
using namespace apical::app;

namespace {

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
  double synapses = 0, synapse_bytes = 0;
  fmt::print("  projections\n");
  for (const auto& pr : spec.projections) {
    const double n = expected_synapses(pr.rule, pr.pre_count(spec.find(pr.source)->size), pr.post_count(spec.find(pr.target)->size),
                                       pr.same_nodes());
    synapses += n;
    // a target index each; a weight each unless the projection has one weight (core/synapse_store.hpp)
    synapse_bytes += (pr.weight.type == distribution::kind::constant ? 4.0 : 8.0) * n;
    fmt::print("    {:>10} -> {:<10} {:<20} {:>14.0f} synapses{}\n", pr.source, pr.target, rule_name(pr.rule.type), n,
               pr.rule.type == connection_rule::kind::pairwise_bernoulli ? " (expected)" : "");
  }
  // Run time: 4 or 8 bytes per synapse in the store, per-partition row offsets
  // and delay groups (estimated at one group per source and target population),
  // and about 48 bytes of state per neuron. Construction adds, for the partitions
  // built at once (one per thread), 16-byte records held twice while sorting.
  const double run_bytes = synapse_bytes + 20.0 * double(neurons) * double(spec.populations.size()) + 48.0 * double(neurons);
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
  run->add_option("--checkpoint-every", o.checkpoint_every,
                  "write OUT/checkpoint.apc every T ms of biological time (apical resume OUT continues from it)")
      ->check(CLI::PositiveNumber);
  std::string resume_dir;
  auto* resume = app.add_subcommand("resume", "continue an interrupted run from its last checkpoint (DIR/checkpoint.apc)");
  resume->add_option("dir", resume_dir, "the run's output directory")->required();
  resume->add_option("--threads", o.threads, "worker threads (may differ from the interrupted run's)")->check(CLI::Range(1, 1024));
  resume->add_option("--progress", o.progress, "progress bar on stderr: auto, always, never")->check(CLI::IsMember({"auto", "always", "never"}));
  resume->add_flag("--csv", o.csv, "also write spikes.csv");
  const char* set_help = "override a model-file key, e.g. population.E.tau_m=15 (repeatable; docs/user_guide.md)";
  run->add_option("--set", o.sets, set_help);
  std::vector<std::string> varies;
  auto* sweep = app.add_subcommand("sweep", "run a model file for every combination of parameter values, tabulated in sweep.csv");
  sweep->add_option("model", o.model, "model file (TOML)")->required();
  sweep->add_option("--vary", varies, "KEY=V1,V2,... values of a model-file key (repeatable: every combination)")->required();
  sweep->add_option("--set", o.sets, set_help);
  sweep->add_option("--threads", o.threads, "worker threads")->check(CLI::Range(1, 1024));
  sweep->add_option("--seed", o.seed, "master random seed")->check(CLI::NonNegativeNumber);
  sweep->add_option("--duration", o.duration, "biological time to simulate [ms]")->check(CLI::NonNegativeNumber);
  sweep->add_option("--out", o.out, "output directory (default out/<model name>): one folder per run and sweep.csv");
  sweep->add_option("--progress", o.progress, "progress bar on stderr: auto, always, never")->check(CLI::IsMember({"auto", "always", "never"}));
  auto* info = app.add_subcommand("info", "print sizes and a memory estimate without running");
  info->add_option("model", o.model, "model file (TOML)")->required();
  info->add_option("--set", o.sets, set_help);
  std::string plot_dir, plot_out;
  auto* plot = app.add_subcommand("plot", "raster, rate histograms, weights and state traces of a run's outputs, as PNG");
  plot->add_option("dir", plot_dir, "output directory of apical run")->required();
  plot->add_option("--out", plot_out, "where the PNG files go (default DIR/plots)");
  auto* models = app.add_subcommand("models", "list neuron and source models and plasticity rules with their parameters");
  std::string learn_file, learn_out;
  auto* learn = app.add_subcommand("learn", "train the dendritic microcircuit beside exact back-prop (learning file, TOML)");
  learn->add_option("file", learn_file, "learning file (TOML, [learn])")->required();
  learn->add_option("--out", learn_out, "output directory (default out/<file name>)");
  std::vector<std::string> learn_sets;
  learn->add_option("--set", learn_sets, "override a learning-file key, e.g. learn.feedback=random (repeatable)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  try {
    if (run->parsed()) return cmd_run(o);
    if (sweep->parsed()) return cmd_sweep(o, varies);
    if (resume->parsed()) return cmd_resume(resume_dir, o);
    if (info->parsed()) return cmd_info(o);
    if (models->parsed()) return cmd_models();
    if (plot->parsed()) return cmd_plot(plot_dir, plot_out);
    if (learn->parsed()) return cmd_learn(learn_file, learn_out, learn_sets);
  } catch (const model_error& e) {
    if (root) fmt::print(stderr, "apical: error: {}\n", e.what());
    return 2;
  } catch (const bad_input& e) {
    if (root) fmt::print(stderr, "apical: error: {}\n", e.what());
    return 2;
  } catch (const checkpoint_error& e) {
    if (root) fmt::print(stderr, "apical: error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "apical: failed: {}\n", e.what());
    return 1;
  }
  return 0;
}
