#pragma once
// Output files (summary.json, learning.json, checkpoints) written under a
// temporary name, flushed to disk and renamed when complete, so an interrupted
// run never leaves a file that looks finished.
#include <filesystem>
#include <string_view>

namespace apical {

/// Writes `bytes` to `path` atomically; throws std::runtime_error naming the file.
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

}  // namespace apical
