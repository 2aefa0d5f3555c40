#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <map>

#include <Eigen/Dense>
#include <unsupported/Eigen/MatrixFunctions>

#include "helpers.hpp"

using namespace apical;

namespace {

const char* quiet = "phi_max = 0.0, I_e = 50.0, I_e_d = 20.0, tau_syn_ex_d = 2.0, tau_syn_in_d = 5.0";

std::string single(double h, double T, const std::string& integrator, const std::string& params, const std::string& initial,
                   const std::string& extra = "") {
  return test::sim_header(h, T) + "[[population]]\nname = \"n\"\nmodel = \"pyramidal_2c\"\nsize = 1\nintegrator = \"" + integrator +
         "\"\nparams = { " + params + " }\ninitial = { " + initial + " }\n" + extra +
         "[[recorder]]\ntype = \"state\"\npopulations = [\"n\"]\nvariables = [\"V_m\", \"V_d\", \"I_ex\", \"g_ex\"]\ninterval = 0.2\n";
}

/// The linear subthreshold system (no somatic conductance) as x' = A x on
/// x = (U, V, I_ex, I_in, 1), with the defaults of pyramidal_2c and `quiet`.
Eigen::Matrix<double, 5, 5> linear_system() {
  const double gsp = 600, C = 300, gL = 30, EL = -70, Ie = 50, Cd = 300, gLd = 30, ELd = -70, Ied = 20, tex = 2, tin = 5;
  Eigen::Matrix<double, 5, 5> A = Eigen::Matrix<double, 5, 5>::Zero();
  A(0, 0) = -(gL + gsp) / C, A(0, 1) = gsp / C, A(0, 4) = (gL * EL + Ie) / C;
  A(1, 1) = -gLd / Cd, A(1, 2) = 1 / Cd, A(1, 3) = 1 / Cd, A(1, 4) = (gLd * ELd + Ied) / Cd;
  A(2, 2) = -1 / tex;
  A(3, 3) = -1 / tin;
  return A;
}

/// Largest |U - U_ref| and |V - V_ref| [mV] over the recorded samples.
std::array<double, 2> subthreshold_error(const std::string& integrator, double h) {
  simulation sim(test::parse(single(h, 40.0, integrator, quiet, "V_m = -65.0, V_d = -60.0, I_ex = 300.0, I_in = -100.0")));
  sim.run(40.0);
  const auto& log = sim.states()[0];
  const Eigen::Matrix<double, 5, 5> A = linear_system();
  Eigen::Matrix<double, 5, 1> x0;
  x0 << -65.0, -60.0, 300.0, -100.0, 1.0;
  std::array<double, 2> err{0, 0};
  for (std::size_t m = 0; m < log.samples; ++m) {
    const Eigen::Matrix<double, 5, 5> At = A * log.time_of(m);
    const Eigen::Matrix<double, 5, 1> x = At.exp() * x0;
    err[0] = std::max(err[0], std::abs(log.at(m, 0, 0) - x(0)));
    err[1] = std::max(err[1], std::abs(log.at(m, 1, 0) - x(1)));
  }
  return err;
}

}  // namespace

TEST_CASE("pyramidal_2c: the subthreshold response equals the matrix exponential of the linear system") {
  // dendritic currents and constant currents into both compartments, the soma
  // driven by the dendrite: U(t) is a sum of four exponentials
  const auto exact = subthreshold_error("exact", 0.1);
  const auto dopri = subthreshold_error("dopri5", 0.1);
  const auto rk4 = subthreshold_error("rk4", 0.1);
  const auto rk4_half = subthreshold_error("rk4", 0.05);
  MESSAGE("max |U - U_ref| [mV]: exact " << exact[0] << ", dopri5 " << dopri[0] << ", rk4 " << rk4[0] << " (h = 0.05: "
                                         << rk4_half[0] << ")");
  CHECK(exact[0] < 1e-10);
  CHECK(exact[1] < 1e-10);
  CHECK(dopri[0] < 1e-7);
  CHECK(dopri[1] < 1e-7);
  CHECK(rk4[0] < 1e-4);
  CHECK(rk4[0] > 0.0);
  CHECK(rk4_half[0] < rk4[0] / 12.0);   // fourth order: halving h divides the error by ~16
}

TEST_CASE("pyramidal_2c: with somatic conductances the exact path is second order and agrees with Odeint") {
  // spikes onto both somatic conductances and the dendrite; the reference is
  // the Dormand-Prince solution with error control at the same inputs
  const std::string extra =
      "[[population]]\nname = \"s\"\nmodel = \"spike_source\"\nsize = 1\nspike_times = [[2.0, 5.0, 5.5, 9.0, 14.0]]\n"
      "[[projection]]\nsource = \"s\"\ntarget = \"n\"\nrule = \"all_to_all\"\nweight = 40.0\ndelay = 1.0\nreceptor = \"soma_exc\"\n"
      "[[projection]]\nsource = \"s\"\ntarget = \"n\"\nrule = \"all_to_all\"\nweight = 60.0\ndelay = 3.0\nreceptor = \"soma_inh\"\n"
      "[[projection]]\nsource = \"s\"\ntarget = \"n\"\nrule = \"all_to_all\"\nweight = 500.0\ndelay = 2.0\nreceptor = \"dendritic_exc\"\n";
  auto trace = [&](const std::string& integ, double h) {
    simulation sim(test::parse(single(h, 30.0, integ, quiet, "V_m = -65.0", extra)));
    sim.run(30.0);
    return sim.states()[0];
  };
  double err[2] = {0, 0}, err_rk4 = 0, swing = 0;
  int i = 0;
  for (double h : {0.1, 0.05}) {
    const auto ex = trace("exact", h), ref = trace("dopri5", h), rk = trace("rk4", h);
    REQUIRE(ex.samples == ref.samples);
    for (std::size_t m = 0; m < ex.samples; ++m) {
      err[i] = std::max(err[i], std::abs(ex.at(m, 0, 0) - ref.at(m, 0, 0)));
      CHECK(ex.at(m, 1, 0) == doctest::Approx(ref.at(m, 1, 0)).epsilon(1e-7));   // the dendrite is exact in both
      CHECK(ex.at(m, 3, 0) == doctest::Approx(ref.at(m, 3, 0)).epsilon(1e-7));   // so is the conductance
      if (h == 0.1) err_rk4 = std::max(err_rk4, std::abs(rk.at(m, 0, 0) - ref.at(m, 0, 0)));
      swing = std::max(swing, std::abs(ref.at(m, 0, 0) + 65.0));
    }
    ++i;
  }
  MESSAGE("somatic swing " << swing << " mV; max |U_exact - U_dopri5| = " << err[0] << " mV (h = 0.1), " << err[1]
                           << " mV (h = 0.05); rk4 " << err_rk4 << " mV");
  CHECK(swing > 5.0);
  CHECK(err[0] < 0.02);
  CHECK(err[1] < err[0] / 3.0);   // second order
  CHECK(err_rk4 < 1e-3);
}

TEST_CASE("pyramidal_2c: spike counts follow the rate with dead time, and Poisson counts without") {
  // U held at -55 mV by I_e = 630 nS * 15 mV: phi = 0.15 / (1 + 0.5) = 0.1 / ms
  const double h = 0.1, T = 10000.0, phi = 0.1;
  const int N = 100;
  for (double t_ref : {3.0, 0.0}) {
    const std::string net = test::sim_header(h, T) +
                            "[[population]]\nname = \"n\"\nmodel = \"pyramidal_2c\"\nsize = " + std::to_string(N) +
                            "\nparams = { I_e = 9450.0, t_ref = " + std::to_string(t_ref) + " }\ninitial = { V_m = -55.0 }\n"
                            "[[recorder]]\ntype = \"spikes\"\npopulations = [\"n\"]\n";
    simulation sim(test::parse(net));
    sim.run(T);
    const auto& log = sim.spikes()[0];
    const double count = double(log.times.size());
    const double p = -std::expm1(-phi * h);
    const double n_ref = std::round(t_ref / h);
    double expected, sd;
    if (t_ref > 0) {
      // renewal process: ISI = n_ref steps + a geometric number of trials (success p)
      const double mean_isi = n_ref + 1.0 / p, var_isi = (1.0 - p) / (p * p);
      const double intervals = T / h / mean_isi;
      expected = N * intervals;
      sd = std::sqrt(N * intervals * var_isi / (mean_isi * mean_isi));
    } else {
      expected = N * phi * T;
      sd = std::sqrt(expected);
    }
    MESSAGE("t_ref " << t_ref << " ms: " << count << " spikes, expected " << expected << " +- " << sd);
    CHECK(std::abs(count - expected) < 5.0 * sd);
    // dead time: no two spikes of one neuron closer than t_ref + h
    std::map<std::uint64_t, double> last;
    double min_isi = 1e9;
    for (std::size_t s = 0; s < log.times.size(); ++s) {
      auto it = last.find(log.node_ids[s]);
      if (it != last.end()) min_isi = std::min(min_isi, log.times[s] - it->second);
      last[log.node_ids[s]] = log.times[s];
    }
    if (t_ref > 0)
      CHECK(min_isi > t_ref + 0.5 * h);
    else
      CHECK(min_isi < 0.5 * h);   // Poisson counts: several spikes in one step occur
  }
}

TEST_CASE("pyramidal_2c: bad parameters and integrators are refused with the key") {
  auto err = [](const std::string& toml) {
    try {
      test::parse(toml);
    } catch (const model_error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  const std::string pop = test::sim_header() + "[[population]]\nname = \"n\"\nmodel = \"pyramidal_2c\"\nsize = 1\n";
  CHECK(err(pop + "params = { C_d = -1.0 }\n").find("population[0].params.C_d") != std::string::npos);
  CHECK(err(pop + "params = { tau_syn_ex_d = 10.0 }\n").find("tau_syn_ex_d") != std::string::npos);
  CHECK(err(pop + "integrator = \"euler\"\n").find("population[0].integrator") != std::string::npos);
  CHECK(err(pop + "[[population]]\nname = \"s\"\nmodel = \"spike_source\"\nsize = 1\n[[projection]]\nsource = \"s\"\ntarget = \"n\"\n"
                  "rule = \"all_to_all\"\nweight = -1.0\nreceptor = \"soma_exc\"\n")
            .find("projection[0].weight") != std::string::npos);
  CHECK(err(pop + "[[population]]\nname = \"s\"\nmodel = \"spike_source\"\nsize = 1\n[[projection]]\nsource = \"s\"\ntarget = \"n\"\n"
                  "rule = \"all_to_all\"\nweight = -1.0\nreceptor = \"dendritic_exc\"\n") == "accepted");
}
