#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <set>
#include <vector>

#include "core/connectivity.hpp"

using namespace apical;

namespace {
struct edge {
  std::uint32_t s, t;
  double w, d;
  bool operator==(const edge&) const = default;
};

std::vector<edge> all_edges(const connection_rule& r, std::uint64_t n_pre, std::uint64_t n_post, bool same,
                            std::uint32_t t0, std::uint32_t t1, distribution w = distribution::constant_of(1.0),
                            distribution d = distribution::constant_of(1.0)) {
  std::vector<edge> out;
  generate(r, n_pre, n_post, same, w, d, {42, 7}, t0, t1,
           [&](std::uint32_t s, std::uint32_t t, double wv, double dv) { out.push_back({s, t, wv, dv}); });
  return out;
}

connection_rule make(connection_rule::kind k, double p = 0, std::uint64_t n = 0, bool autapses = true, bool multapses = true) {
  connection_rule r;
  r.type = k;
  r.p = p;
  r.n = n;
  r.allow_autapses = autapses;
  r.allow_multapses = multapses;
  return r;
}
}  // namespace

TEST_CASE("fixed_indegree gives every target exactly K inputs") {
  for (bool multapses : {true, false})
    for (bool autapses : {true, false}) {
      const auto r = make(connection_rule::kind::fixed_indegree, 0, 40, autapses, multapses);
      const auto e = all_edges(r, 100, 100, true, 0, 100);
      std::map<std::uint32_t, std::multiset<std::uint32_t>> in;
      for (const auto& x : e) in[x.t].insert(x.s);
      REQUIRE(in.size() == 100);
      for (const auto& [t, srcs] : in) {
        CHECK(srcs.size() == 40);
        if (!autapses) CHECK(srcs.count(t) == 0);
        if (!multapses) CHECK(std::set<std::uint32_t>(srcs.begin(), srcs.end()).size() == 40);
      }
    }
  // without multapses, K may be most of the pool (selection sampling branch)
  const auto dense = all_edges(make(connection_rule::kind::fixed_indegree, 0, 90, false, false), 100, 10, true, 0, 10);
  std::map<std::uint32_t, std::set<std::uint32_t>> in;
  for (const auto& x : dense) in[x.t].insert(x.s);
  for (const auto& [t, srcs] : in) {
    CHECK(srcs.size() == 90);
    CHECK(srcs.count(t) == 0);
  }
}

TEST_CASE("fixed_indegree sources are uniform: chi-square over sources") {
  const auto e = all_edges(make(connection_rule::kind::fixed_indegree, 0, 500), 50, 200, false, 0, 200);
  std::vector<double> count(50, 0);
  for (const auto& x : e) count[x.s] += 1;
  const double expected = 500.0 * 200 / 50;
  double chi2 = 0;
  for (double c : count) chi2 += (c - expected) * (c - expected) / expected;
  // 49 degrees of freedom: mean 49, sd ~9.9; 5 sigma
  CHECK(chi2 < 49 + 5 * std::sqrt(2 * 49.0));
}

TEST_CASE("pairwise_bernoulli counts lie within 5 sigma of the binomial") {
  for (double p : {0.02, 0.1, 0.5}) {
    const std::uint64_t n_pre = 1000, n_post = 500;
    const auto e = all_edges(make(connection_rule::kind::pairwise_bernoulli, p), n_pre, n_post, false, 0, n_post);
    const double N = double(n_pre) * n_post;
    CHECK(std::abs(double(e.size()) - p * N) < 5 * std::sqrt(N * p * (1 - p)));
    std::set<std::pair<std::uint32_t, std::uint32_t>> pairs;
    for (const auto& x : e) pairs.insert({x.s, x.t});
    CHECK(pairs.size() == e.size());   // no multapses
    // in-degree variance is binomial too
    std::vector<double> indeg(n_post, 0);
    for (const auto& x : e) indeg[x.t] += 1;
    double m = 0, v = 0;
    for (double d : indeg) m += d;
    m /= n_post;
    for (double d : indeg) v += (d - m) * (d - m);
    v /= (n_post - 1);
    const double var = n_pre * p * (1 - p);
    CHECK(std::abs(v - var) < 5 * var * std::sqrt(2.0 / (n_post - 1)));
  }
  CHECK(all_edges(make(connection_rule::kind::pairwise_bernoulli, 0.0), 50, 50, false, 0, 50).empty());
  CHECK(all_edges(make(connection_rule::kind::pairwise_bernoulli, 1.0, 0, false), 50, 50, true, 0, 50).size() == 50 * 49);
}

TEST_CASE("fixed_outdegree, fixed_total_number, all_to_all and one_to_one") {
  {
    const auto e = all_edges(make(connection_rule::kind::fixed_outdegree, 0, 30, false, false), 80, 80, true, 0, 80);
    std::map<std::uint32_t, std::set<std::uint32_t>> out;
    for (const auto& x : e) out[x.s].insert(x.t);
    REQUIRE(out.size() == 80);
    for (const auto& [s, t] : out) {
      CHECK(t.size() == 30);
      CHECK(t.count(s) == 0);
    }
  }
  {
    const auto e = all_edges(make(connection_rule::kind::fixed_total_number, 0, 12345), 300, 200, false, 0, 200);
    CHECK(e.size() == 12345);
    // per-target counts are multinomial: mean N/n_post, variance N (1/n)(1-1/n)
    std::vector<double> indeg(200, 0);
    for (const auto& x : e) indeg[x.t] += 1;
    double v = 0;
    for (double d : indeg) v += (d - 12345.0 / 200) * (d - 12345.0 / 200);
    v /= 200;
    const double var = 12345.0 / 200 * (1 - 1.0 / 200);
    CHECK(std::abs(v - var) < 5 * var * std::sqrt(2.0 / 200));
  }
  CHECK(all_edges(make(connection_rule::kind::all_to_all, 0, 0, false), 20, 20, true, 0, 20).size() == 20 * 19);
  const auto o = all_edges(make(connection_rule::kind::one_to_one), 20, 20, false, 0, 20);
  REQUIRE(o.size() == 20);
  for (const auto& x : o) CHECK(x.s == x.t);
}

TEST_CASE("synapses do not depend on how the targets are split") {
  distribution w;
  w.type = distribution::kind::normal;
  w.mean = 1.0;
  w.std = 0.3;
  w.low = 0.0;
  distribution d;
  d.type = distribution::kind::uniform;
  d.low = 0.5;
  d.high = 3.0;
  for (auto k : {connection_rule::kind::pairwise_bernoulli, connection_rule::kind::fixed_indegree,
                 connection_rule::kind::fixed_outdegree, connection_rule::kind::fixed_total_number}) {
    const auto r = make(k, 0.1, 17);
    const auto whole = all_edges(r, 120, 90, false, 0, 90, w, d);
    std::vector<edge> split;
    for (std::uint32_t b : {0u, 13u, 50u, 51u}) {
      const std::uint32_t e = b == 0 ? 13 : b == 13 ? 50 : b == 50 ? 51 : 90;
      auto part = all_edges(r, 120, 90, false, b, e, w, d);
      split.insert(split.end(), part.begin(), part.end());
    }
    // same synapses with the same weights and delays; order by target within a split
    auto key = [](const edge& a, const edge& b) { return std::tie(a.t, a.s, a.w) < std::tie(b.t, b.s, b.w); };
    auto a = whole, b = split;
    std::sort(a.begin(), a.end(), key);
    std::sort(b.begin(), b.end(), key);
    CHECK(a == b);
  }
}

TEST_CASE("weights follow their distribution, and the clipped normal keeps its bounds") {
  distribution w;
  w.type = distribution::kind::normal;
  w.mean = 87.81;
  w.std = 8.781;
  w.low = 0.0;
  const auto e = all_edges(make(connection_rule::kind::fixed_indegree, 0, 200), 100, 100, false, 0, 100, w);
  double s = 0, s2 = 0;
  for (const auto& x : e) {
    CHECK(x.w >= 0.0);
    s += x.w;
    s2 += x.w * x.w;
  }
  const double n = double(e.size()), m = s / n, sd = std::sqrt(s2 / n - m * m);
  CHECK(std::abs(m - 87.81) < 5 * 8.781 / std::sqrt(n));
  CHECK(std::abs(sd - 8.781) < 5 * 8.781 / std::sqrt(2 * n));
}

TEST_CASE("impossible rules are refused with a reason") {
  CHECK(!check_rule(make(connection_rule::kind::pairwise_bernoulli, 1.5), 10, 10, false).empty());
  CHECK(!check_rule(make(connection_rule::kind::pairwise_bernoulli, -0.1), 10, 10, false).empty());
  CHECK(!check_rule(make(connection_rule::kind::fixed_indegree, 0, 11, true, false), 10, 10, false).empty());
  CHECK(!check_rule(make(connection_rule::kind::fixed_indegree, 0, 10, false, false), 10, 10, true).empty());
  CHECK(check_rule(make(connection_rule::kind::fixed_indegree, 0, 9, false, false), 10, 10, true).empty());
  CHECK(!check_rule(make(connection_rule::kind::one_to_one), 10, 11, false).empty());
  CHECK(!check_rule(make(connection_rule::kind::fixed_total_number, 0, 5, true, false), 10, 10, false).empty());
}
