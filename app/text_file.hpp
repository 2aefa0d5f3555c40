#pragma once
// Text outputs of the program (summary.json, learning.json), written under a
// temporary name and renamed when complete, so an interrupted run never leaves
// a file that looks finished.
#include <filesystem>
#include <string>

namespace apical::app {

void write_file_atomically(const std::filesystem::path& path, const std::string& text);

}  // namespace apical::app
