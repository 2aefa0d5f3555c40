// reward_trigger: a reward spike follows, after a delay in [delay_min,
// delay_max], every post spike that comes within `window` after a pre spike;
// no reward for a post spike in the pre spike's step, after the window, or
// a second one for the same pre spike.
#include <doctest/doctest.h>

#include "helpers.hpp"

using namespace apical;

namespace {

std::string net(const std::string& pre, const std::string& post, int partitions = 0) {
  return test::sim_header(0.1, 2000.0) + "partitions = " + std::to_string(partitions) +
         "\n[[population]]\nname = \"pre\"\nmodel = \"spike_source\"\nsize = 2\nspike_times = " + pre +
         "\n[[population]]\nname = \"post\"\nmodel = \"spike_source\"\nsize = 2\nspike_times = " + post +
         "\n[[population]]\nname = \"R\"\nmodel = \"reward_trigger\"\nsize = 2\n"
         "params = { window = 10.0, delay_min = 100.0, delay_max = 300.0 }\n"
         "[[projection]]\nsource = \"pre\"\ntarget = \"R\"\nrule = \"one_to_one\"\nweight = 1.0\ndelay = 1.0\nreceptor = \"pre\"\n"
         "[[projection]]\nsource = \"post\"\ntarget = \"R\"\nrule = \"one_to_one\"\nweight = 1.0\ndelay = 1.0\nreceptor = \"post\"\n"
         "[[recorder]]\ntype = \"spikes\"\npopulations = [\"R\"]\n";
}

}  // namespace

TEST_CASE("reward_trigger rewards a post spike within the window after a pre spike, once, 100-300 ms later") {
  // node 0: pre 10; post 15 (rewarded), 18 (the trigger is spent), 30 (too late)
  //         pre 500; post 500 (same step: not after), 510 (exactly the window: rewarded)
  // node 1: post 50 before pre 52: nothing; pre 900, post 909.9 (rewarded)
  simulation sim(test::parse(net("[[10.0, 500.0], [52.0, 900.0]]", "[[15.0, 18.0, 30.0, 500.0, 510.0], [50.0, 909.9]]")));
  sim.run(2000.0);
  const spike_log& log = sim.spikes().back();
  REQUIRE(log.population == "R");
  std::vector<double> t0, t1;
  for (std::size_t i = 0; i < log.times.size(); ++i) (log.node_ids[i] == 0 ? t0 : t1).push_back(log.times[i]);
  REQUIRE(t0.size() == 2);
  REQUIRE(t1.size() == 1);
  // trigger steps: post arrivals 16.0, 511.0, 910.9 ms (1 ms delay)
  CHECK(t0[0] >= 16.0 + 100.0 - 0.05);
  CHECK(t0[0] <= 16.0 + 300.0 + 0.05);
  CHECK(t0[1] >= 511.0 + 100.0 - 0.05);
  CHECK(t0[1] <= 511.0 + 300.0 + 0.05);
  CHECK(t1[0] >= 910.9 + 100.0 - 0.05);
  CHECK(t1[0] <= 910.9 + 300.0 + 0.05);
}

TEST_CASE("reward_trigger delays are the same for any partitioning") {
  const std::string pre = "[[10.0, 100.0, 200.0, 300.0], [12.0, 112.0, 212.0]]";
  const std::string post = "[[15.0, 105.0, 205.0, 305.0], [14.0, 114.0, 214.0]]";
  simulation a(test::parse(net(pre, post, 1))), b(test::parse(net(pre, post, 2)));
  a.run(2000.0);
  b.run(2000.0);
  CHECK(a.spikes().back().times.size() == 7);
  CHECK(spike_hash(a.spikes()) == spike_hash(b.spikes()));
}

TEST_CASE("reward_trigger refuses weights <= 0 and a delay_max below delay_min") {
  std::string zero = net("[[10.0], [10.0]]", "[[15.0], [15.0]]");
  zero.replace(zero.find("weight = 1.0"), 12, "weight = 0.0");
  CHECK_THROWS_WITH_AS(test::parse(zero), doctest::Contains("projection[0].weight"), model_error);
  std::string delays = net("[[10.0], [10.0]]", "[[15.0], [15.0]]");
  delays.replace(delays.find("delay_max = 300.0"), 17, "delay_max = 50.0");
  CHECK_THROWS_WITH_AS(test::parse(delays), doctest::Contains("population[2].params.delay_max"), model_error);
}
