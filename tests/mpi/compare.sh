#!/usr/bin/env bash
# Runs a model single-process and under mpirun with 2 and 3 ranks (as root in CI:
# --allow-run-as-root --oversubscribe) and requires identical spike, state and
# final-weight hashes and synaptic event counts. Usage: compare.sh APICAL_EXE MODEL
set -euo pipefail
exe=$1
model=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mpi=(mpirun --allow-run-as-root --oversubscribe)
field() { grep -o "\"$2\": \"\\?[0-9a-f]*" "$1/summary.json" | head -n 1 | sed 's/.*: "\?//'; }

"$exe" run "$model" --out "$tmp/single" --progress never > /dev/null
"${mpi[@]}" -np 2 "$exe" run "$model" --out "$tmp/np2" --progress never > /dev/null
"${mpi[@]}" -np 3 "$exe" run "$model" --threads 2 --out "$tmp/np3" --progress never > /dev/null
status=0
for key in spike_hash state_hash weight_hash synaptic_events spikes synapses; do
  a=$(field "$tmp/single" $key)
  for run in np2 np3; do
    b=$(field "$tmp/$run" $key)
    if [ "$a" != "$b" ]; then echo "MISMATCH $key: single $a, $run $b"; status=1; fi
  done
  echo "$key: single $a, np2 $(field "$tmp/np2" $key), np3 $(field "$tmp/np3" $key)"
done
ranks=$(field "$tmp/np2" ranks)
[ "$ranks" = "2" ] || { echo "np2 ran on $ranks rank(s): apical was built without MPI?"; status=1; }
exit $status
