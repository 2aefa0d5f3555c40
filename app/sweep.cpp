// `apical sweep MODEL.toml --vary KEY=V1,V2,... [--vary ...]`: a parameter
// sweep without editing the model file or rebuilding anything.
#include "app/sweep.hpp"

#include <iostream>
#include <regex>

#include <fmt/format.h>

#include "core/atomic_file.hpp"
#include "core/comm.hpp"

namespace apical::app {

namespace fs = std::filesystem;

/// Runs every combination of the --vary values (the last key varies fastest)
/// into OUT/000, OUT/001, ... and tabulates them in OUT/sweep.csv. Every
/// combination is validated before the first run.
int cmd_sweep(const run_options& o, const std::vector<std::string>& varies) {
  std::vector<std::pair<std::string, std::vector<std::string>>> axes;
  for (const auto& v : varies) {
    key_override kv;
    try {
      kv = parse_override(v);
    } catch (const std::invalid_argument& e) {
      throw bad_input(fmt::format("--vary {}", e.what()));
    }
    axes.emplace_back(kv.key, split_values(kv.value));
  }
  std::size_t combos = 1;
  for (const auto& a : axes) combos *= a.second.size();
  auto combination = [&](std::size_t k) {
    std::vector<key_override> c(axes.size());
    for (std::size_t i = axes.size(); i-- > 0;) {
      c[i] = {axes[i].first, axes[i].second[k % axes[i].second.size()]};
      k /= axes[i].second.size();
    }
    return c;
  };
  std::vector<network_spec> specs;
  for (std::size_t k = 0; k < combos; ++k) specs.push_back(load_with_overrides(o, combination(k)));
  const fs::path out = out_dir(o);
  std::string csv = "run";
  for (const auto& a : axes) csv += "," + a.first;
  bool header_done = false;
  for (std::size_t k = 0; k < combos; ++k) {
    std::string row = fmt::format("{:03}", k);
    for (const auto& c : combination(k))   // CSV: quoted when the value holds a comma or a quote
      row += "," + (c.value.find_first_of(",\"") == std::string::npos ? c.value : "\"" + std::regex_replace(c.value, std::regex("\""), "\"\"") + "\"");
    fmt::print(stderr, "apical sweep: run {} of {}: {}\n", k + 1, combos, row.substr(4));
    const run_outcome r = run_to(std::move(specs[k]), out / fmt::format("{:03}", k), o, false);
    if (!header_done) {
      for (const auto& [pop, rate] : r.rates) csv += ",rate_" + pop + "_Hz";
      csv += ",spikes,run_s\n";
      header_done = true;
    }
    for (const auto& [pop, rate] : r.rates) row += fmt::format(",{:.6f}", rate);
    csv += row + fmt::format(",{},{:.3f}\n", r.spikes, r.run_s);
  }
  if (communicator().rank() == 0) {
    write_file_atomically(out / "sweep.csv", csv);
    fmt::print("apical sweep: {} runs; table {}\n", combos, (out / "sweep.csv").string());
  }
  return 0;
}

}  // namespace apical::app
