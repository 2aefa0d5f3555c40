#!/usr/bin/env python3
"""Two apical binaries on one model, timed in pairs: both started together, each
pinned to its own core (taskset), the cores swapped from pair to pair. On a
shared 2-core VM whose speed moves from minute to minute, the ratio within a pair
is steadier than two series of alternated runs (bench/RESULTS.md, "AVX2 hosts").

  python3 bench/paired_ab.py A B MODEL.toml [--model-b MODEL_B.toml] [--pairs N] [--one-at-a-time]
                             [-- extra apical run options]

With --model-b, B runs that model (A the first): one binary may be given twice,
to time two networks against each other (plastic against static COBA).

Prints, for the summary's run time and its deliver and update phases, each
binary's min and median and the median (and range) of B / A over the pairs, and
fails if the two binaries' spike hashes differ. The core-balanced ratio is the
median over pairs of pairs (cores swapped) of the geometric mean of their ratios.

With --one-at-a-time, a pair's two runs follow each other on one core (the
order and the core swapped from pair to pair), so that neither shares the
caches and memory with the other: a memory-bound run (plastic COBA's scattered
weights) slows its twin and is slowed by it when both run together.
"""
import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile


def parse(text, out_dir):
    # the times from summary.json, to the microsecond (the printed summary's are
    # to the millisecond: too coarse for a 1 s COBA run of 0.03 s); the hash
    # from the printed summary, which shows none when no spikes were recorded
    with open(os.path.join(out_dir, 'summary.json')) as f:
        s = json.load(f)
    spike_hash = re.search(r'spike hash\s+([0-9a-f]{16})', text)
    return dict(run=s['run_s'], deliver=s['deliver_s'], update=s['update_s'],
                hash=spike_hash.group(1) if spike_hash else None)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('a')
    ap.add_argument('b')
    ap.add_argument('model')
    ap.add_argument('--model-b', help='the model B runs (default: MODEL)')
    ap.add_argument('--pairs', type=int, default=10)
    ap.add_argument('--one-at-a-time', action='store_true',
                    help="run a pair's two runs one after the other on one core, not together")
    argv = sys.argv[1:]
    split = argv.index('--') if '--' in argv else len(argv)
    args = ap.parse_args(argv[:split])
    extra = argv[split + 1:]   # options for apical run
    runs = ((args.a, args.model), (args.b, args.model_b or args.model))
    ra, rb = [], []
    with tempfile.TemporaryDirectory() as out:
        for i in range(args.pairs):
            if args.one_at_a_time:   # one core, the order swapped with it
                cores, order = (i % 2, i % 2), ((0, 1) if i % 2 == 0 else (1, 0))
            else:
                cores, order = ((0, 1) if i % 2 == 0 else (1, 0)), (0, 1)

            def start(k):
                (exe, model), core = runs[k], cores[k]
                return subprocess.Popen(['taskset', '-c', str(core), exe, 'run', model, '--out', f'{out}/{k}'] + extra,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

            def finish(k, p):
                text = p.communicate()[0]
                if p.returncode != 0:
                    sys.exit(f'{runs[k][0]} failed:\n{text}')
                return parse(text, f'{out}/{k}')

            if args.one_at_a_time:
                got = {k: finish(k, start(k)) for k in order}
            else:
                procs = {k: start(k) for k in order}
                got = {k: finish(k, procs[k]) for k in order}
            ra.append(got[0])
            rb.append(got[1])
    for key in ('run', 'deliver', 'update'):
        ratios = [y[key] / x[key] for x, y in zip(ra, rb)]
        # two consecutive pairs swap the cores (one at a time: the core and
        # the order): the geometric mean of their ratios cancels a difference
        # in speed between the cores (on some VMs one core runs ~40% slower,
        # and the single ratios alternate around it)
        balanced = [math.sqrt(ratios[i] * ratios[i + 1]) for i in range(0, len(ratios) - 1, 2)]
        print(f'{key:8s} A {min(x[key] for x in ra):.4f} / {statistics.median(x[key] for x in ra):.4f} s'
              f'   B {min(x[key] for x in rb):.4f} / {statistics.median(x[key] for x in rb):.4f} s (min / median)'
              f'   B/A {statistics.median(ratios):.3f} ({min(ratios):.3f}-{max(ratios):.3f})'
              + (f', core-balanced {statistics.median(balanced):.3f} ({min(balanced):.3f}-{max(balanced):.3f})'
                 if balanced else ''))
    hashes = {r['hash'] for r in ra + rb}
    print('spike hashes:', ', '.join(sorted(h or '?' for h in hashes)))
    if len(hashes) != 1 and not args.model_b:
        sys.exit('the binaries disagree on the spikes')


if __name__ == '__main__':
    main()
