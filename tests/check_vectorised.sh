#!/bin/sh
# Refuses a neuron model's update loop, or a loop of the power law's STDP
# lanes, that GCC does not vectorise for AVX2 (x86-64-v3). The grid LIF loops
# run as intrinsics where AVX2 or AVX-512 is there (core/simd8.hpp); their
# tails, and every other CPU, take the portable form. A change that left that
# scalar made COBA's update 4x slower on an AVX2 host without a failing test
# (found 2026-11-30: a bool reduction; bench/RESULTS.md); the STDP lanes stayed
# scalar until exp_vec's polynomial was unrolled first (2026-12-02). Every loop
# under `#pragma GCC ivdep` in the files below must appear as "loop vectorized"
# in the -fopt-info reports of tests/CMakeLists.txt's x86-64-v3 compiles.
# lif_delta's fast step was scalar until 2026-12-02: the spike lambda after it
# took the step k by reference, and a store through the byte flags could then
# change k, so GCC gave up if-converting the loop. pyramidal_2c's exact step,
# listed the same day, was found vectorised already.
# Usage: check_vectorised.sh SOURCE_DIR REPORT...
src=$1
shift
status=0
for f in neurons/lif_exp.cpp neurons/lif_cond_exp.cpp neurons/lif_delta.cpp neurons/pyramidal_2c.cpp neurons/grid_threshold.hpp plasticity/stdp_synapses.cpp; do
  for line in $(grep -n '#pragma GCC ivdep' "$src/$f" | cut -d: -f1); do
    loop=$((line + 1))
    if cat "$@" | grep -q "$f:$loop:[0-9]*: optimized: loop vectorized"; then
      echo "vectorised: $f:$loop"
    else
      echo "NOT vectorised for x86-64-v3: $f:$loop (see -fopt-info-vec-missed)"
      status=1
    fi
  done
done
exit $status
