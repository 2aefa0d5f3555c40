#pragma once
#include <string>
#include <vector>

#include "app/run.hpp"

namespace apical::app {

/// Runs every combination of the --vary values (KEY=V1,V2,...; the last key
/// varies fastest) into OUT/000, OUT/001, ... and tabulates them in
/// OUT/sweep.csv. Every combination is validated before the first run.
int cmd_sweep(const run_options& o, const std::vector<std::string>& varies);

}  // namespace apical::app
