// STDP exactness: the event-driven weights of the engine against a direct
// computation over the recorded spike trains, written independently here
// (direct sums over spike pairs instead of traces, the weight dependences
// written out again).
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <sstream>

#include "helpers.hpp"
#include "plasticity/stdp_at_post.hpp"
#include "plasticity/stdp_quiet_pass.hpp"

using namespace apical;

namespace {

struct rule_case {
  std::string rule = "stdp";
  std::string dependence = "additive";
  std::string pairing = "all_to_all";
  double f = 1.0;   // dendritic delay fraction
  double w_min = 0.0, w_max = 1.0, w0 = 0.5;
  double A_plus = 0.01, A_minus = 0.012, A3_plus = 0.0, A3_minus = 0.0, mu_plus = 0.4, mu_minus = 0.7;
  double tau_plus = 16.8, tau_minus = 33.7, tau_x = 101.0, tau_y = 114.0;
  bool precise_pre = false;   // pre spikes off the grid
  bool grid_post = false;     // lif_exp targets on the grid: trace decays from plasticity/grid_decay.hpp's table
  double tau_c = 300.0, tau_n = 50.0, b = 0.002;   // stdp_dopamine
  bool modulator_spikes = true;                     // stdp_dopamine: the modulator fires
  int targets = 4;   // post neurons: each pre spike's group has this many synapses
  int sources = 30;  // pre neurons: each post neuron has this many synapses
  bool at_post = false;   // potentiation = "at_post" (needs grid_post)
};

/// c.sources pre sources (random times, some exactly coincident with post spikes at
/// the synapse) onto c.targets lif_delta targets driven to spike by a teacher.
std::string stdp_net(const rule_case& c, int threads = 1, int partitions = 0, double T = 400.0) {
  std::mt19937_64 rng(7);
  std::ostringstream s;
  s.precision(17);
  s << test::sim_header(0.1, T, 1, threads) << "partitions = " << partitions << "\n";
  // teacher times on the grid, >= 2 ms apart; posts follow 1 ms later
  std::vector<std::vector<double>> teacher(c.targets);
  for (auto& row : teacher) {
    double t = 3.0;
    while (true) {
      t += 2.0 + std::round(std::exponential_distribution<double>(1.0 / 15.0)(rng) * 10.0) / 10.0;
      if (t > T - 40.0) break;
      row.push_back(t);
    }
  }
  const double delay = 1.5, teacher_delay = 1.0;
  const long dden = std::lround(c.f * std::round(delay / 0.1));
  s << "[[population]]\nname = \"pre\"\nmodel = \"spike_source\"\nsize = " << c.sources << "\nspike_times = [\n";
  for (int i = 0; i < c.sources; ++i) {
    std::vector<double> times;
    double t = 1.0;
    while (true) {
      double dt = std::exponential_distribution<double>(1.0 / 12.0)(rng);
      dt = c.precise_pre ? 0.5 + dt : 0.5 + std::round(dt * 10.0) / 10.0;
      t += dt;
      if (t > T - 30.0) break;
      times.push_back(t);
    }
    // a pre spike at the synaptic time of a post spike of target i % targets:
    // t_pre + d - d_den = t_post + d_den, t_post = teacher + 1 ms
    const auto& tt = teacher[i % c.targets];
    if (!tt.empty()) times.push_back(tt[i % tt.size()] + teacher_delay + (2 * dden) * 0.1 - delay);
    // one spike per time: same-time spikes of one source pair with each other
    // in the engine (processed in order), which a direct sum over s < t cannot show
    std::sort(times.begin(), times.end());
    times.erase(std::unique(times.begin(), times.end(), [](double a, double b) { return std::abs(a - b) < 1e-9; }), times.end());
    s << "  [";
    for (double x : times) s << x << ", ";
    s << "],\n";
  }
  s << "]\n";
  s << "[[population]]\nname = \"teacher\"\nmodel = \"spike_source\"\nsize = " << c.targets << "\nspike_times = [\n";
  for (const auto& row : teacher) {
    s << "  [";
    for (double x : row) s << x << ", ";
    s << "],\n";
  }
  s << "]\n";
  if (c.rule == "stdp_dopamine") {   // two modulator sources, spikes off the grid
    s << "[[population]]\nname = \"dopa\"\nmodel = \"spike_source\"\nsize = 2\nspike_times = [\n";
    for (int i = 0; i < 2; ++i) {
      s << "  [";
      for (double t = 5.0; c.modulator_spikes;) {
        t += 0.05 + std::exponential_distribution<double>(1.0 / 8.0)(rng);
        if (t > T) break;
        s << t << ", ";
      }
      s << "],\n";
    }
    s << "]\n";
  }
  if (c.grid_post)   // a teacher input of 1e5 pA lifts V by 40 mV within a step
    s << "[[population]]\nname = \"post\"\nmodel = \"lif_exp\"\nsize = " << c.targets << "\n"
         "params = {E_L = 0.0, V_reset = 0.0, V_th = 20.0, tau_m = 10.0, t_ref = 0.5, tau_syn_ex = 0.5}\n";
  else
    s << "[[population]]\nname = \"post\"\nmodel = \"lif_delta\"\nsize = " << c.targets << "\n"
         "params = {E_L = 0.0, V_reset = 0.0, V_th = 20.0, tau_m = 10.0, t_ref = 0.5}\n";
  s << "[[projection]]\nsource = \"teacher\"\ntarget = \"post\"\nrule = \"one_to_one\"\nweight = "
    << (c.grid_post ? 1e5 : 1000.0) << "\ndelay = " << teacher_delay << "\n";
  s << "[[projection]]\nname = \"plastic\"\nsource = \"pre\"\ntarget = \"post\"\nrule = \"all_to_all\"\nweight = " << c.w0
    << "\ndelay = " << delay << "\n";
  s << "[projection.plasticity]\nrule = \"" << c.rule << "\"\n";
  if (c.rule == "stdp_dopamine") {
    s << "modulator = \"dopa\"\nA_plus = " << c.A_plus << "\nA_minus = " << c.A_minus << "\ntau_c = " << c.tau_c
      << "\ntau_n = " << c.tau_n << "\nb = " << c.b << "\ntau_plus = " << c.tau_plus << "\ntau_minus = " << c.tau_minus
      << "\nw_min = " << c.w_min << "\nw_max = " << c.w_max << "\ndendritic_delay_fraction = " << c.f
      << "\n[[recorder]]\ntype = \"spikes\"\n";
    return s.str();
  }
  s << "pairing = \"" << c.pairing << "\"\n";
  if (c.at_post) s << "potentiation = \"at_post\"\n";
  if (c.rule == "stdp") {
    s << "weight_dependence = \"" << c.dependence << "\"\nA_plus = " << c.A_plus << "\nA_minus = " << c.A_minus << "\n";
    if (c.dependence == "power_law") s << "mu_plus = " << c.mu_plus << "\nmu_minus = " << c.mu_minus << "\n";
  } else {
    s << "A2_plus = " << c.A_plus << "\nA2_minus = " << c.A_minus << "\nA3_plus = " << c.A3_plus << "\nA3_minus = " << c.A3_minus
      << "\ntau_x = " << c.tau_x << "\ntau_y = " << c.tau_y << "\n";
  }
  s << "tau_plus = " << c.tau_plus << "\ntau_minus = " << c.tau_minus << "\nw_min = " << c.w_min << "\nw_max = " << c.w_max
    << "\ndendritic_delay_fraction = " << c.f << "\n";
  s << "[[recorder]]\ntype = \"spikes\"\n";
  return s.str();
}

std::vector<double> spikes_of(const simulation& sim, const std::string& pop, std::uint64_t node) {
  std::vector<double> out;
  for (const auto& l : sim.spikes())
    if (l.population == pop)
      for (std::size_t i = 0; i < l.times.size(); ++i)
        if (l.node_ids[i] == node) out.push_back(l.times[i]);
  return out;
}

/// Sum of exp(-(t - s)/tau) over s in `times` with s < t (all-to-all), or the
/// term of the latest such s only (nearest).
double trace(const std::vector<double>& times, double t, double tau, bool nearest) {
  double sum = 0.0, latest = -1.0;
  bool any = false;
  for (double s : times)
    if (t - s > 1e-9) {
      sum += std::exp(-(t - s) / tau);
      latest = any ? std::max(latest, s) : s;
      any = true;
    }
  if (!any) return 0.0;
  return nearest ? std::exp(-(t - latest) / tau) : sum;
}

/// The weight at the end of the run, computed event by event in time order
/// (posts before a pre at the same time; same-time pairs ignored), each trace
/// a direct sum over the spike pairs. Potentiation at the next pre spike
/// (NEST): the weight after the last delivered pre spike. At post spikes: after
/// every delivered pre spike and every post spike whose potentiation is due
/// within the run (post spike step + 2 d_den <= end step: stdp_at_post.hpp).
double reference_weight(const rule_case& c, std::vector<double> pre, std::vector<double> post, double delay, double T) {
  const double h = 0.1;
  const double dden = std::round(c.f * std::round(delay / h)) * h;
  // pre spikes delivered within the run: arrival step < end step
  std::vector<double> pre_syn, post_syn;
  for (double t : pre)
    if (std::floor(t / h + 1e-9) + std::round(delay / h) < std::round(T / h)) pre_syn.push_back(t + delay - dden);
  for (double t : post)
    if (!c.at_post || std::round(t / h) + 2.0 * std::round(dden / h) <= std::round(T / h)) post_syn.push_back(t + dden);
  if (pre_syn.empty()) return c.w0;
  const double t_end = c.at_post ? 1e300 : pre_syn.back();
  const bool nearest = c.pairing == "nearest";
  const double range = c.w_max - c.w_min;
  struct ev {
    double t;
    bool is_pre;
  };
  std::vector<ev> events;
  for (double t : pre_syn) events.push_back({t, true});
  for (double t : post_syn)
    if (t <= t_end + 1e-9) events.push_back({t, false});
  std::stable_sort(events.begin(), events.end(), [](const ev& a, const ev& b) {
    if (std::abs(a.t - b.t) > 1e-9) return a.t < b.t;
    return !a.is_pre && b.is_pre;
  });
  double w = c.w0;
  for (const ev& e : events) {
    if (!e.is_pre) {
      const double x = trace(pre_syn, e.t, c.tau_plus, nearest);
      if (c.rule == "stdp_triplet") {
        w += x * (c.A_plus + c.A3_plus * trace(post_syn, e.t, c.tau_y, nearest));
      } else {
        const double wn = (w - c.w_min) / range;
        const double F = c.dependence == "additive" ? 1.0 : c.dependence == "multiplicative" ? 1.0 - wn : std::pow(1.0 - wn, c.mu_plus);
        if (x != 0.0) w += range * c.A_plus * F * x;
      }
      w = std::min(w, c.w_max);
    } else {
      const double y = trace(post_syn, e.t, c.tau_minus, nearest);
      if (y == 0.0) continue;
      if (c.rule == "stdp_triplet") {
        w -= y * (c.A_minus + c.A3_minus * trace(pre_syn, e.t, c.tau_x, nearest));
      } else {
        const double wn = (w - c.w_min) / range;
        const double F = c.dependence == "additive" ? 1.0 : c.dependence == "multiplicative" ? wn : std::pow(wn, c.mu_minus);
        w -= range * c.A_minus * F * y;
      }
      w = std::max(w, c.w_min);
    }
  }
  return w;
}

/// Runs the network and compares every synapse's weight with the reference.
/// Returns the number of coincident (dt = 0) pre/post pairs seen.
int check_against_reference(const rule_case& c, double T = 400.0) {
  simulation sim(test::parse(stdp_net(c, 1, 0, T)));
  sim.run(T);
  const weight_table wt = sim.weights("plastic");
  REQUIRE(wt.weights.size() == std::size_t(c.sources) * std::size_t(c.targets));
  int coincident = 0, changed = 0;
  for (std::size_t i = 0; i < wt.weights.size(); ++i) {
    const auto pre = spikes_of(sim, "pre", wt.sources[i]);
    const auto post = spikes_of(sim, "post", wt.targets[i]);
    REQUIRE(post.size() > 5);
    const double d = wt.delays[i];
    const double dden = std::round(c.f * std::round(d / 0.1)) * 0.1;
    for (double a : pre)
      for (double b : post) coincident += std::abs((a + d - dden) - (b + dden)) < 1e-9;
    const double ref = reference_weight(c, pre, post, d, T);
    changed += ref != c.w0;
    INFO("synapse " << wt.sources[i] << " -> " << wt.targets[i] << ", rule " << c.rule << "/" << c.dependence << "/" << c.pairing
                    << ", f = " << c.f << ", precise " << c.precise_pre << ", grid post " << c.grid_post
                    << ", at_post " << c.at_post);
    CHECK(wt.weights[i] == doctest::Approx(ref).epsilon(1e-12));
  }
  CHECK(changed > 100);   // the rule did act
  return coincident;
}

/// Reward-modulated STDP by numerical integration instead of closed forms:
/// c, n and w integrated with RK4 (step <= 0.01 ms) between events, in the
/// synapse frame (pre at t_pre + d - d_den, post at t_post + d_den, modulator at t_mod);
/// jumps: post: c += A_plus x, pre: c -= A_minus y (traces as direct sums over
/// earlier spikes), modulator: n += 1/tau_n. Ends at the last delivered pre spike.
double reference_dopamine(const rule_case& c, const std::vector<double>& pre, const std::vector<double>& post,
                          const std::vector<double>& mod, double d, double T) {
  const double dden = std::round(c.f * std::round(d / 0.1)) * 0.1;
  std::vector<double> pre_syn, post_syn;
  for (double t : pre)
    if (std::floor(t / 0.1 + 1e-9) + std::round(d / 0.1) < std::round(T / 0.1)) pre_syn.push_back(t + d - dden);
  for (double t : post) post_syn.push_back(t + dden);
  if (pre_syn.empty()) return c.w0;
  struct ev {
    double t;
    int kind;   // 0 modulator, 1 post, 2 pre
  };
  std::vector<ev> events;
  for (double t : mod) events.push_back({t, 0});
  for (double t : post_syn) events.push_back({t, 1});
  for (double t : pre_syn) events.push_back({t, 2});
  std::stable_sort(events.begin(), events.end(), [](const ev& a, const ev& b) { return a.t < b.t; });
  double cc = 0, n = 0, w = c.w0, now = 0;
  auto integrate = [&](double t1) {
    const int steps = std::max(1, int(std::ceil((t1 - now) / 0.01)));
    const double dt = (t1 - now) / steps;
    auto f = [&](double cv, double nv) { return std::array<double, 3>{-cv / c.tau_c, -nv / c.tau_n, cv * (nv - c.b)}; };
    for (int i = 0; i < steps && t1 > now; ++i) {
      const auto k1 = f(cc, n);
      const auto k2 = f(cc + dt / 2 * k1[0], n + dt / 2 * k1[1]);
      const auto k3 = f(cc + dt / 2 * k2[0], n + dt / 2 * k2[1]);
      const auto k4 = f(cc + dt * k3[0], n + dt * k3[1]);
      cc += dt / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0]);
      n += dt / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1]);
      w += dt / 6 * (k1[2] + 2 * k2[2] + 2 * k3[2] + k4[2]);
    }
    now = std::max(now, t1);
  };
  for (const ev& e : events) {
    if (e.t > pre_syn.back() + 1e-9) break;
    integrate(e.t);
    if (e.kind == 0) n += 1.0 / c.tau_n;
    if (e.kind == 1) cc += c.A_plus * trace(pre_syn, e.t, c.tau_plus, false);
    if (e.kind == 2) cc -= c.A_minus * trace(post_syn, e.t, c.tau_minus, false);
  }
  return w;
}

/// Runs a (NEST's order) and b (at_post) for T ms with on_change recorders of
/// projection "plastic": the same spikes, and every pre spike transmits the
/// same weight in both (a delivery's entry is the synapse's last one at its
/// time: a potentiation logged at the same time comes before it).
void check_same_transmitted(simulation& a, simulation& b, double w0, double T, std::size_t at_least = 1000) {
  a.run(T);
  b.run(T);
  CHECK(spike_hash(a.spikes()) == spike_hash(b.spikes()));
  const weight_log& la = a.weight_logs()[0];
  const weight_log& lb = b.weight_logs()[0];
  using entries = std::vector<std::pair<double, double>>;   // (time, weight) by synapse
  std::vector<entries> ea(la.synapses.weights.size()), eb(ea.size());
  for (std::size_t e = 0; e < la.data.size(); ++e) ea[la.change_synapses[e]].push_back({la.change_times[e], la.data[e]});
  for (std::size_t e = 0; e < lb.data.size(); ++e) eb[lb.change_synapses[e]].push_back({lb.change_times[e], lb.data[e]});
  std::size_t compared = 0, changed = 0;
  for (std::size_t i = 0; i < ea.size(); ++i)
    for (const auto& [t, w] : ea[i]) {
      const auto it = std::find_if(eb[i].rbegin(), eb[i].rend(), [t = t](const auto& x) { return x.first == t; });
      REQUIRE(it != eb[i].rend());
      CHECK(it->second == doctest::Approx(w).epsilon(1e-12));
      ++compared;
      changed += w != w0;
    }
  CHECK(compared > at_least);
  CHECK(changed > at_least);
}

}  // namespace

TEST_CASE("reward-modulated STDP equals a numerical integration of c, n and w") {
  // f = 1 (NEST); f = 0.7: d_den = 1.1 ms of the 1.5 ms delay, at least the
  // network's smallest delay (1 ms, the teacher's)
  for (double f : {1.0, 0.7}) {
    rule_case c;
    c.rule = "stdp_dopamine";
    c.w_min = -100.0;   // no clipping: the integration does not clip
    c.w_max = 100.0;
    c.A_plus = 1e-3;
    c.A_minus = 1.5e-3;
    c.f = f;
    const double T = 400.0;
    simulation sim(test::parse(stdp_net(c, 1, 0, T)));
    sim.run(T);
    const weight_table wt = sim.weights("plastic");
    REQUIRE(wt.weights.size() == std::size_t(c.sources) * std::size_t(c.targets));
    std::vector<double> mod = spikes_of(sim, "dopa", 0), mod1 = spikes_of(sim, "dopa", 1);
    mod.insert(mod.end(), mod1.begin(), mod1.end());
    std::sort(mod.begin(), mod.end());
    REQUIRE(mod.size() > 64);   // enough to prune the modulator history
    int changed = 0;
    for (std::size_t i = 0; i < wt.weights.size(); ++i) {
      const auto pre = spikes_of(sim, "pre", wt.sources[i]);
      const auto post = spikes_of(sim, "post", wt.targets[i]);
      const double ref = reference_dopamine(c, pre, post, mod, wt.delays[i], T);
      changed += std::abs(ref - c.w0) > 1e-3;
      INFO("f = " << f << ", synapse " << wt.sources[i] << " -> " << wt.targets[i]);
      CHECK(wt.weights[i] == doctest::Approx(ref).epsilon(1e-9));
    }
    CHECK(changed > 100);
  }
}

TEST_CASE("reward-modulated STDP refuses a dendritic delay shorter than the network's smallest delay") {
  // f = 0.5: d_den = 0.8 ms < 1 ms; the neuromodulator spikes up to a pre
  // spike's synaptic time would not all be known at its delivery
  rule_case c;
  c.rule = "stdp_dopamine";
  c.f = 0.5;
  try {
    test::parse(stdp_net(c));
    FAIL("accepted");
  } catch (const model_error& e) {
    CHECK(std::string(e.what()).find("projection[1].plasticity.dendritic_delay_fraction") != std::string::npos);
    CHECK(std::string(e.what()).find("smallest delay") != std::string::npos);
  }
}

TEST_CASE("reward-modulated STDP: no modulator spikes and no baseline leave the weights unchanged") {
  // dw/dt = c (n - b) with n = b = 0: eligibility alone never moves a weight
  rule_case c;
  c.rule = "stdp_dopamine";
  c.b = 0.0;
  c.modulator_spikes = false;
  simulation sim(test::parse(stdp_net(c)));
  sim.run(400.0);
  for (double w : sim.weights("plastic").weights) CHECK(w == c.w0);
  REQUIRE(spikes_of(sim, "pre", 0).size() > 5);
}

TEST_CASE("additive pair STDP equals the direct sum over all spike pairs") {
  // Without clipping the additive rule is linear: w = w0 + sum over pairs.
  rule_case c;
  c.w_min = -100.0;
  c.w_max = 100.0;
  c.A_plus = 2e-5;
  c.A_minus = 2.4e-5;
  const double T = 400.0;
  simulation sim(test::parse(stdp_net(c, 1, 0, T)));
  sim.run(T);
  const weight_table wt = sim.weights("plastic");
  REQUIRE(wt.weights.size() == std::size_t(c.sources) * std::size_t(c.targets));
  for (std::size_t i = 0; i < wt.weights.size(); ++i) {
    const auto pre = spikes_of(sim, "pre", wt.sources[i]);
    const auto post = spikes_of(sim, "post", wt.targets[i]);
    const double d = wt.delays[i];
    // f = 1: the pre spike acts at t_pre, the post spike at t_post + d (NEST)
    double last_pre = -1e9;
    for (double a : pre)
      if (std::round(a / 0.1) + std::round(d / 0.1) < std::round(T / 0.1)) last_pre = std::max(last_pre, a);
    double w = c.w0;
    for (double a : pre) {
      if (a > last_pre) continue;
      for (double b : post) {
        const double dt = (b + d) - a;
        if (dt > 1e-9 && b + d <= last_pre + 1e-9) w += 200.0 * c.A_plus * std::exp(-dt / c.tau_plus);
        if (dt < -1e-9) w -= 200.0 * c.A_minus * std::exp(dt / c.tau_minus);
      }
    }
    INFO("synapse " << wt.sources[i] << " -> " << wt.targets[i]);
    CHECK(wt.weights[i] == doctest::Approx(w).epsilon(1e-12));
  }
}

TEST_CASE("pair STDP with weight dependence equals the time-ordered direct computation") {
  for (const char* dep : {"additive", "multiplicative", "power_law"})
    for (const char* pairing : {"all_to_all", "nearest"}) {
      rule_case c;
      c.dependence = dep;
      c.pairing = pairing;
      CHECK(check_against_reference(c) > 0);   // coincident pairs were exercised
    }
}

TEST_CASE("power-law STDP over groups wider than the scalar loop's blocks equals the direct computation") {
  // 40 synapses a group: blocks of 16, 16 and 8 (plasticity/stdp_synapses.cpp
  // takes the depressions of a block after its potentiations)
  for (const char* pairing : {"all_to_all", "nearest"}) {
    rule_case c;
    c.dependence = "power_law";
    c.pairing = pairing;
    c.targets = 40;
    CHECK(check_against_reference(c) > 0);
  }
}

TEST_CASE("triplet STDP equals the time-ordered direct computation") {
  for (const char* pairing : {"all_to_all", "nearest"}) {
    rule_case c;
    c.rule = "stdp_triplet";
    c.pairing = pairing;
    c.A_plus = 5e-3;
    c.A3_plus = 6.5e-3;
    c.A_minus = 7.1e-3;
    c.A3_minus = 2.3e-3;
    CHECK(check_against_reference(c) > 0);
  }
}

TEST_CASE("pair and triplet STDP between spikes on the grid (decays from the propagator table) equal the direct computation") {
  for (const char* rule : {"stdp", "stdp_triplet"})
    for (const char* pairing : {"all_to_all", "nearest"}) {
      rule_case c;
      c.grid_post = true;
      c.rule = rule;
      c.pairing = pairing;
      c.dependence = "power_law";
      if (c.rule == "stdp_triplet") c.A3_plus = 6.5e-3, c.A3_minus = 2.3e-3;
      CHECK(check_against_reference(c) > 0);
    }
}

TEST_CASE("dendritic delay convention: the fraction of the delay that is dendritic sets the pair timing") {
  for (double f : {0.5, 1.0})
    for (bool precise : {false, true}) {
      rule_case c;
      c.dependence = "multiplicative";
      c.f = f;
      c.precise_pre = precise;
      const int coincident = check_against_reference(c);
      if (!precise) CHECK(coincident > 0);
    }
}

TEST_CASE("a dendritic delay below one step is refused") {
  // pre-driven updates need every post spike up to the pre spike's synaptic
  // time, which is known at delivery only with a dendritic delay of >= 1 step
  rule_case c;
  c.f = 0.0;
  try {
    test::parse(stdp_net(c));
    FAIL("accepted");
  } catch (const model_error& e) {
    CHECK(std::string(e.what()).find("projection[1].plasticity.dendritic_delay_fraction") != std::string::npos);
  }
}

TEST_CASE("plastic weights and spikes are bit-identical for any thread and partition count") {
  rule_case triplet;
  triplet.rule = "stdp_triplet";
  triplet.A_plus = 5e-3;
  triplet.A3_plus = 6.5e-3;
  triplet.A_minus = 7.1e-3;
  triplet.A3_minus = 2.3e-3;
  rule_case dopamine;
  dopamine.rule = "stdp_dopamine";
  dopamine.A_plus = 1e-3;
  dopamine.A_minus = 1.5e-3;
  for (const rule_case& c : {triplet, dopamine}) {
    simulation ref(test::parse(stdp_net(c, 1, 0)));
    ref.run(400.0);
    const auto w_ref = ref.plastic_weights();
    for (auto [threads, parts] : {std::pair{2, 0}, {3, 5}, {8, 0}, {8, 31}}) {
      simulation sim(test::parse(stdp_net(c, threads, parts)));
      sim.run(200.0);
      sim.run(200.0);
      INFO(c.rule << ": threads = " << threads << ", partitions = " << sim.partition_count());
      CHECK(weight_hash(sim.plastic_weights()) == weight_hash(w_ref));
      CHECK(spike_hash(sim.spikes()) == spike_hash(ref.spikes()));
    }
  }
}

TEST_CASE("an on_change weight recorder logs every update, the same for any thread count") {
  rule_case c;
  c.dependence = "multiplicative";
  const std::string rec = "[[recorder]]\ntype = \"weights\"\nprojection = \"plastic\"\non_change = true\n";
  const double T = 400.0;
  simulation one(test::parse(stdp_net(c, 1, 0, T) + rec));
  one.run(T);
  REQUIRE(one.weight_logs().size() == 1);
  const weight_log& log = one.weight_logs()[0];
  CHECK(log.on_change);
  const weight_table final_w = one.weights("plastic");
  REQUIRE(log.synapses.weights.size() == final_w.weights.size());
  CHECK(std::is_sorted(log.change_times.begin(), log.change_times.end()));
  std::vector<std::size_t> count(final_w.weights.size(), 0);
  std::vector<double> last(final_w.weights.size(), c.w0);
  for (std::size_t e = 0; e < log.data.size(); ++e) {
    ++count[log.change_synapses[e]];
    last[log.change_synapses[e]] = log.data[e];
  }
  for (std::size_t i = 0; i < count.size(); ++i) {
    // one update per pre spike delivered within the run
    std::size_t delivered = 0;
    for (double t : spikes_of(one, "pre", final_w.sources[i]))
      delivered += std::floor(t / 0.1 + 1e-9) + std::round(final_w.delays[i] / 0.1) < std::round(T / 0.1);
    CHECK(count[i] == delivered);
    CHECK(last[i] == final_w.weights[i]);
  }
  simulation many(test::parse(stdp_net(c, 3, 7, T) + rec));
  many.run(T / 2);
  many.run(T / 2);
  CHECK(many.weight_logs()[0].change_times == log.change_times);
  CHECK(many.weight_logs()[0].change_synapses == log.change_synapses);
  CHECK(many.weight_logs()[0].data == log.data);
}

TEST_CASE("STDP with potentiation at post spikes equals the time-ordered direct computation") {
  // at_post: potentiation at each post spike (Brian2's order), traces as sums
  // scaled to an epoch that moves every 40 tau / h steps (672 ms here): the
  // 1500 ms run crosses it twice
  for (const char* dep : {"additive", "multiplicative", "power_law"})
    for (double T : {400.0, 1500.0}) {
      rule_case c;
      c.grid_post = true;
      c.at_post = true;
      c.dependence = dep;
      CHECK(check_against_reference(c, T) > 0);
    }
  rule_case half;   // half the delay dendritic: d_den = 8 steps of 15
  half.grid_post = true;
  half.at_post = true;
  half.f = 0.5;
  CHECK(check_against_reference(half) > 0);
  // spikes between grid points: precise lif_delta targets, pre spikes off the
  // grid, or both (a step's pre spikes then come in time order, and a post
  // spike potentiates before the first pre spike at or after it)
  for (const char* dep : {"additive", "multiplicative", "power_law"})
    for (auto [precise_pre, grid_post] : {std::pair{false, false}, {true, true}, {true, false}}) {
      INFO("dependence " << dep << ", pre off the grid " << precise_pre << ", post on the grid " << grid_post);
      rule_case c;
      c.at_post = true;
      c.dependence = dep;
      c.precise_pre = precise_pre;
      c.grid_post = grid_post;
      CHECK(check_against_reference(c, 1500.0) > 0);
    }
}

TEST_CASE("potentiation at post spikes and at the next pre spike transmit the same weights") {
  // the two orders apply the same updates to each weight before every pre
  // spike, so every pre spike transmits the same weight (to rounding); only the
  // weights read between pre spikes differ, by the potentiations that NEST's
  // order still holds back. Compared through on_change recorders: a delivery's
  // entry is the synapse's last one at its time (a potentiation logged at the
  // same time comes before it). On the grid, and with spikes between grid
  // points on both sides.
  for (bool grid : {true, false}) {
  INFO("on the grid " << grid);
  rule_case next;
  next.grid_post = grid;
  next.precise_pre = !grid;
  next.dependence = "multiplicative";
  rule_case post = next;
  post.at_post = true;
  const std::string rec = "[[recorder]]\ntype = \"weights\"\nprojection = \"plastic\"\non_change = true\n";
  simulation a(test::parse(stdp_net(next, 1, 0) + rec));
  simulation b(test::parse(stdp_net(post, 1, 0) + rec));
  check_same_transmitted(a, b, next.w0, 400.0);
  const weight_table wa = a.weights("plastic"), wb = b.weights("plastic");
  int later = 0;
  for (std::size_t i = 0; i < wa.weights.size(); ++i) later += wb.weights[i] > wa.weights[i] + 1e-12;
  CHECK(later > 0);   // potentiations that NEST's order still holds back at the end
  }
}

TEST_CASE("potentiation at post spikes: bit-identical for any thread count, and logged by on_change recorders") {
  for (bool precise_pre : {false, true}) {   // pre spikes on the grid, or between grid points
  INFO("pre spikes off the grid " << precise_pre);
  rule_case c;
  c.grid_post = true;
  c.precise_pre = precise_pre;
  c.at_post = true;
  c.dependence = "power_law";
  const std::string rec = "[[recorder]]\ntype = \"weights\"\nprojection = \"plastic\"\non_change = true\n";
  simulation one(test::parse(stdp_net(c, 1, 0) + rec));
  one.run(400.0);
  const weight_table final_w = one.weights("plastic");
  const weight_log& log = one.weight_logs()[0];
  CHECK(std::is_sorted(log.change_times.begin(), log.change_times.end()));
  std::vector<double> last(final_w.weights.size(), c.w0);
  std::vector<std::size_t> count(final_w.weights.size(), 0);
  for (std::size_t e = 0; e < log.data.size(); ++e) {
    last[log.change_synapses[e]] = log.data[e];
    ++count[log.change_synapses[e]];
  }
  for (std::size_t i = 0; i < last.size(); ++i) {
    CHECK(last[i] == final_w.weights[i]);
    // one change per delivered pre spike and one per post spike due in the run
    std::size_t delivered = 0, due = 0;
    for (double t : spikes_of(one, "pre", final_w.sources[i]))
      delivered += std::floor(t / 0.1 + 1e-9) + std::round(final_w.delays[i] / 0.1) < 4000.0;
    for (double t : spikes_of(one, "post", final_w.targets[i])) due += std::round(t / 0.1) + 2.0 * 15.0 <= 4000.0;
    CHECK(count[i] == delivered + due);
  }
  for (auto [threads, parts] : {std::pair{2, 0}, {3, 5}, {8, 31}}) {
    simulation sim(test::parse(stdp_net(c, threads, parts) + rec));
    sim.run(150.0);
    sim.run(250.0);
    INFO("threads = " << threads << ", partitions = " << sim.partition_count());
    CHECK(weight_hash(sim.plastic_weights()) == weight_hash(one.plastic_weights()));
    CHECK(spike_hash(sim.spikes()) == spike_hash(one.spikes()));
    CHECK(sim.weight_logs()[0].change_times == log.change_times);
    CHECK(sim.weight_logs()[0].change_synapses == log.change_synapses);
    CHECK(sim.weight_logs()[0].data == log.data);
  }
  }
}

TEST_CASE("the power law at post spikes: eight synapses at a time give the scalar loop's bits") {
  // a block and 44 synapses onto each post neuron: potentiation blocks of
  // stdp_at_post::potentiation_block and 44, the second padded to eight lanes;
  // groups of 13: depressions eight at a time, then five one by one
  for (auto [precise_pre, grid_post] : {std::pair{false, true}, {true, true}, {true, false}}) {
    INFO("pre off the grid " << precise_pre << ", post on the grid " << grid_post);
    rule_case c;
    c.at_post = true;
    c.dependence = "power_law";
    c.precise_pre = precise_pre;
    c.grid_post = grid_post;
    c.sources = int(stdp_at_post::potentiation_block) + 44;
    c.targets = 13;
    const std::string net = stdp_net(c, 1, 0, 1000.0) +
                            "[[recorder]]\ntype = \"weights\"\nprojection = \"plastic\"\non_change = true\n";
    const test::flag_guard restore{stdp_simd_enabled};
    const auto vec = test::run_with(stdp_simd_enabled, true, net, 1000.0);
    const auto scalar = test::run_with(stdp_simd_enabled, false, net, 1000.0);
    test::check_same_spikes(*vec, *scalar, 10);
    const weight_table wv = vec->weights("plastic"), ws = scalar->weights("plastic");
    REQUIRE(wv.weights.size() == std::size_t(c.sources) * 13u);
    std::size_t changed = 0, differ = 0;
    for (std::size_t i = 0; i < wv.weights.size(); ++i) {
      changed += wv.weights[i] != c.w0;
      differ += !test::same_bits(wv.weights[i], ws.weights[i]);
    }
    CHECK(changed == wv.weights.size());
    CHECK(differ == 0);
    const weight_log &lv = vec->weight_logs()[0], &ls = scalar->weight_logs()[0];
    CHECK(lv.data.size() > 10 * wv.weights.size());
    CHECK(lv.change_times == ls.change_times);
    CHECK(lv.change_synapses == ls.change_synapses);
    CHECK(lv.data == ls.data);
  }
}

TEST_CASE("potentiation at post spikes: a step's pre spikes reach the synapses in time order") {
  // Post spikes on the grid at s = 11.1, 31.1, ... ms (the post neuron fires in
  // the step after its teacher's input arrives). Axonal delays of 10 or 11
  // steps with one dendritic step (delay 1.0-1.1 ms, fraction 0.1): a pre
  // spike delivered in step k reaches the synapse at (k - 2) h + offset. Every
  // source fires at s - 0.85 and s - 0.8 ms: in the step of s + 0.2 ms, the
  // 11-step synapses deliver the first (at s + 0.05: paired with s) and the
  // 10-step ones the second (at s exactly: not paired), pushed in that order,
  // the later time first. The target partition (not precise) sorts the step's
  // deliveries by time for the at_post block, so that it transmits the weights
  // of NEST's order.
  std::ostringstream net;
  net.precision(17);
  net << test::sim_header(0.1, 2000.0, 1, 1)
      << "[[population]]\nname = \"teacher\"\nmodel = \"spike_source\"\nsize = 1\nspike_times = [[";
  for (int i = 0; i < 99; ++i) net << 10.0 + 20.0 * i << ", ";
  net << "]]\n[[population]]\nname = \"pre\"\nmodel = \"spike_source\"\nsize = 20\nspike_times = [\n";
  for (int src = 0; src < 20; ++src) {
    net << "  [";
    for (int i = src % 3; i < 99; i += 1 + src % 2) net << 10.25 + 20.0 * i << ", " << 10.3 + 20.0 * i << ", ";
    net << "],\n";
  }
  net << "]\n[[population]]\nname = \"post\"\nmodel = \"lif_exp\"\nsize = 1\n"
         "params = {E_L = 0.0, V_reset = 0.0, V_th = 20.0, tau_m = 10.0, t_ref = 2.0, tau_syn_ex = 0.5}\n"
         "[[projection]]\nsource = \"teacher\"\ntarget = \"post\"\nrule = \"one_to_one\"\nweight = 1e5\ndelay = 1.0\n"
         "[[projection]]\nname = \"plastic\"\nsource = \"pre\"\ntarget = \"post\"\nrule = \"all_to_all\"\nweight = 0.5\n"
         "delay = { distribution = \"uniform\", low = 1.0, high = 1.1 }\n[projection.plasticity]\nrule = \"stdp\"\n"
         "A_plus = 0.05\nA_minus = 0.06\nw_max = 1.0\ndendritic_delay_fraction = 0.1\n"
         "[[recorder]]\ntype = \"spikes\"\n[[recorder]]\ntype = \"weights\"\nprojection = \"plastic\"\non_change = true\n";
  const std::string next = net.str();
  std::string post = next;
  post.replace(post.find("rule = \"stdp\"\n"), 14, "rule = \"stdp\"\npotentiation = \"at_post\"\n");
  simulation a(test::parse(next)), b(test::parse(post));
  check_same_transmitted(a, b, 0.5, 2000.0, 400);
  REQUIRE(b.spikes().size() >= 3);
  CHECK(b.spikes()[2].times.size() == 99);   // the post neuron fires once at each teacher spike
  const weight_table w = b.weights("plastic");
  std::size_t eleven = 0;
  for (double d : w.delays) eleven += std::round(d / 0.1) == 11.0;
  CHECK(eleven > 0);   // both delays occur
  CHECK(eleven < w.delays.size());
}

TEST_CASE("potentiation at post spikes is refused with nearest pairing, other rules or several dendritic delays") {
  auto refused = [](const std::string& text, const std::string& key) {
    INFO(text.substr(text.find("name = \"plastic\"")));
    try {
      simulation sim(test::parse(text));
      sim.run(1.0);   // the network is built at the first run
      FAIL("accepted");
    } catch (const model_error& e) {
      INFO(e.what());
      CHECK(e.key() == key);
    }
  };
  rule_case nearest;
  nearest.grid_post = true;
  nearest.at_post = true;
  nearest.pairing = "nearest";
  refused(stdp_net(nearest), "projection[1].plasticity.potentiation");
  rule_case triplet;
  triplet.grid_post = true;
  triplet.at_post = true;
  triplet.rule = "stdp_triplet";
  refused(stdp_net(triplet), "projection[1].plasticity.potentiation");
  rule_case spread;
  spread.grid_post = true;
  spread.at_post = true;
  std::string text = stdp_net(spread);
  const std::string d = "delay = 1.5\n[projection.plasticity]";
  REQUIRE(text.find(d) != std::string::npos);
  text.replace(text.find(d), d.size(), "delay = { distribution = \"uniform\", low = 1.0, high = 2.0 }\n[projection.plasticity]");
  refused(text, "projection[1].plasticity.potentiation");
}
