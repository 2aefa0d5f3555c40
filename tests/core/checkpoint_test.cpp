// Checkpoints (core/checkpoint.hpp, simulation::serialize): a run stopped at
// t1, saved, restored into a new simulation (another thread count) and run to
// T gives bit-identical spikes, weights and recorded state to the run that
// went straight to T; a run cut into pieces equals one piece; damaged files
// are refused with their name.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "core/checkpoint.hpp"
#include "core/state_io.hpp"
#include "helpers.hpp"

using namespace apical;
namespace fs = std::filesystem;

namespace {

struct fingerprint {
  std::uint64_t spikes, spike_hash, weights, state;
};

fingerprint of(simulation& s) {
  std::uint64_t n = 0;
  for (const auto& l : s.spikes()) n += l.total;
  return {n, spike_hash(s.spikes()), s.plastic_synapses() ? weight_hash(s.plastic_weights()) : 0, state_hash(s.states())};
}

network_spec model(const std::string& file, std::vector<std::string> sets) {
  std::vector<key_override> o;
  for (const auto& x : sets) o.push_back(parse_override(x));
  return load_model_file(test::source_path(file), o);
}

/// Runs `spec` to its duration in one go, and again stopped at t1, saved,
/// restored with `threads_after` threads and continued; both must agree.
void check_resume(const network_spec& spec, double t1, int threads_after) {
  simulation straight(spec);
  straight.run(spec.sim.duration);
  const fingerprint a = of(straight);
  CHECK(a.spikes > 10);   // the comparison means something

  std::vector<std::byte> bytes;
  std::size_t groups = 0;
  {
    simulation first(spec);
    first.run(t1);
    state_io out = state_io::saver(bytes);
    first.serialize(out);
    groups = first.layout_groups();
  }
  network_spec again = spec;
  again.sim.threads = threads_after;
  simulation resumed(again);
  resumed.set_layout_groups(groups);
  state_io in = state_io::loader(bytes);
  resumed.serialize(in);
  CHECK(in.at_end());
  CHECK(resumed.time() == doctest::Approx(t1));
  resumed.run(spec.sim.duration - resumed.time());
  const fingerprint b = of(resumed);
  CHECK(b.spikes == a.spikes);
  CHECK(b.spike_hash == a.spike_hash);
  CHECK(b.weights == a.weights);
  CHECK(b.state == a.state);
}

}  // namespace

TEST_CASE("a restored checkpoint continues bit for bit, with another thread count") {
  SUBCASE("Brunel, lif_delta with precise spike times") {
    check_resume(model("models/brunel2000.toml", {"simulation.duration=300", "population.E.size=2000", "population.I.size=500",
                                                   "projection.0.indegree=200", "projection.1.indegree=200", "projection.2.indegree=50",
                                                   "projection.3.indegree=50", "projection.0.weight=0.5", "projection.1.weight=0.5",
                                                   "projection.2.weight=-2.5", "projection.3.weight=-2.5", "simulation.threads=2"}),
                 123.4, 1);
  }
  SUBCASE("CUBA, lif_exp in precise mode") {
    check_resume(model("models/cuba.toml", {"simulation.duration=200", "population.E.precise_times=true", "population.I.precise_times=true"}),
                 77.7, 2);
  }
  SUBCASE("COBA with pair STDP in NEST's order, static and plastic synapses onto one population") {
    check_resume(model("models/coba_stdp.toml", {"simulation.duration=300", "simulation.threads=2",
                                                  "projection.EE.plasticity.potentiation=at_next_pre"}),
                 131.3, 1);
  }
  SUBCASE("COBA with pair STDP, potentiation at post spikes (the model file's order)") {
    check_resume(model("models/coba_stdp.toml", {"simulation.duration=300", "simulation.threads=2"}), 131.3, 1);
  }
  SUBCASE("dopamine-modulated STDP with reward_trigger (Izhikevich 2007)") {
    check_resume(model("models/izhikevich2007.toml", {"simulation.duration=3000"}), 1234.0, 2);
  }
  SUBCASE("triplet STDP from spike_source (Sjostrom protocol)") {
    check_resume(model("models/stdp_sjostrom.toml", {"simulation.duration=3000"}), 1500.2, 2);
  }
  SUBCASE("Song 2000: Poisson sources, STDP with weight recording on change") {
    check_resume(model("models/song2000.toml", {"simulation.duration=3000"}), 999.9, 2);
  }
  SUBCASE("Urbanczik-Senn: pyramidal_2c, dendritic prediction rule, state and weight recorders") {
    check_resume(model("models/urbanczik_senn2014.toml", {"simulation.duration=1000"}), 410.3, 2);
  }
}

TEST_CASE("a run cut into pieces equals the same run in one piece") {
  const network_spec spec = model("models/coba_stdp.toml", {"simulation.duration=200"});
  simulation one(spec), pieces(spec);
  one.run(200.0);
  for (double piece : {0.1, 33.3, 50.0, 16.6}) pieces.run(piece);
  pieces.run(200.0 - pieces.time());
  const fingerprint a = of(one), b = of(pieces);
  CHECK(a.spike_hash == b.spike_hash);
  CHECK(a.weights == b.weights);
}

TEST_CASE("checkpoint files: written whole, read back, damaged ones refused with their name") {
  const network_spec spec = model("models/coba_stdp.toml", {"simulation.duration=100"});
  const fs::path file = "checkpoint_test.apc";
  checkpoint_header h;
  h.model_text = "(text)";
  h.model_path = "models/coba_stdp.toml";
  h.overrides = {"simulation.duration=100"};
  h.checkpoint_every = 50;
  {
    simulation s(spec);
    s.run(50.0);
    write_checkpoint(file, h, s);
  }
  for (const auto& e : fs::directory_iterator(".")) CHECK(e.path().string().find(".apc.tmp") == std::string::npos);
  const checkpoint_file cp = read_checkpoint(file);
  CHECK(cp.header.model_text == "(text)");
  CHECK(cp.header.overrides == h.overrides);
  CHECK(cp.header.checkpoint_every == 50.0);
  CHECK(cp.header.time == doctest::Approx(50.0));
  {
    simulation s(spec);
    restore_checkpoint(file, cp, s);
    CHECK(s.time() == doctest::Approx(50.0));
  }

  std::string bytes;
  {
    std::ifstream in(file, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto refused = [&](const std::string& content) {
    const fs::path bad = "checkpoint_test_bad.apc";
    std::ofstream(bad, std::ios::binary) << content;
    try {
      read_checkpoint(bad);
    } catch (const checkpoint_error& e) {
      CHECK(std::string(e.what()).rfind(bad.string() + ": ", 0) == 0);
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  CHECK(refused(bytes.substr(0, bytes.size() / 2)).find("truncated") != std::string::npos);
  std::string flipped = bytes;
  flipped[bytes.size() - 100] ^= 0x20;
  CHECK(refused(flipped).find("checksum mismatch") != std::string::npos);
  std::string version = bytes;
  version[8] = 9;
  CHECK(refused(version).find("checkpoint version 9") != std::string::npos);
  CHECK(refused("hello").find("not an apical checkpoint") != std::string::npos);
  CHECK_THROWS_AS(read_checkpoint("no_such_checkpoint.apc"), checkpoint_error);

  // a checkpoint of another network does not restore
  simulation other(model("models/coba_stdp.toml", {"population.E.size=3000"}));
  CHECK_THROWS_AS(restore_checkpoint(file, cp, other), checkpoint_error);
}
