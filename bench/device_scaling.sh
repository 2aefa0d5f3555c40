#!/bin/bash
# Thread scaling up to 16 threads on the device machine (issue 3), and issue 5's
# plastic/static ratio on its host, with the bundle of bench/device_bundle.sh;
# everything it prints also goes to $OUT (2-3 minutes; 7 files).
# Besides bench/scaling.py: the 16-thread phases, and a control of the machine
# itself: 16 independent one-thread runs at once against one alone (COBA 4000
# for 10 s, 3 MB each, so that all fit the L3 together). Meant for that
# machine's copy of the tree: it replaces build/apical by a link to the bundle.
set -u
export PYTHONUNBUFFERED=1
OUT=${OUT:-/tmp/device_out}
mkdir -p "$OUT" build && ln -sf ../.devrun/apical build/apical
A=build/apical
{
  date -u; nproc; grep -m1 'model name' /proc/cpuinfo; lscpu 2>/dev/null | grep -E 'Thread|Core|Socket|L3'
  for m in brunel2000 coba_64k; do for t in 1 16; do
    echo "== $m, $t threads: $($A run models/$m.toml --threads $t --duration 1000 --out /tmp/o_${m}_${t} --progress never 2>/dev/null |
      grep -E 'hash|run time|phases|load' | tr -s ' ' | cut -c1-200 | tr '\n' '|')"
  done; done
  echo "== control: COBA 4000, 10 s, one 1-thread run alone: $($A run models/coba.toml --threads 1 --duration 10000 --out /tmp/c_solo --progress never 2>/dev/null | grep 'run time')"
  for i in $(seq 0 15); do
    ( taskset -c "$i" $A run models/coba.toml --threads 1 --duration 10000 --out /tmp/c_$i --progress never 2>/dev/null |
      grep 'run time' | awk '{print $3}' > /tmp/c_$i.txt ) &
  done
  wait
  echo "== control: 16 such runs at once, run times [s]: $(cat /tmp/c_*.txt | sort -n | tr '\n' ' ')"
} 2>&1 | tee "$OUT/detail.txt"
# issue 5 on this host: plastic COBA against static (paired, one thread;
# models/coba_stdp.toml potentiates at post spikes, Brian2's order), and plastic
# COBA in both orders on 1..16 threads
quiet=(--set recorder.0.record=false --set 'recorder.0.populations=[]')
python3 bench/paired_ab.py $A $A models/coba.toml --model-b models/coba_stdp.toml --pairs 16 -- "${quiet[@]}" 2>&1 |
  tee "$OUT/stdp_ratio.txt"
for order in at_next_pre at_post; do for t in 1 2 4 8 16; do for r in 1 2 3; do
  echo "coba_stdp $order, $t threads: $($A run models/coba_stdp.toml --threads $t "${quiet[@]}" \
    --set projection.EE.plasticity.potentiation=$order --out /tmp/s --progress never 2>&1 |
    grep -E 'run time|phases|bytes/plastic' | tr -s ' ' | cut -c1-100 | tr '\n' '|')"
done; done; done 2>&1 | tee "$OUT/stdp_threads.txt"
python3 bench/scaling.py --max-threads 16 --repeats 3 --nets brunel coba_64k --plot "$OUT/scaling.png" 2>&1 | tee "$OUT/scaling.txt"
python3 bench/scaling.py --max-threads 16 --repeats 1 --duration 200 --nets microcircuit \
  --plot "$OUT/scaling_microcircuit.png" 2>&1 | tee "$OUT/scaling_microcircuit.txt"
