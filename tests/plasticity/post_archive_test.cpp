#include <doctest/doctest.h>

#include <cmath>

#include "plasticity/post_archive.hpp"

using namespace apical;

namespace {

/// One read of entries [first, last) of neuron n, as stdp_synapses counts it.
void read(post_archive& a, std::size_t n, std::size_t first, std::size_t last) {
  auto e = a.entries(n);
  for (std::size_t i = first; i < last; ++i) ++e[i].reads;
  a.count_newest_read(n, e, e.data() + first, e.data() + last);
}

}  // namespace

TEST_CASE("post_archive: the dense copies hold the two newest spikes with the traces' closed forms") {
  const double tau_minus = 20.0, tau_y = 114.0;
  post_archive a;
  a.reset(1, tau_minus, tau_y, false);
  a.set_readers(0, 2);
  CHECK(a.newest_spikes(0).t < -1e299);   // no spike yet
  const double ts[] = {1.0, 2.5, 7.0};
  for (double t : ts) a.add_spike(0, t);
  // all-to-all: o1 = sum exp(-(t - t_k)/tau_minus) just after the spike (itself
  // included); o2 just before it, without it
  auto o1_at = [&](int i) {
    double s = 0.0;
    for (int k = 0; k <= i; ++k) s += std::exp(-(ts[i] - ts[k]) / tau_minus);
    return s;
  };
  auto o2_before = [&](int i) {
    double s = 0.0;
    for (int k = 0; k < i; ++k) s += std::exp(-(ts[i] - ts[k]) / tau_y);
    return s;
  };
  const post_archive::recent& r = a.newest_spikes(0);
  CHECK(r.t == 7.0);
  CHECK(r.t_prev == 2.5);
  CHECK(r.o1 == doctest::Approx(o1_at(2)).epsilon(1e-14));
  CHECK(r.o1_prev == doctest::Approx(o1_at(1)).epsilon(1e-14));
  CHECK(r.o2_before == doctest::Approx(o2_before(2)).epsilon(1e-14));
  // the copies equal the history's last two entries
  const auto e = a.entries(0);
  REQUIRE(e.size() == 3);
  CHECK(e[2].t == r.t);
  CHECK(e[2].o1 == r.o1);
  CHECK(e[2].o2_before == r.o2_before);
  CHECK(e[1].t == r.t_prev);
  CHECK(e[1].o1 == r.o1_prev);
  // the packed copy that STDP's quiet pass reads
  CHECK(a.newest_times()[0].t == r.t);
  CHECK(a.newest_times()[0].o1 == r.o1);
}

TEST_CASE("post_archive: an entry goes once every reader has read it and the next one, and reads of the newest count") {
  post_archive a;
  a.reset(1, 20.0, 114.0, false);
  a.set_readers(0, 2);
  for (double t : {1.0, 2.0, 3.0}) a.add_spike(0, t);
  // both readers read the first two entries, one reader the newest
  for (int reader = 0; reader < 2; ++reader) read(a, 0, 0, 2);
  read(a, 0, 2, 2);   // an empty range counts nothing
  CHECK(a.newest_spikes(0).reads == 0);
  read(a, 0, 2, 3);
  CHECK(a.newest_spikes(0).reads == 1);   // counted in the dense copy
  a.entries(0)[2].reads = 0;              // the entry's own count is stale: the fold below ignores it
  a.add_spike(0, 4.0);
  // entry 1.0 went (it and 2.0 fully read); 2.0 stays, since 3.0 still has a
  // reader to come and 2.0 is the last spike before that reader's next pre spike
  auto e = a.entries(0);
  REQUIRE(e.size() == 3);
  CHECK(e[0].t == 2.0);
  CHECK(e[1].t == 3.0);
  CHECK(e[1].reads == 1);   // the count moved from the copy into the entry
  CHECK(a.newest_spikes(0).reads == 0);
  // the second reader reads 3.0 and 4.0, the first 4.0: at the next spike 2.0
  // and 3.0 go, 4.0 stays
  read(a, 0, 1, 3);
  read(a, 0, 2, 3);
  a.add_spike(0, 5.0);
  e = a.entries(0);
  REQUIRE(e.size() == 2);
  CHECK(e[0].t == 4.0);
  CHECK(e[1].t == 5.0);
}

TEST_CASE("post_archive: a neuron nobody reads keeps no history") {
  post_archive a;
  a.reset(2, 20.0, 114.0, false);
  a.set_readers(1, 3);
  a.add_spike(0, 1.0);
  a.add_spike(1, 1.0);
  CHECK(a.entries(0).empty());
  CHECK(a.entries(1).size() == 1);
  CHECK(a.size() == 1);
}
