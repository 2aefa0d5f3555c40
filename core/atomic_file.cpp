#include "core/atomic_file.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>

namespace apical {

void write_file_atomically(const std::filesystem::path& path, std::string_view bytes) {
  const std::filesystem::path tmp = path.string() + fmt::format(".tmp{}", static_cast<long>(getpid()));
  auto fail = [&](const char* what) {
    const std::string msg = fmt::format("cannot {} {}: {}", what, tmp.string(), std::strerror(errno));
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    throw std::runtime_error(msg);
  };
  {
    std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(tmp.c_str(), "wb"), &std::fclose);
    if (!f) fail("create");
    if (std::fwrite(bytes.data(), 1, bytes.size(), f.get()) != bytes.size() || std::fflush(f.get()) != 0) fail("write");
    if (fsync(fileno(f.get())) != 0) fail("sync");   // on disk before the rename makes it visible
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace apical
