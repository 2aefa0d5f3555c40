#pragma once
// Checkpoint files: a simulation's dynamic state (simulation::serialize) with
// what is needed to build the same network again (the model file's text, the
// command-line overrides, the partition cut). Layout:
//   "APICALCK"  8 bytes
//   version     uint32 (checkpoint_version)
//   CRC-32      uint32 of the body
//   body size   uint64
//   body        the header fields, then the state
// Written atomically (core/atomic_file.hpp); a file of another version, a
// truncated file or one whose checksum does not match is refused with a
// message naming it.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace apical {

class simulation;

// 2: grid LIF refractory counters as doubles; 3: STDP copies of the two newest
// post spikes; 4: grid LIF last refractory step instead of a counter; 5: STDP
// groups' read times and caught-up weights, at_post post spikes' times; 6: STDP
// groups numbered by source in compact rows (synapse_store::compact_rows)
inline constexpr std::uint32_t checkpoint_version = 6;

struct checkpoint_header {
  std::string model_text;               ///< the model file as read
  std::string model_path;               ///< where it was read from (messages, the output folder's default name)
  std::string base_dir;                 ///< absolute: relative spike files are looked up here
  std::vector<std::string> overrides;   ///< KEY=VALUE, applied in order (seed and duration included)
  std::uint64_t layout_groups = 0;      ///< simulation::layout_groups()
  double checkpoint_every = 0;          ///< ms between checkpoints of the run (0: none)
  double time = 0;                      ///< ms simulated when it was written
};

class checkpoint_error : public std::runtime_error {
 public:
  checkpoint_error(const std::filesystem::path& file, const std::string& message)
      : std::runtime_error(file.string() + ": " + message) {}
};

/// Writes `sim`'s state (between runs) with `header` to `file`, atomically.
void write_checkpoint(const std::filesystem::path& file, checkpoint_header header, simulation& sim);

struct checkpoint_file {
  checkpoint_header header;
  std::vector<std::byte> state;   ///< for simulation::serialize(state_io::loader(state))
};

/// Reads and validates a checkpoint; throws checkpoint_error.
checkpoint_file read_checkpoint(const std::filesystem::path& file);

/// Restores `file`'s state into `sim`, which must be unbuilt and made from the
/// header's model (its thread count may differ); throws checkpoint_error.
void restore_checkpoint(const std::filesystem::path& file, const checkpoint_file& cp, simulation& sim);

}  // namespace apical
