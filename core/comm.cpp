#include "core/comm.hpp"

#include <algorithm>
#include <cstring>

#ifdef APICAL_WITH_MPI
// the C API only: Open MPI's deprecated C++ bindings need their own library
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace apical {

#ifdef APICAL_WITH_MPI

namespace {
bool mpi_running() {
  int init = 0, fin = 0;
  MPI_Initialized(&init);
  MPI_Finalized(&fin);
  return init && !fin;
}

/// MPI_Allgatherv of every rank's elements, concatenated in rank order.
template <class T>
void allgatherv(const std::vector<T>& local, std::vector<T>& all, int ranks) {
  static_assert(std::is_trivially_copyable_v<T>);
  const int bytes = static_cast<int>(local.size() * sizeof(T));
  std::vector<int> counts(ranks), displs(ranks);
  MPI_Allgather(&bytes, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD);
  int total = 0;
  for (int r = 0; r < ranks; ++r) {
    displs[r] = total;
    total += counts[r];
  }
  all.resize(static_cast<std::size_t>(total) / sizeof(T));
  MPI_Allgatherv(local.data(), bytes, MPI_BYTE, all.data(), counts.data(), displs.data(), MPI_BYTE, MPI_COMM_WORLD);
}
}  // namespace

communicator::communicator() {
  if (!mpi_running()) return;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

void communicator::allgather_spikes(const std::vector<spike>& local, std::vector<spike>& all) const {
  if (size_ == 1) {
    all = local;
    return;
  }
  allgatherv(local, all, size_);
  std::sort(all.begin(), all.end());
}

std::vector<std::byte> communicator::allgather_bytes(const std::vector<std::byte>& local) const {
  if (size_ == 1) return local;
  std::vector<std::byte> all;
  allgatherv(local, all, size_);
  return all;
}

std::uint64_t communicator::sum(std::uint64_t x) const {
  if (size_ == 1) return x;
  std::uint64_t out = 0;
  MPI_Allreduce(&x, &out, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
  return out;
}

double communicator::sum(double x) const {
  if (size_ == 1) return x;
  double out = 0;
  MPI_Allreduce(&x, &out, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  return out;
}

double communicator::max(double x) const {
  if (size_ == 1) return x;
  double out = 0;
  MPI_Allreduce(&x, &out, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  return out;
}

void communicator::reduce_owned(std::vector<double>& data) const {
  if (size_ == 1 || data.empty()) return;
  std::vector<std::uint64_t> bits(data.size()), out(rank_ == 0 ? data.size() : 0);
  std::memcpy(bits.data(), data.data(), data.size() * sizeof(double));
  MPI_Reduce(bits.data(), out.data(), static_cast<int>(bits.size()), MPI_UINT64_T, MPI_BOR, 0, MPI_COMM_WORLD);
  if (rank_ == 0) std::memcpy(data.data(), out.data(), data.size() * sizeof(double));
}

mpi_session::mpi_session(int& argc, char**& argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
}

mpi_session::~mpi_session() {
  if (mpi_running()) MPI_Finalize();
}

#else

communicator::communicator() = default;
void communicator::allgather_spikes(const std::vector<spike>& local, std::vector<spike>& all) const { all = local; }
std::vector<std::byte> communicator::allgather_bytes(const std::vector<std::byte>& local) const { return local; }
std::uint64_t communicator::sum(std::uint64_t x) const { return x; }
double communicator::sum(double x) const { return x; }
double communicator::max(double x) const { return x; }
void communicator::reduce_owned(std::vector<double>&) const {}
mpi_session::mpi_session(int&, char**&) {}
mpi_session::~mpi_session() = default;

#endif

}  // namespace apical
