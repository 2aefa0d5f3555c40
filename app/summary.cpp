#include "app/summary.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "neurons/registry.hpp"

namespace apical::app {

namespace {
std::uint64_t total_spikes(const simulation& sim) {
  std::uint64_t n = 0;
  for (const auto& l : sim.spikes()) n += l.total;
  return n;
}
}  // namespace

void hash_weights(run_summary& s) {
  s.table_hashes.clear();
  for (const auto& t : s.weights) s.table_hashes.push_back(weight_hash(std::span(&t, 1)));
  // the hash of one table is the hash of the list that holds only it
  s.weights_hash = s.weights.size() == 1 ? s.table_hashes[0] : weight_hash(s.weights);
}

std::string format_summary(const simulation& sim, const run_summary& s) {
  const auto& ph = sim.phases();
  const double T = s.biological_ms;
  std::string out;
  out += fmt::format("apical: {} ({})\n", sim.spec().sim.name, sim.spec().source_file);
  out += fmt::format("  neurons            {:>14}\n", sim.neurons());
  out += fmt::format("  synapses           {:>14}   ({:.2f} bytes/synapse in store)\n", sim.synapses(),
                     sim.synapses() ? double(sim.synapse_bytes()) / double(sim.synapses()) : 0.0);
  if (sim.plastic_synapses() > 0)
    out += fmt::format("  plastic synapses   {:>14}   ({:.2f} bytes/plastic synapse: store, weights, traces)\n", sim.plastic_synapses(),
                       double(sim.plastic_bytes()) / double(sim.plastic_synapses()));
  out += fmt::format("  spikes             {:>14}\n", total_spikes(sim));
  out += fmt::format("  synaptic events    {:>14}\n", sim.synaptic_events());
  if (std::any_of(sim.spikes().begin(), sim.spikes().end(), [](const spike_log& l) { return l.stored; }))
    out += fmt::format("  spike hash         {:>14}   (FNV-1a of recorded spikes: equal hash, identical spikes)\n",
                       fmt::format("{:016x}", spike_hash(sim.spikes())));
  else
    out += "  spike hash                   none   (no spikes recorded: counted only)\n";
  out += fmt::format("  threads            {:>14}   ({} partitions, window {} ms{})\n", s.threads, sim.partition_count(),
                     double(sim.min_delay()) * sim.resolution(),
                     sim.comm().distributed() ? fmt::format(", per rank; {} MPI ranks", sim.comm().size()) : "");
  for (std::size_t i = 0; i < s.weights.size(); ++i) {
    const weight_table& t = s.weights[i];
    if (t.weights.empty()) continue;
    double sum = 0, lo = t.weights[0], hi = t.weights[0];
    for (double w : t.weights) {
      sum += w;
      lo = std::min(lo, w);
      hi = std::max(hi, w);
    }
    out += fmt::format("  weights {:<10} mean {:.6g}, min {:.6g}, max {:.6g} ({}; weight hash {:016x})\n", t.projection,
                       sum / double(t.weights.size()), lo, hi, find_model(sim.spec().find(sim.spec().find_projection(t.projection)->target)->model)->unit_of_weights(sim.spec().find_projection(t.projection)->receptor),
                       s.table_hashes[i]);
  }
  out += "  rate per population\n";
  for (const auto& l : sim.spikes())
    out += fmt::format("    {:<16} {:>10.3f} Hz   ({} neurons, {} spikes)\n", l.population,
                       T > 0 ? double(l.total) / l.size / (T * 1e-3) : 0.0, l.size, l.total);
  out += fmt::format("  build time         {:>14.3f} s\n", ph.build);
  out += fmt::format("  run time           {:>14.3f} s   for {:.1f} ms biological\n", ph.run, T);
  out += fmt::format("  real-time factor   {:>14.3f}     (wall / biological time)\n", T > 0 ? ph.run / (T * 1e-3) : 0.0);
  out += fmt::format("  phases             deliver {:.3f} s, update {:.3f} s (summed over threads), exchange {:.3f} s, record {:.3f} s\n",
                     ph.deliver, ph.update, ph.exchange, ph.record);
  if (ph.thread_busy.size() > 1) {
    // deliver + update per thread: how evenly the plan spread the work
    double mean = 0, max = 0;
    std::string each;
    for (double b : ph.thread_busy) {
      mean += b / double(ph.thread_busy.size());
      max = std::max(max, b);
      each += fmt::format("{}{:.3f}", each.empty() ? "" : " / ", b);
    }
    out += fmt::format("  load per thread    {} s{}   (deliver + update; slowest / mean {:.3f})\n", each,
                       sim.comm().size() > 1 ? " on rank 0" : "", mean > 0 ? max / mean : 1.0);
  }
  out += fmt::format("  peak memory        {:>14.1f} MiB\n", double(s.peak_memory) / (1024.0 * 1024.0));
  return out;
}

std::string summary_json(const simulation& sim, const run_summary& s) {
  const auto& ph = sim.phases();
  const double T = s.biological_ms;
  std::string pops;
  for (const auto& l : sim.spikes())
    pops += fmt::format("{}\"{}\": {{\"neurons\": {}, \"spikes\": {}, \"rate_Hz\": {:.6f}}}", pops.empty() ? "" : ", ", l.population,
                        l.size, l.total, T > 0 ? double(l.total) / l.size / (T * 1e-3) : 0.0);
  std::string files;
  for (const auto& f : s.files) files += fmt::format("{}\"{}\"", files.empty() ? "" : ", ", f);
  return fmt::format(
      "{{\"name\": \"{}\", \"model_file\": \"{}\", \"neurons\": {}, \"synapses\": {}, \"synapse_bytes\": {}, \"spikes\": {}, "
      "\"synaptic_events\": {}, \"spike_hash\": \"{:016x}\", \"state_hash\": \"{:016x}\", \"weight_hash\": \"{:016x}\", \"plastic_synapses\": {}, \"plastic_bytes\": {}, \"ranks\": {}, \"threads\": {}, \"partitions\": {}, \"biological_ms\": {}, \"build_s\": {:.6f}, "
      "\"run_s\": {:.6f}, \"deliver_s\": {:.6f}, \"update_s\": {:.6f}, \"exchange_s\": {:.6f}, \"record_s\": {:.6f}, \"thread_busy_s\": [{:.6f}], "
      "\"real_time_factor\": {:.6f}, \"peak_memory_bytes\": {}, \"files\": [{}], \"populations\": {{{}}}}}\n",
      sim.spec().sim.name, sim.spec().source_file, sim.neurons(), sim.synapses(), sim.synapse_bytes(), total_spikes(sim),
      sim.synaptic_events(), spike_hash(sim.spikes()), state_hash(sim.states()),
      s.weights_hash, sim.plastic_synapses(), sim.plastic_bytes(), sim.comm().size(), s.threads, sim.partition_count(), T, ph.build, ph.run, ph.deliver, ph.update, ph.exchange,
      ph.record, fmt::join(ph.thread_busy, ", "), T > 0 ? ph.run / (T * 1e-3) : 0.0, s.peak_memory, files, pops);
}

}  // namespace apical::app
