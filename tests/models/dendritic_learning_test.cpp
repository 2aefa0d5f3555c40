#include <doctest/doctest.h>

#include <array>
#include <fstream>

#include "helpers.hpp"
#include "models/dendritic_learning.hpp"

using namespace apical;

namespace {

/// Mean of the last two checkpoints of one learner's test error.
template <class F>
double final_error(const std::vector<learning_checkpoint>& curve, F&& field) {
  return 0.5 * (field(curve[curve.size() - 1]) + field(curve[curve.size() - 2]));
}

}  // namespace

TEST_CASE("dendritic microcircuit: digits beats a shallow learner and reaches 95%") {
  learning_task_config c = load_learning_file(test::source_path("models/sacramento2018_digits.toml"));
  const auto curve = run_learning(c);
  const double mc = final_error(curve, [](const auto& p) { return p.error_microcircuit; });
  const double bp = final_error(curve, [](const auto& p) { return p.error_backprop; });
  const double shallow = final_error(curve, [](const auto& p) { return p.error_shallow; });
  MESSAGE("digits test error after " << c.train_examples << " examples: microcircuit " << mc << ", back-prop " << bp << ", shallow " << shallow
                                     << "; hidden-layer angle to back-prop " << curve.back().angle[0] << " deg");
  CHECK(curve.front().error_microcircuit > 0.8);   // chance level at the start
  CHECK(mc < shallow);
  CHECK(mc < 0.05);
}

TEST_CASE("learning files: rate_decay scales every learner's rates after each pass through the training set") {
  learning_task_config c = load_learning_file(test::source_path("models/sacramento2018_digits.toml"));
  c.train_examples = 3000;   // two passes through the 1500 training images
  c.checkpoints = 2;         // at the end of each pass
  auto changes = [&](double decay) {
    c.rate_decay = decay;
    const auto curve = run_learning(c);
    REQUIRE(curve.size() == 3);
    const auto& a = curve[1];
    const auto& b = curve[2];
    return std::array<double, 3>{b.error_microcircuit - a.error_microcircuit, b.error_backprop - a.error_backprop,
                                 b.error_shallow - a.error_shallow};
  };
  // constant rates: the second pass still changes the learners
  const auto moving = changes(1.0);
  CHECK((moving[0] != 0.0 || moving[1] != 0.0 || moving[2] != 0.0));
  // rates scaled by 1e-9 after the first pass: no learner changes its test error in the second
  for (double d : changes(1e-9)) CHECK(d == 0.0);
}

TEST_CASE("dendritic microcircuit: nonlinear regression (Fig. 2) beats a shallow learner") {
  learning_task_config c = load_learning_file(test::source_path("models/sacramento2018_regression.toml"));
  c.train_examples = 6000;
  c.test_examples = 200;
  c.checkpoints = 6;
  const auto curve = run_learning(c);
  const double mc = final_error(curve, [](const auto& p) { return p.error_microcircuit; });
  const double shallow = final_error(curve, [](const auto& p) { return p.error_shallow; });
  MESSAGE("regression test error after " << c.train_examples << " examples: microcircuit " << mc << ", back-prop "
                                         << curve.back().error_backprop << ", shallow " << shallow << " (start " << curve.front().error_microcircuit << ")");
  CHECK(mc < 0.5 * curve.front().error_microcircuit);
  CHECK(mc < 0.5 * shallow);
}

TEST_CASE("learning files: errors name the file, line and key") {
  auto err = [](const std::string& text) {
    const std::string path = "/tmp/apical_learning_test.toml";
    std::ofstream(path) << text;
    try {
      load_learning_file(path);
    } catch (const model_error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  const std::string ok = "[learn]\nsizes = [30, 50, 10]\neta_up = [1.0, 1.0]\nbackprop_rate = [1.0, 1.0]\n";
  CHECK(err(ok) == "accepted");
  CHECK(err(ok + "tau_w = -1.0\n").find(":5: learn.tau_w") != std::string::npos);
  CHECK(err("[learn]\nsizes = [30, 50, 10]\neta_up = [1.0]\nbackprop_rate = [1.0, 1.0]\n").find(":3: learn.eta_up") != std::string::npos);
  CHECK(err(ok + "feedback = \"mirror\"\n").find("learn.feedback") != std::string::npos);
  CHECK(err(ok + "[learn.cell]\ng_lk = -0.1\n").find("learn.cell.g_lk") != std::string::npos);
  CHECK(err(ok + "colour = 1\n").find("learn.colour") != std::string::npos);
  CHECK(err(ok + "rate_decay = 1.5\n").find(":5: learn.rate_decay: must be in (0, 1]") != std::string::npos);
  CHECK(err(ok + "rate_decay = 0\n").find(":5: learn.rate_decay") != std::string::npos);
  CHECK(err("[learn]\ntask = \"fashion_mnist\"\nsizes = [784, 10]\neta_up = [1.0]\nbackprop_rate = [1.0]\n").find("learn.data_file") !=
        std::string::npos);
  CHECK(err("[learn]\ntask = \"fashion_mnist\"\nsizes = [64, 10]\neta_up = [1.0]\nbackprop_rate = [1.0]\ndata_file = \"/tmp\"\n").find(":3: learn.sizes") !=
        std::string::npos);
  CHECK(err("[learn]\ntask = \"digits\"\nsizes = [64, 10]\neta_up = [1.0]\nbackprop_rate = [1.0]\ndata_file = \"nope.csv\"\n").find("learn.data_file") !=
        std::string::npos);
}

TEST_CASE("learning files: --set overrides reach their keys and are validated as if in the file") {
  const std::string file = test::source_path("models/sacramento2018_digits.toml");
  const learning_task_config plain = load_learning_file(file);
  CHECK(plain.net.feedback == feedback_mode::symmetric);
  const learning_task_config c = load_learning_file(
      file, {{"learn.feedback", "\"random\""}, {"learn.mode", "spiking"}, {"learn.eta_up", "[0.5, 0.25]"}, {"learn.cell.g_som_I", "0.3"}});
  CHECK(c.net.feedback == feedback_mode::random);
  CHECK(c.net.spiking);
  CHECK(c.net.eta_up == std::vector<double>{0.5, 0.25});
  CHECK(c.net.cell.g_som_I == 0.3);
  CHECK(c.train_examples == plain.train_examples);
  auto err = [&](const key_override& o) {
    try {
      load_learning_file(file, {o});
    } catch (const model_error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(err({"learn.feedback", "mirror"}).rfind("--set learn.feedback=mirror: learn.feedback: unknown feedback", 0) == 0);
  CHECK(err({"learn.eta_up", "[0.1]"}).find("--set learn.eta_up=[0.1]") == 0);
  CHECK(err({"learn.colour", "1"}).find("learn.colour: unknown key") != std::string::npos);
  CHECK(err({"learn.cell.g_lk", "-0.1"}).find("learn.cell.g_lk") != std::string::npos);
}

TEST_CASE("dendritic microcircuit: spiking mode learns the regression too") {
  learning_task_config c = load_learning_file(test::source_path("models/sacramento2018_regression.toml"));
  c.net.spiking = true;
  c.net.rate_scale = 5.0;   // spikes per ms per unit of phi
  c.train_examples = 2000;
  c.test_examples = 100;
  c.checkpoints = 2;
  c.presentation = 30.0;
  const auto curve = run_learning(c);
  MESSAGE("spiking regression: test error " << curve.front().error_microcircuit << " -> " << curve.back().error_microcircuit
                                            << " (shallow " << curve.back().error_shallow << "); angles " << curve.back().angle[0] << ", "
                                            << curve.back().angle[1] << " deg");
  CHECK(curve.back().error_microcircuit < 0.6 * curve.front().error_microcircuit);
  CHECK(curve.back().error_microcircuit < curve.back().error_shallow);
}

TEST_CASE("dendritic microcircuit: with the interneurons kept self-predicting, the updates follow back-prop while learning") {
  // strong nudging (g_som = 0.8) during digits training; the interneurons reset
  // to the self-predicting state after every example ("transported")
  learning_task_config c = load_learning_file(test::source_path("models/sacramento2018_digits.toml"));
  c.interneurons = "transported";
  c.net.steady_state = false;   // Euler steps: the continuous-time network
  c.net.eta_up = {0.01, 0.01};
  c.train_examples = 3000;
  c.checkpoints = 3;
  const auto curve = run_learning(c);
  double worst = 0;
  for (const auto& p : curve)
    if (p.examples > 0) worst = std::max(worst, p.angle[0]);
  MESSAGE("hidden-layer angle to back-prop during training: at most " << worst << " deg; test error " << curve.back().error_microcircuit);
  CHECK(worst < 15.0);
  CHECK(curve.back().error_microcircuit < 0.3);
}

TEST_CASE("dendritic microcircuit: spiking mode with steady-state settling classifies digits from its output spikes") {
  // Poisson spike counts at 5 spikes/ms per unit rate over each 20 ms
  // presentation, interneurons kept self-predicting; the spiking network is
  // read from its output spike counts (error_spiking)
  learning_task_config c = load_learning_file(test::source_path("models/sacramento2018_digits.toml"));
  c.interneurons = "transported";
  c.net.spiking = true;
  c.net.rate_scale = 5.0;
  c.probe_duration = 20000.0;   // the angle of an update averaged over 20 s of spikes
  const auto curve = run_learning(c);
  const double spiking = final_error(curve, [](const auto& p) { return p.error_spiking; });
  const double shallow = final_error(curve, [](const auto& p) { return p.error_shallow; });
  double worst = 0;   // over the second half of training
  for (const auto& p : curve)
    if (2 * p.examples >= c.train_examples) worst = std::max(worst, p.angle[0]);
  MESSAGE("spiking digits test error " << spiking << " (shallow " << shallow << "); hidden angle at most " << worst << " deg");
  CHECK(curve.front().error_spiking > 0.8);
  CHECK(spiking < shallow);
  CHECK(spiking < 0.05);
  CHECK(worst < 20.0);
}
