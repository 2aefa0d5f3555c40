#pragma once
// The distributed side of a run (MPI, as NEST does it): which rank owns which
// partitions, and the once-per-window spike exchange. Built without
// APICAL_MPI, or run without mpirun, it is a single rank and every call is local.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/time.hpp"

namespace apical {

class communicator {
 public:
  /// MPI_COMM_WORLD when MPI is built in and initialised, else one rank.
  communicator();
  int rank() const { return rank_; }
  int size() const { return size_; }
  bool distributed() const { return size_ > 1; }

  /// Every rank's spikes of a window (each list sorted), concatenated and sorted
  /// by (time, source): the same list on every rank. MPI_Allgatherv.
  void allgather_spikes(const std::vector<spike>& local, std::vector<spike>& all) const;
  /// Every rank's bytes, concatenated in rank order, on every rank. MPI_Allgatherv.
  std::vector<std::byte> allgather_bytes(const std::vector<std::byte>& local) const;
  std::uint64_t sum(std::uint64_t x) const;
  double sum(double x) const;
  double max(double x) const;
  /// Combines arrays in which every element is owned by exactly one rank and is
  /// zero elsewhere: the bit patterns are OR-ed, so the owner's value arrives
  /// bit for bit (even -0.0). The result is valid on rank 0.
  void reduce_owned(std::vector<double>& data) const;

 private:
  int rank_ = 0, size_ = 1;
};

/// Initialises MPI for the program's lifetime when MPI is built in (a no-op otherwise).
class mpi_session {
 public:
  mpi_session(int& argc, char**& argv);
  ~mpi_session();
  mpi_session(const mpi_session&) = delete;
  mpi_session& operator=(const mpi_session&) = delete;
};

}  // namespace apical
