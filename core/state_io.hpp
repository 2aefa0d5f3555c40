#pragma once
// Saving and restoring the dynamic state of a simulation (checkpoints,
// core/checkpoint.hpp) with one function per component: `io.field(x)` appends
// x when saving and reads x back when loading, so the two directions cannot
// drift apart. The bytes are the machine's own representation: a checkpoint is
// read back by the same build on the same kind of machine.
#include <cstddef>
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace apical {

class state_io {
 public:
  /// Appends to `out`.
  static state_io saver(std::vector<std::byte>& out) { return state_io(&out, {}); }
  /// Reads from `in`; running past its end throws std::runtime_error.
  static state_io loader(std::span<const std::byte> in) { return state_io(nullptr, in); }

  bool loading() const { return out_ == nullptr; }
  bool at_end() const { return pos_ == in_.size(); }
  /// Bytes read so far (loading).
  std::size_t position() const { return pos_; }

  template <class T>
    requires std::is_trivially_copyable_v<T>
  void field(T& x) {
    raw(&x, sizeof(T));
  }
  template <class T>
    requires std::is_trivially_copyable_v<T>
  void field(std::vector<T>& v) {
    std::uint64_t n = v.size();
    field(n);
    if (loading()) {
      if (n > (in_.size() - pos_) / std::max<std::size_t>(sizeof(T), 1)) fail();
      v.resize(n);
    }
    raw(v.data(), n * sizeof(T));
  }
  template <class T>
    requires(!std::is_trivially_copyable_v<T>)
  void field(std::vector<T>& v) {   // vectors of vectors, of strings
    std::uint64_t n = v.size();
    field(n);
    if (loading()) {
      if (n > in_.size() - pos_) fail();
      v.resize(n);
    }
    for (auto& x : v) field(x);
  }
  void field(std::string& s) {
    std::uint64_t n = s.size();
    field(n);
    if (loading()) {
      if (n > in_.size() - pos_) fail();
      s.resize(n);
    }
    raw(s.data(), n);
  }
  template <class... T>
  void fields(T&... xs) {
    (field(xs), ...);
  }

 private:
  state_io(std::vector<std::byte>* out, std::span<const std::byte> in) : out_(out), in_(in) {}
  [[noreturn]] static void fail() { throw std::runtime_error("checkpoint state ends early or does not fit this network"); }
  void raw(void* p, std::size_t n) {
    if (n == 0) return;
    if (out_) {
      const auto* b = static_cast<const std::byte*>(p);
      out_->insert(out_->end(), b, b + n);
      return;
    }
    if (n > in_.size() - pos_) fail();
    std::memcpy(p, in_.data() + pos_, n);
    pos_ += n;
  }

  std::vector<std::byte>* out_;
  std::span<const std::byte> in_;
  std::size_t pos_ = 0;
};

}  // namespace apical
