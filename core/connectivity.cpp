#include "core/connectivity.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <fmt/format.h>

namespace apical {

std::string rule_name(connection_rule::kind k) {
  switch (k) {
    case connection_rule::kind::all_to_all: return "all_to_all";
    case connection_rule::kind::one_to_one: return "one_to_one";
    case connection_rule::kind::pairwise_bernoulli: return "pairwise_bernoulli";
    case connection_rule::kind::fixed_indegree: return "fixed_indegree";
    case connection_rule::kind::fixed_outdegree: return "fixed_outdegree";
    case connection_rule::kind::fixed_total_number: return "fixed_total_number";
  }
  return "?";
}

std::string check_rule(const connection_rule& r, std::uint64_t n_pre, std::uint64_t n_post, bool same) {
  using k = connection_rule::kind;
  const bool no_self = same && !r.allow_autapses;
  switch (r.type) {
    case k::all_to_all: return {};
    case k::one_to_one:
      if (n_pre != n_post) return fmt::format("one_to_one needs equal sizes (source {} , target {})", n_pre, n_post);
      return {};
    case k::pairwise_bernoulli:
      if (!(r.p >= 0.0 && r.p <= 1.0)) return fmt::format("probability p must lie in [0, 1] (got {})", r.p);
      return {};
    case k::fixed_indegree:
      if (!r.allow_multapses && r.n > n_pre - (no_self ? 1 : 0))
        return fmt::format("indegree {} exceeds the {} distinct sources available without multapses", r.n,
                           n_pre - (no_self ? 1 : 0));
      if (no_self && n_pre <= 1 && r.n > 0) return "no source left once autapses are excluded";
      return {};
    case k::fixed_outdegree:
      if (!r.allow_multapses && r.n > n_post - (no_self ? 1 : 0))
        return fmt::format("outdegree {} exceeds the {} distinct targets available without multapses", r.n,
                           n_post - (no_self ? 1 : 0));
      if (no_self && n_post <= 1 && r.n > 0) return "no target left once autapses are excluded";
      return {};
    case k::fixed_total_number:
      if (!r.allow_multapses) return "fixed_total_number needs allow_multapses = true (as in NEST)";
      if (no_self && n_pre <= 1 && r.n > 0) return "no source left once autapses are excluded";
      return {};
  }
  return {};
}

double expected_synapses(const connection_rule& r, std::uint64_t n_pre, std::uint64_t n_post, bool same) {
  using k = connection_rule::kind;
  const double pairs = static_cast<double>(n_pre) * n_post - ((same && !r.allow_autapses) ? double(n_post) : 0.0);
  switch (r.type) {
    case k::all_to_all: return pairs;
    case k::one_to_one: return (same && !r.allow_autapses) ? 0.0 : double(n_post);
    case k::pairwise_bernoulli: return r.p * pairs;
    case k::fixed_indegree: return double(r.n) * n_post;
    case k::fixed_outdegree: return double(r.n) * n_pre;
    case k::fixed_total_number: return double(r.n);
  }
  return 0.0;
}

namespace {

/// Draws weights and delays of one row in the row's own streams and collects
/// the row's synapses; flush() hands them to the sink.
struct row_values {
  stream_engine w, d;
  const distribution& wd;
  const distribution& dd;
  std::vector<generated_synapse>& buf;
  row_values(const projection_streams& ids, std::uint64_t row, const distribution& wdist, const distribution& ddist,
             std::vector<generated_synapse>& buffer)
      : w(ids.seed, stream_tag::weights, ids.projection_id, row),
        d(ids.seed, stream_tag::delays, ids.projection_id, row),
        wd(wdist),
        dd(ddist),
        buf(buffer) {}
  void emit(std::uint32_t s, std::uint32_t t) {
    const double wv = wd.draw(w);
    const double dv = dd.draw(d);
    buf.push_back({s, t, wv, dv});
  }
};

std::uint32_t uniform_index(stream_engine& e, std::uint64_t n) {
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(n - 1, static_cast<std::uint64_t>(e.uniform() * double(n))));
}

/// Draws k of n indices (excluding `skip` if it is < n) in a fixed order.
/// With multapses: independent uniform draws. Without: rejection on a sorted
/// set while k is small against n, else selection sampling (Knuth's algorithm S).
void draw_row(stream_engine& e, std::uint64_t n, std::uint64_t k, bool multapses, std::uint64_t skip,
              std::vector<std::uint32_t>& out) {
  out.clear();
  const std::uint64_t avail = n - (skip < n ? 1 : 0);
  if (multapses) {
    for (std::uint64_t i = 0; i < k; ++i) {
      std::uint32_t s;
      do s = uniform_index(e, n);
      while (s == skip);
      out.push_back(s);
    }
    return;
  }
  if (k * 4 < avail) {
    std::vector<std::uint32_t> seen;
    seen.reserve(k);
    while (out.size() < k) {
      const std::uint32_t s = uniform_index(e, n);
      if (s == skip) continue;
      auto it = std::lower_bound(seen.begin(), seen.end(), s);
      if (it != seen.end() && *it == s) continue;
      seen.insert(it, s);
      out.push_back(s);
    }
    return;
  }
  std::uint64_t needed = k, left = avail;
  for (std::uint64_t s = 0; s < n && needed > 0; ++s) {
    if (s == skip) continue;
    if (e.uniform() * double(left) < double(needed)) {
      out.push_back(static_cast<std::uint32_t>(s));
      --needed;
    }
    --left;
  }
}

}  // namespace

void generate_rows(const connection_rule& r, std::uint64_t n_pre, std::uint64_t n_post, bool same,
                   const distribution& weight, const distribution& delay, const projection_streams& ids,
                   std::uint32_t t0, std::uint32_t t1, const row_sink& sink) {
  using k = connection_rule::kind;
  const bool no_self = same && !r.allow_autapses;
  std::vector<std::uint32_t> row;
  std::vector<generated_synapse> buf;
  auto flush = [&] {
    if (!buf.empty()) sink(buf);
    buf.clear();
  };
  switch (r.type) {
    case k::all_to_all:
      for (std::uint32_t t = t0; t < t1; ++t) {
        row_values v(ids, t, weight, delay, buf);
        for (std::uint32_t s = 0; s < n_pre; ++s)
          if (!(no_self && s == t)) v.emit(s, t);
        flush();
      }
      return;
    case k::one_to_one:
      for (std::uint32_t t = t0; t < t1; ++t) {
        if (no_self) continue;
        row_values v(ids, t, weight, delay, buf);
        v.emit(t, t);
        flush();
      }
      return;
    case k::pairwise_bernoulli: {
      if (r.p <= 0.0) return;
      // Geometric skipping: the gap to the next connected source is
      // Geometric(p), so a row costs O(p * n_pre) draws, not O(n_pre).
      const double log_q = std::log1p(-r.p);
      for (std::uint32_t t = t0; t < t1; ++t) {
        stream_engine e(ids.seed, stream_tag::connectivity, ids.projection_id, t);
        row_values v(ids, t, weight, delay, buf);
        std::uint64_t s = 0;
        while (true) {
          if (r.p < 1.0) {
            const double u = 1.0 - e.uniform();   // (0, 1]
            const double gap = std::floor(std::log(u) / log_q);
            if (gap >= double(n_pre - s)) break;
            s += static_cast<std::uint64_t>(gap);
          }
          if (s >= n_pre) break;
          if (!(no_self && s == t)) v.emit(static_cast<std::uint32_t>(s), t);
          ++s;
        }
        flush();
      }
      return;
    }
    case k::fixed_indegree:
      for (std::uint32_t t = t0; t < t1; ++t) {
        stream_engine e(ids.seed, stream_tag::connectivity, ids.projection_id, t);
        draw_row(e, n_pre, r.n, r.allow_multapses, no_self ? t : n_pre, row);
        row_values v(ids, t, weight, delay, buf);
        for (auto s : row) v.emit(s, t);
        flush();
      }
      return;
    case k::fixed_outdegree:
      // Rows are sources: every caller walks all sources and keeps its targets.
      for (std::uint32_t s = 0; s < n_pre; ++s) {
        stream_engine e(ids.seed, stream_tag::connectivity, ids.projection_id, s);
        draw_row(e, n_post, r.n, r.allow_multapses, no_self ? s : n_post, row);
        row_values v(ids, s, weight, delay, buf);
        for (auto t : row) {
          const double wv = v.wd.draw(v.w), dv = v.dd.draw(v.d);
          if (t >= t0 && t < t1) buf.push_back({s, t, wv, dv});
        }
        flush();
      }
      return;
    case k::fixed_total_number: {
      // Multinomial split of N over targets by sequential binomials (one
      // stream for the whole projection), then each target draws its sources.
      stream_engine split(ids.seed, stream_tag::projection_total, ids.projection_id);
      std::uint64_t left = r.n;
      for (std::uint32_t t = 0; t < t1 && t < n_post; ++t) {
        std::uint64_t count = left;
        if (t + 1 < n_post) {
          std::binomial_distribution<std::uint64_t> b(left, 1.0 / double(n_post - t));
          count = left > 0 ? b(split) : 0;
        }
        left -= count;
        if (t < t0) continue;
        stream_engine e(ids.seed, stream_tag::connectivity, ids.projection_id, t);
        draw_row(e, n_pre, count, true, no_self ? t : n_pre, row);
        row_values v(ids, t, weight, delay, buf);
        for (auto s : row) v.emit(s, t);
        flush();
      }
      return;
    }
  }
}

void generate(const connection_rule& r, std::uint64_t n_pre, std::uint64_t n_post, bool same,
              const distribution& weight, const distribution& delay, const projection_streams& ids,
              std::uint32_t t0, std::uint32_t t1, const synapse_sink& sink) {
  generate_rows(r, n_pre, n_post, same, weight, delay, ids, t0, t1, [&](std::span<const generated_synapse> row) {
    for (const auto& x : row) sink(x.source, x.target, x.weight, x.delay);
  });
}

}  // namespace apical
