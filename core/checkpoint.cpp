#include "core/checkpoint.hpp"

#include <cstring>
#include <fstream>
#include <iterator>

#include <boost/crc.hpp>
#include <fmt/format.h>

#include "core/atomic_file.hpp"
#include "core/simulation.hpp"
#include "core/state_io.hpp"

namespace apical {

namespace {

constexpr char magic[8] = {'A', 'P', 'I', 'C', 'A', 'L', 'C', 'K'};
constexpr std::size_t prefix_bytes = sizeof(magic) + 4 + 4 + 8;

std::uint32_t crc32(const std::byte* p, std::size_t n) {
  boost::crc_32_type crc;
  crc.process_bytes(p, n);
  return crc.checksum();
}

void header_fields(state_io& io, checkpoint_header& h) {
  io.fields(h.model_text, h.model_path, h.base_dir);
  io.field(h.overrides);
  io.fields(h.layout_groups, h.checkpoint_every, h.time);
}

}  // namespace

void write_checkpoint(const std::filesystem::path& file, checkpoint_header header, simulation& sim) {
  header.layout_groups = sim.layout_groups();
  header.time = sim.time();
  std::vector<std::byte> body;
  state_io out = state_io::saver(body);
  header_fields(out, header);
  sim.serialize(out);
  const std::uint32_t version = checkpoint_version, crc = crc32(body.data(), body.size());
  const std::uint64_t size = body.size();
  std::string bytes(prefix_bytes, '\0');
  std::memcpy(bytes.data(), magic, sizeof(magic));
  std::memcpy(bytes.data() + 8, &version, 4);
  std::memcpy(bytes.data() + 12, &crc, 4);
  std::memcpy(bytes.data() + 16, &size, 8);
  bytes.append(reinterpret_cast<const char*>(body.data()), body.size());
  write_file_atomically(file, bytes);
}

checkpoint_file read_checkpoint(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw checkpoint_error(file, "cannot open the checkpoint");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < prefix_bytes || std::memcmp(bytes.data(), magic, sizeof(magic)) != 0)
    throw checkpoint_error(file, "not an apical checkpoint");
  std::uint32_t version = 0, crc = 0;
  std::uint64_t size = 0;
  std::memcpy(&version, bytes.data() + 8, 4);
  std::memcpy(&crc, bytes.data() + 12, 4);
  std::memcpy(&size, bytes.data() + 16, 8);
  if (version != checkpoint_version)
    throw checkpoint_error(file, fmt::format("checkpoint version {}; this apical reads version {}", version, checkpoint_version));
  if (bytes.size() - prefix_bytes != size)
    throw checkpoint_error(file, fmt::format("truncated or padded: {} bytes of state, the header says {}", bytes.size() - prefix_bytes, size));
  checkpoint_file cp;
  cp.state.resize(size);
  std::memcpy(cp.state.data(), bytes.data() + prefix_bytes, size);
  if (crc32(cp.state.data(), cp.state.size()) != crc) throw checkpoint_error(file, "checksum mismatch: the checkpoint is corrupt");
  state_io io = state_io::loader(cp.state);
  try {
    header_fields(io, cp.header);
  } catch (const std::runtime_error& e) {
    throw checkpoint_error(file, e.what());
  }
  cp.state.erase(cp.state.begin(), cp.state.end() - static_cast<std::ptrdiff_t>(size - io.position()));
  return cp;
}

void restore_checkpoint(const std::filesystem::path& file, const checkpoint_file& cp, simulation& sim) {
  try {
    sim.set_layout_groups(cp.header.layout_groups);
    state_io io = state_io::loader(cp.state);
    sim.serialize(io);
    if (!io.at_end()) throw std::runtime_error("checkpoint state is longer than this network's");
  } catch (const std::runtime_error& e) {
    throw checkpoint_error(file, e.what());
  }
}

}  // namespace apical
