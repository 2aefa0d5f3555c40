#pragma once
#include <string>

namespace apical::app {

/// Hands over to app/apical_plot.py (matplotlib), which writes raster, rate
/// histograms, weights and state traces of run folder `dir` as PNG into `out`
/// (default DIR/plots). Returns only when python3 cannot be started.
int cmd_plot(const std::string& dir, const std::string& out);

}  // namespace apical::app
