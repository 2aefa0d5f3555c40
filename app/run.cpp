#include "app/run.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "app/progress.hpp"
#include "app/summary.hpp"
#include "core/atomic_file.hpp"
#include "core/resources.hpp"
#include "core/simulation.hpp"
#include "core/sonata_writer.hpp"
#include "neurons/registry.hpp"

namespace apical::app {

namespace fs = std::filesystem;

namespace {

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

}  // namespace

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

network_spec load_with_overrides(const run_options& o, std::vector<key_override> more) {
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

run_outcome run_to(network_spec spec, const fs::path& out, const run_options& o, bool print_summary,
                   const checkpoint_header* checkpoints, const checkpoint_file* resume) {
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
  progress_bar bar(show, spec.sim.duration - sim.time());
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

  run_summary s{spec.sim.duration, spec.sim.threads, peak_memory_bytes(), std::move(weights), {}, 0, files};
  hash_weights(s);
  if (print_summary) std::cout << format_summary(sim, s);
  std::cout << fmt::format("  outputs            {}\n", out.string());
  write_file_atomically(out / "summary.json", summary_json(sim, s));
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

int cmd_resume(const std::string& dir, const run_options& o) {
  const checkpoint_file cp = read_checkpoint(fs::path(dir) / checkpoint_name);
  std::vector<key_override> overrides;
  for (const auto& s : cp.header.overrides) overrides.push_back(parse_override(s));
  network_spec spec = parse_model(cp.header.model_text, cp.header.model_path, cp.header.base_dir, overrides);
  if (o.threads > 0) spec.sim.threads = o.threads;
  run_to(std::move(spec), dir, o, true, cp.header.checkpoint_every > 0 ? &cp.header : nullptr, &cp);
  return 0;
}

}  // namespace apical::app
