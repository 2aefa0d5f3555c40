// `apical learn FILE.toml`: trains the dendritic microcircuit on a task beside
// exact back-prop and a shallow learner, prints the learning curve and writes
// it to OUT/learning.json (bench/dendritic_learning.py plots it).
#include "app/learn.hpp"

#include <chrono>
#include <filesystem>

#include <fmt/format.h>

#include "app/run.hpp"
#include "core/atomic_file.hpp"
#include "models/dendritic_learning.hpp"

namespace apical::app {

namespace fs = std::filesystem;

namespace {

std::string curve_json(const learning_task_config& c, const std::vector<learning_checkpoint>& curve, double seconds) {
  std::string layers;
  for (std::size_t k = 0; k < c.net.sizes.size(); ++k) layers += fmt::format("{}{}", k ? ", " : "", c.net.sizes[k]);
  const char* fb = c.net.feedback == feedback_mode::symmetric ? "symmetric" : c.net.feedback == feedback_mode::random ? "random" : "learned";
  std::string out = fmt::format("{{\"task\": \"{}\", \"sizes\": [{}], \"feedback\": \"{}\", \"mode\": \"{}\", \"integration\": \"{}\", \"error\": \"{}\", \"wall_s\": {:.3f}, \"curve\": [",
                                c.task, layers, fb, c.net.spiking ? "spiking" : "rate", c.net.steady_state ? "steady_state" : "euler", c.task == "teacher" ? "mean squared rate error" : "fraction misclassified", seconds);
  for (std::size_t i = 0; i < curve.size(); ++i) {
    const auto& p = curve[i];
    std::string angles;
    for (std::size_t k = 0; k < p.angle.size(); ++k) angles += fmt::format("{}{:.6g}", k ? ", " : "", p.angle[k]);
    const std::string spiking = p.error_spiking >= 0 ? fmt::format(", \"microcircuit_spiking\": {:.8g}", p.error_spiking) : "";
    out += fmt::format("{}\n  {{\"examples\": {}, \"microcircuit\": {:.8g}{}, \"backprop\": {:.8g}, \"shallow\": {:.8g}, \"angle_deg\": [{}], \"apical_rms\": {:.6g}}}",
                       i ? "," : "", p.examples, p.error_microcircuit, spiking, p.error_backprop, p.error_shallow, angles, p.apical_rms);
  }
  return out + "\n]}\n";
}

}  // namespace

int cmd_learn(const std::string& file, const std::string& out_dir, const std::vector<std::string>& sets) {
  const learning_task_config c = load_learning_file(file, overrides_of(sets));
  const fs::path out = out_dir.empty() ? fs::path("out") / fs::path(file).stem() : fs::path(out_dir);
  fmt::print(stderr, "apical: learning task '{}', {} examples of {} ms\n", c.task, c.train_examples, c.presentation);
  const auto t0 = std::chrono::steady_clock::now();
  // progress: one line per checkpoint with its test errors (a run takes minutes to hours)
  const std::vector<learning_checkpoint> curve = run_learning(c, [&](const learning_checkpoint& p, double f) {
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    fmt::print(stderr, "apical: {:5.1f}% of {} examples, {:.0f} s, about {:.0f} s left; test error microcircuit {:.4g}{}, back-prop {:.4g}\n",
               100.0 * f, c.train_examples, s, s * (1.0 - f) / f, p.error_microcircuit,
               p.error_spiking >= 0 ? fmt::format(" (spikes out {:.4g})", p.error_spiking) : "", p.error_backprop);
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  fmt::print("apical learn: {} ({} examples, {:.1f} s wall)\n", file, c.train_examples, seconds);
  const bool spiking = c.net.spiking;
  fmt::print("  {:>9}  {:>12}{}  {:>12}  {:>12}  angle to back-prop per layer [deg]\n", "examples", "microcircuit",
             spiking ? fmt::format("  {:>12}", "(spikes out)") : "", "back-prop", "shallow");
  for (const auto& p : curve) {
    std::string angles;
    for (double a : p.angle) angles += fmt::format(" {:6.1f}", a);
    fmt::print("  {:>9}  {:>12.5g}{}  {:>12.5g}  {:>12.5g} {}\n", p.examples, p.error_microcircuit,
               spiking ? fmt::format("  {:>12.5g}", p.error_spiking) : "", p.error_backprop, p.error_shallow, angles);
  }
  fs::create_directories(out);
  const fs::path path = out / "learning.json";
  write_file_atomically(path, curve_json(c, curve, seconds));
  fmt::print("  output             {}\n", path.string());
  return 0;
}

}  // namespace apical::app
