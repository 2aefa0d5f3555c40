#pragma once
#include <string>
#include <vector>

namespace apical::app {

/// `apical learn FILE --out DIR --set KEY=VALUE...`; returns the exit code.
int cmd_learn(const std::string& file, const std::string& out_dir, const std::vector<std::string>& sets);

}  // namespace apical::app
