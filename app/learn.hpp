#pragma once
#include <string>

namespace apical::app {

/// `apical learn FILE --out DIR`; returns the exit code.
int cmd_learn(const std::string& file, const std::string& out_dir);

}  // namespace apical::app
