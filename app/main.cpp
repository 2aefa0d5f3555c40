// The `apical` program: run a model file, or describe it without running.
//   apical run MODEL.toml [--threads N] [--seed S] [--duration T] [--out DIR] [--set KEY=VALUE]...
//   apical sweep MODEL.toml --vary KEY=V1,V2,... [--vary ...] [--set KEY=VALUE]... [--out DIR]
//   apical run MODEL.toml --checkpoint-every T [...]      then, after an interruption:
//   apical resume DIR [--threads N]
//   apical info MODEL.toml [--set KEY=VALUE]...
//   apical plot DIR [--out OUTDIR]
//   apical models
// Exit codes: 0 success, 2 bad input (the message names file, line and key),
// 1 any other failure.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/learn.hpp"
#include "app/progress.hpp"
#include "app/summary.hpp"
#include "core/atomic_file.hpp"
#include "core/checkpoint.hpp"
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
  std::vector<std::string> sets;   // KEY=VALUE overrides of model-file keys
  double checkpoint_every = 0;     // ms; 0: no checkpoints
};

/// The run's checkpoints: OUT/checkpoint.apc, replaced every `every` ms of
/// biological time (the run goes on in pieces of that length: run(a); run(b)
/// gives the same spikes as run(a + b), core/partition.cpp).
constexpr const char* checkpoint_name = "checkpoint.apc";

/// What `apical resume` needs to build the run's network again.
checkpoint_header header_of(const run_options& o) {
  checkpoint_header h;
  std::ifstream in(o.model);
  std::stringstream ss;
  ss << in.rdbuf();
  h.model_text = ss.str();
  h.model_path = o.model;
  const fs::path dir = fs::path(o.model).parent_path();
  h.base_dir = fs::absolute(dir.empty() ? fs::path(".") : dir).string();
  h.overrides = o.sets;
  if (o.seed >= 0) h.overrides.push_back(fmt::format("simulation.seed={}", o.seed));
  if (o.duration >= 0) h.overrides.push_back(fmt::format("simulation.duration={}", o.duration));
  h.checkpoint_every = o.checkpoint_every;
  return h;
}

std::vector<key_override> overrides_of(const std::vector<std::string>& assignments) {
  std::vector<key_override> out;
  for (const auto& a : assignments) {
    try {
      out.push_back(parse_override(a));
    } catch (const std::invalid_argument& e) {
      throw bad_input(fmt::format("--set {}", e.what()));
    }
  }
  return out;
}

network_spec load_with_overrides(const run_options& o, std::vector<key_override> more = {}) {
  std::vector<key_override> overrides = overrides_of(o.sets);
  overrides.insert(overrides.end(), more.begin(), more.end());
  network_spec spec = load_model_file(o.model, overrides);
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

/// What a sweep tabulates of one run.
struct run_outcome {
  std::vector<std::pair<std::string, double>> rates;   // Hz per population
  std::uint64_t spikes = 0;
  double run_s = 0;
};

/// Builds and runs `spec` (from a checkpoint's state when `resume` is given),
/// writes its outputs under `out`; prints the summary when `print_summary`
/// (else only the outputs line). With `checkpoints`, writes OUT/checkpoint.apc
/// every header.checkpoint_every ms.
run_outcome run_to(network_spec spec, const fs::path& out, const run_options& o, bool print_summary,
                   const checkpoint_header* checkpoints = nullptr, const checkpoint_file* resume = nullptr) {
  const bool any_spike_recorder = std::any_of(spec.recorders.begin(), spec.recorders.end(),
                                              [](const recorder_spec& r) { return r.type == recorder_spec::kind::spikes; });
  if (!any_spike_recorder) spec.recorders.push_back({});   // record every population's spikes by default

  simulation sim(spec);
  const bool root = sim.comm().rank() == 0;   // with MPI, rank 0 reports and writes
  if ((checkpoints || resume) && sim.comm().distributed()) throw bad_input("checkpoints do not run under MPI yet");
  if (root) fmt::print(stderr, "apical: building {} ...\n", spec.sim.name);
  if (resume) restore_checkpoint(out / checkpoint_name, *resume, sim);   // builds, then restores
  sim.build();
  const double h = spec.sim.resolution;
  const step_t total = steps_exact(spec.sim.duration, h);
  step_t done = sim.current_step();
  if (done > total) throw bad_input(fmt::format("the checkpoint is at {} ms, past the run's end", sim.time()));
  if (root)
    fmt::print(stderr, "apical: built {} neurons, {} synapses in {:.2f} s; running {} ms{} on {} thread(s)\n", sim.neurons(),
               sim.synapses(), sim.phases().build, spec.sim.duration - sim.time(),
               resume ? fmt::format(" from {} ms", sim.time()) : "", spec.sim.threads);
  const bool show = root && (o.progress == "always" || (o.progress == "auto" && isatty(fileno(stderr))));
  app::progress_bar bar(show, spec.sim.duration - sim.time());
  if (!checkpoints) {
    sim.run(spec.sim.duration - sim.time(), bar.callback());
  } else {
    fs::create_directories(out);
    const step_t every = std::max<step_t>(1, std::llround(checkpoints->checkpoint_every / h));
    const step_t first = done;
    while (done < total) {
      const step_t piece = std::min(every - done % every, total - done);   // checkpoints at multiples of `every`
      sim.run(double(piece) * h, [&](double f) { bar.update((double(done - first) + f * double(piece)) / double(total - first)); });
      done += piece;
      write_checkpoint(out / checkpoint_name, *checkpoints, sim);
    }
  }
  bar.finish();
  // collective under MPI: every rank takes part, rank 0 writes
  std::vector<weight_table> weights;
  if (sim.plastic_synapses() > 0) weights = sim.plastic_weights();
  if (!root) return {};

  fs::create_directories(out);
  // a previous run's summary must not vouch for this run's files while they are written
  std::error_code ec;
  fs::remove(out / "summary.json", ec);
  std::vector<std::string> files{"spikes.h5"};
  write_spikes_sonata((out / "spikes.h5").string(), sim.spikes());
  if (o.csv) write_spikes_csv((out / files.emplace_back("spikes.csv")).string(), sim.spikes());
  std::set<std::string> vars;
  for (const auto& l : sim.states()) vars.insert(l.variables.begin(), l.variables.end());
  for (const auto& v : vars) write_state_report((out / files.emplace_back(v + ".h5")).string(), sim.states(), v, unit_of(v));
  if (sim.plastic_synapses() > 0) {
    std::vector<std::string> units;
    for (const auto& pr : spec.projections)
      if (pr.plasticity.plastic()) units.push_back(find_model(spec.find(pr.target)->model)->unit_of_weights(pr.receptor));
    write_weights((out / files.emplace_back("weights.h5")).string(), weights, units, sim.weight_logs());
  }
  if (checkpoints) files.push_back(checkpoint_name);
  // what an earlier run into this folder wrote and this one did not must not
  // pass for this run's: apical's own output names only
  std::set<std::string> stale{"spikes.csv", "weights.h5", checkpoint_name};
  for (const auto& name : model_names())
    for (const auto& v : find_model(name)->state) stale.insert(v + ".h5");
  for (const auto& f : stale)
    if (std::find(files.begin(), files.end(), f) == files.end()) fs::remove(out / f, ec);

  app::run_summary s{spec.sim.duration, spec.sim.threads, peak_memory_bytes(), std::move(weights), files};
  if (print_summary) std::cout << app::format_summary(sim, s);
  std::cout << fmt::format("  outputs            {}\n", out.string());
  write_file_atomically(out / "summary.json", app::summary_json(sim, s));
  run_outcome r;
  for (const auto& l : sim.spikes()) {
    r.rates.emplace_back(l.population, spec.sim.duration > 0 ? double(l.total) / l.size / (spec.sim.duration * 1e-3) : 0.0);
    r.spikes += l.total;
  }
  r.run_s = sim.phases().run;
  return r;
}

fs::path out_dir(const run_options& o) { return o.out.empty() ? fs::path("out") / fs::path(o.model).stem() : fs::path(o.out); }

int cmd_run(const run_options& o) {
  const checkpoint_header h = header_of(o);
  run_to(load_with_overrides(o), out_dir(o), o, true, o.checkpoint_every > 0 ? &h : nullptr);
  return 0;
}

/// Continues the run whose checkpoint is DIR/checkpoint.apc to its end, with
/// the same outputs as the uninterrupted run (and its checkpoints).
int cmd_resume(const std::string& dir, const run_options& o) {
  const checkpoint_file cp = read_checkpoint(fs::path(dir) / checkpoint_name);
  std::vector<key_override> overrides;
  for (const auto& s : cp.header.overrides) overrides.push_back(parse_override(s));
  network_spec spec = parse_model(cp.header.model_text, cp.header.model_path, cp.header.base_dir, overrides);
  if (o.threads > 0) spec.sim.threads = o.threads;
  run_to(std::move(spec), dir, o, true, cp.header.checkpoint_every > 0 ? &cp.header : nullptr, &cp);
  return 0;
}

/// Runs every combination of the --vary values (the last key varies fastest)
/// into OUT/000, OUT/001, ... and tabulates them in OUT/sweep.csv. Every
/// combination is validated before the first run.
int cmd_sweep(const run_options& o, const std::vector<std::string>& varies) {
  std::vector<std::pair<std::string, std::vector<std::string>>> axes;
  for (const auto& v : varies) {
    key_override kv;
    try {
      kv = parse_override(v);
    } catch (const std::invalid_argument& e) {
      throw bad_input(fmt::format("--vary {}", e.what()));
    }
    axes.emplace_back(kv.key, split_values(kv.value));
  }
  std::size_t combos = 1;
  for (const auto& a : axes) combos *= a.second.size();
  auto combination = [&](std::size_t k) {
    std::vector<key_override> c(axes.size());
    for (std::size_t i = axes.size(); i-- > 0;) {
      c[i] = {axes[i].first, axes[i].second[k % axes[i].second.size()]};
      k /= axes[i].second.size();
    }
    return c;
  };
  std::vector<network_spec> specs;
  for (std::size_t k = 0; k < combos; ++k) specs.push_back(load_with_overrides(o, combination(k)));
  const fs::path out = out_dir(o);
  std::string csv = "run";
  for (const auto& a : axes) csv += "," + a.first;
  bool header_done = false;
  for (std::size_t k = 0; k < combos; ++k) {
    std::string row = fmt::format("{:03}", k);
    for (const auto& c : combination(k))   // CSV: quoted when the value holds a comma or a quote
      row += "," + (c.value.find_first_of(",\"") == std::string::npos ? c.value : "\"" + std::regex_replace(c.value, std::regex("\""), "\"\"") + "\"");
    fmt::print(stderr, "apical sweep: run {} of {}: {}\n", k + 1, combos, row.substr(4));
    const run_outcome r = run_to(std::move(specs[k]), out / fmt::format("{:03}", k), o, false);
    if (!header_done) {
      for (const auto& [pop, rate] : r.rates) csv += ",rate_" + pop + "_Hz";
      csv += ",spikes,run_s\n";
      header_done = true;
    }
    for (const auto& [pop, rate] : r.rates) row += fmt::format(",{:.6f}", rate);
    csv += row + fmt::format(",{},{:.3f}\n", r.spikes, r.run_s);
  }
  if (communicator().rank() == 0) {
    write_file_atomically(out / "sweep.csv", csv);
    fmt::print("apical sweep: {} runs; table {}\n", combos, (out / "sweep.csv").string());
  }
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

/// Hands over to app/apical_plot.py (matplotlib): found through
/// $APICAL_PLOT_SCRIPT, next to this executable, or in the source tree; run by
/// Debian's /usr/bin/python3, whose packages (python3-matplotlib, -h5py) it needs.
int cmd_plot(const std::string& dir, const std::string& out) {
  fs::path script;
  if (const char* env = std::getenv("APICAL_PLOT_SCRIPT")) script = env;
  if (script.empty()) {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec && fs::exists(exe.parent_path() / "apical_plot.py")) script = exe.parent_path() / "apical_plot.py";
  }
  if (script.empty()) script = fs::path(APICAL_SOURCE_DIR) / "app" / "apical_plot.py";
  const std::string python = fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  std::vector<std::string> args{python, script.string(), dir};
  if (!out.empty()) args.insert(args.end(), {"--out", out});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  execvp(python.c_str(), argv.data());
  throw std::runtime_error(fmt::format("cannot start {} for {}: {}", python, script.string(), std::strerror(errno)));
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
    if (learn->parsed()) return app::cmd_learn(learn_file, learn_out);
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
