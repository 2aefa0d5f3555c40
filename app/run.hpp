#pragma once
// `apical run` and `apical resume`, and what `apical sweep` and `apical info`
// share with them: the command-line options, model files with their
// overrides, building, running (with checkpoints) and writing a run's outputs.
#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/checkpoint.hpp"
#include "core/model_file.hpp"

namespace apical::app {

/// Bad command-line input: the program exits with status 2.
struct bad_input : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct run_options {
  std::string model;
  int threads = 0;
  long long seed = -1;
  double duration = -1;
  std::string out;
  std::string progress = "auto";
  bool csv = false;
  std::vector<std::string> sets;   // KEY=VALUE overrides of model-file keys
  double checkpoint_every = 0;     // ms; 0: no checkpoints
};

/// Parses --set KEY=VALUE texts; bad_input naming the text when one has no '='.
std::vector<key_override> overrides_of(const std::vector<std::string>& assignments);

/// The model file with --set overrides, then `more`, and --threads/--seed/--duration.
network_spec load_with_overrides(const run_options& o, std::vector<key_override> more = {});
/// The output folder: --out, or out/<model file name>.
std::filesystem::path out_dir(const run_options& o);

/// What a sweep tabulates of one run.
struct run_outcome {
  std::vector<std::pair<std::string, double>> rates;   // Hz per population
  std::uint64_t spikes = 0;
  double run_s = 0;
};

/// Builds and runs `spec` (from a checkpoint's state when `resume` is given),
/// writes its outputs under `out`; prints the summary when `print_summary`
/// (else only the outputs line). With `checkpoints`, writes OUT/checkpoint.apc
/// every header.checkpoint_every ms.
run_outcome run_to(network_spec spec, const std::filesystem::path& out, const run_options& o, bool print_summary,
                   const checkpoint_header* checkpoints = nullptr, const checkpoint_file* resume = nullptr);

int cmd_run(const run_options& o);
/// Continues the run whose checkpoint is DIR/checkpoint.apc to its end, with
/// the same outputs as the uninterrupted run (and its checkpoints).
int cmd_resume(const std::string& dir, const run_options& o);

}  // namespace apical::app
