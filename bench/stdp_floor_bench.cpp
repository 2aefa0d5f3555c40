// How fast could pair STDP be without the post-spike history? A probe for
// issue 5's goals, not part of apical: the history-free scheme (Brian2's, and
// Song, Miller & Abbott 2000's traces), potentiation at each post spike over the
// neuron's incoming synapses through a per-target index, on plastic COBA's E->E
// projection (3200 neurons, p = 0.02, additive rule), with everything the
// simulator needs beside it left out: no axonal or dendritic delays, no neuron
// dynamics, spikes drawn as independent Bernoulli trials per step, and traces
// decayed by one multiplication per step (over 10^4 steps that drifts by ~1e-12
// relative: not exact enough for apical's tests). What it measures is a lower
// bound on the plastic delivery's cost per simulated second.
//
//   ./build/stdp_floor_bench [--rate HZ] [--layout wide|narrow|transposed] [--static]
//
// wide: 4-byte targets and a transpose of (synapse, source), 8 + 4 + 8 = 20 bytes
// a synapse; narrow: 2-byte targets and a transpose of (source, offset in its
// row), 2 bytes each, 8 + 2 + 4 = 14 bytes (partitions of at most 65,536 neurons
// and rows); transposed: the weights in target-major order (a post spike's
// potentiations read them in a row, a pre spike reaches them through each
// synapse's place), 8 + 2 + 2 + 4 = 16 bytes. --static: the transmission alone (in[target] += w), the part that
// static COBA pays too. bench/RESULTS.md, 2026-12-03.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

struct options {
  double rate = 17.0;   // Hz, pre and post
  bool narrow = false;
  bool transposed = false;
  bool static_only = false;
};

struct network {
  std::vector<std::uint32_t> row, col;        // CSR by source, and by target
  std::vector<std::uint32_t> target32;        // wide
  std::vector<std::uint16_t> target16;        // narrow
  std::vector<std::uint32_t> in_syn, in_src;  // wide transpose
  std::vector<std::uint16_t> in_src16, in_off16;   // narrow transpose
  std::vector<std::uint32_t> out_pos;         // transposed: each synapse's place in the target-major weights
};

network build(int n, double p, std::mt19937_64& rng) {
  network net;
  std::bernoulli_distribution conn(p);
  net.row.assign(n + 1, 0);
  for (int s = 0; s < n; ++s) {
    net.row[s] = static_cast<std::uint32_t>(net.target32.size());
    for (int t = 0; t < n; ++t)
      if (conn(rng)) net.target32.push_back(static_cast<std::uint32_t>(t));
  }
  net.row[n] = static_cast<std::uint32_t>(net.target32.size());
  const std::size_t synapses = net.target32.size();
  net.target16.assign(net.target32.begin(), net.target32.end());
  net.col.assign(n + 1, 0);
  for (std::uint32_t t : net.target32) ++net.col[t + 1];
  for (int i = 0; i < n; ++i) net.col[i + 1] += net.col[i];
  net.in_syn.resize(synapses);
  net.in_src.resize(synapses);
  net.in_src16.resize(synapses);
  net.in_off16.resize(synapses);
  net.out_pos.resize(synapses);
  std::vector<std::uint32_t> fill(net.col.begin(), net.col.end() - 1);
  for (int s = 0; s < n; ++s)
    for (std::uint32_t j = net.row[s]; j < net.row[s + 1]; ++j) {
      const std::uint32_t at = fill[net.target32[j]]++;
      net.in_syn[at] = j;
      net.in_src[at] = static_cast<std::uint32_t>(s);
      net.in_src16[at] = static_cast<std::uint16_t>(s);
      net.in_off16[at] = static_cast<std::uint16_t>(j - net.row[s]);
      net.out_pos[j] = at;
    }
  return net;
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--rate" && i + 1 < argc) o.rate = std::atof(argv[++i]);
    else if (a == "--layout" && i + 1 < argc) {
      o.narrow = std::strcmp(argv[++i], "narrow") == 0;
      o.transposed = std::strcmp(argv[i], "transposed") == 0;
    }
    else if (a == "--static") o.static_only = true;
    else {
      std::fprintf(stderr, "usage: stdp_floor_bench [--rate HZ] [--layout wide|narrow|transposed] [--static]\n");
      return 2;
    }
  }
  constexpr int n = 3200, steps = 10000;   // 1 s at h = 0.1 ms
  static_assert(n <= 65536, "the narrow layout's 16-bit targets, sources and offsets");
  constexpr double h = 0.1;                // ms
  std::mt19937_64 rng(1);
  const network net = build(n, 0.02, rng);
  const std::size_t synapses = net.target32.size();

  // spike trains drawn before the clock starts
  std::bernoulli_distribution fire(o.rate * h * 1e-3);
  std::vector<std::vector<std::uint32_t>> pre(steps), post(steps);
  for (int k = 0; k < steps; ++k)
    for (int i = 0; i < n; ++i) {
      if (fire(rng)) pre[k].push_back(static_cast<std::uint32_t>(i));
      if (fire(rng)) post[k].push_back(static_cast<std::uint32_t>(i));
    }

  // plastic COBA's rule (models/coba_stdp.toml): additive, w in [0, 12] nS
  const double w_max = 12.0, up = 0.01 * w_max, down = 0.0105 * w_max;
  const double decay_x = std::exp(-h / 16.8), decay_y = std::exp(-h / 33.7);
  std::vector<double> w(synapses, 6.0), x_pre(n, 0.0), y_post(n, 0.0), in(n, 0.0);

  auto deliver = [&](std::uint32_t s, const auto* target) {
    if (o.static_only) {
      for (std::uint32_t j = net.row[s]; j < net.row[s + 1]; ++j) in[target[j]] += w[j];
      return;
    }
    for (std::uint32_t j = net.row[s]; j < net.row[s + 1]; ++j) {
      const std::uint32_t t = target[j];
      const double v = std::max(w[j] - down * y_post[t], 0.0);
      w[j] = v;
      in[t] += v;
    }
    x_pre[s] += 1.0;
  };
  // transposed: the weights in target-major order; a pre spike reaches them
  // through each synapse's place, a post spike reads them in a row
  auto deliver_transposed = [&](std::uint32_t s) {
    for (std::uint32_t j = net.row[s]; j < net.row[s + 1]; ++j) {
      const std::uint32_t t = net.target16[j];
      double& wp = w[net.out_pos[j]];
      const double v = std::max(wp - down * y_post[t], 0.0);
      wp = v;
      in[t] += v;
    }
    x_pre[s] += 1.0;
  };
  auto potentiate = [&](std::uint32_t t) {
    if (o.transposed)
      for (std::uint32_t i = net.col[t]; i < net.col[t + 1]; ++i) w[i] = std::min(w[i] + up * x_pre[net.in_src16[i]], w_max);
    else if (o.narrow)
      for (std::uint32_t i = net.col[t]; i < net.col[t + 1]; ++i) {
        const std::uint32_t s = net.in_src16[i];
        double& wj = w[net.row[s] + net.in_off16[i]];
        wj = std::min(wj + up * x_pre[s], w_max);
      }
    else
      for (std::uint32_t i = net.col[t]; i < net.col[t + 1]; ++i) {
        double& wj = w[net.in_syn[i]];
        wj = std::min(wj + up * x_pre[net.in_src[i]], w_max);
      }
    y_post[t] += 1.0;
  };

  std::size_t events = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (int k = 0; k < steps; ++k) {
    if (!o.static_only)
      for (int i = 0; i < n; ++i) x_pre[i] *= decay_x, y_post[i] *= decay_y;
    for (std::uint32_t s : pre[k]) {
      if (o.transposed && !o.static_only)
        deliver_transposed(s);
      else
        o.narrow ? deliver(s, net.target16.data()) : deliver(s, net.target32.data());
      events += net.row[s + 1] - net.row[s];
    }
    if (!o.static_only)
      for (std::uint32_t t : post[k]) potentiate(t);
    std::fill(in.begin(), in.end(), 0.0);   // the neurons take their input
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  double sum = 0.0;
  for (double v : w) sum += v;
  const double bytes = o.transposed ? 8 + 2 + 4 + 2 : o.narrow ? 8 + 2 + 4 : 8 + 4 + 8;
  std::printf("%s, %s: %zu synapses (%.0f bytes each), %zu pre events, %.4f s per simulated second (mean weight %.6f nS)\n",
              o.static_only ? "static" : "plastic", o.transposed ? "transposed" : o.narrow ? "narrow" : "wide", synapses, bytes, events, seconds,
              sum / double(synapses));
  return 0;
}
