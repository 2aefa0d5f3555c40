#!/usr/bin/python3
"""Runs the standard networks in apical and in the Brian2 peer (C++ standalone),
one right after the other on the same machine, and prints both simulation times
and their ratio. Install the peer with `bash .ci/deps --bench`.

    /usr/bin/python3 bench/compare_brian2.py [--nets cuba coba brunel coba_stdp coba_stdp_nest brunel_stdp brunel_stdp_post] [--threads 1]
                                            [--duration 1000] [--repeats 3] [--markdown] [--apical EXE] [--record-spikes]

apical's simulation time is `run_s` of its summary.json (the run loop, build
excluded); Brian2's is `sim_loop` (its own measure of Network.run, build and
compile excluded). Both count spikes without keeping them: the peers' monitors
are SpikeMonitor(record=False), and apical runs with its spike recorder set to
`record = false` (each model file's recorder 0 records spikes). --record-spikes
keeps apical's spike times as its model files ask (the tables in
bench/RESULTS.md before 2026-12-03 were taken so). Each repeat runs apical then Brian2 back to back; the table
shows medians over the repeats, and the ratio is taken per repeat, then the median.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEERS = os.path.join(os.path.dirname(ROOT), 'shared', 'peers', 'brian2')
APICAL = os.path.join(ROOT, 'build', 'apical')
MODELS = {'cuba': 'models/cuba.toml', 'coba': 'models/coba.toml', 'brunel': 'models/brunel2000.toml',
          'coba_stdp': 'models/coba_stdp.toml', 'brunel_stdp': 'models/brunel_stdp.toml',
          'coba_stdp_post': 'models/coba_stdp.toml', 'coba_stdp_nest': 'models/coba_stdp.toml',
          'brunel_stdp_post': 'models/brunel_stdp.toml'}
# model-file overrides per network. models/coba_stdp.toml potentiates at post
# spikes, Brian2's order of updates (docs/models.md); coba_stdp_post, the name
# that network had while the file used NEST's order (before 2026-12-05), is
# kept for the commands in bench/RESULTS.md; coba_stdp_nest is NEST's order.
# models/brunel_stdp.toml keeps NEST's order (hpc_benchmark); brunel_stdp_post
# is Brian2's.
SETS = {'coba_stdp_post': ['projection.EE.plasticity.potentiation=at_post'],
        'coba_stdp_nest': ['projection.EE.plasticity.potentiation=at_next_pre'],
        'brunel_stdp_post': ['projection.0.plasticity.potentiation=at_post']}
# the peer script and its extra arguments per network; plastic Brunel's peer is
# ours (bench/peers/), the shared directory has none
PEER = {'cuba': (os.path.join(PEERS, 'cuba.py'), []), 'coba': (os.path.join(PEERS, 'coba.py'), []),
        'brunel': (os.path.join(PEERS, 'brunel.py'), []), 'coba_stdp': (os.path.join(PEERS, 'coba.py'), ['--stdp']),
        'brunel_stdp': (os.path.join(ROOT, 'bench', 'peers', 'brunel_stdp.py'), []),
        'coba_stdp_post': (os.path.join(PEERS, 'coba.py'), ['--stdp']),
        'coba_stdp_nest': (os.path.join(PEERS, 'coba.py'), ['--stdp']),
        'brunel_stdp_post': (os.path.join(ROOT, 'bench', 'peers', 'brunel_stdp.py'), [])}


# the peers count spikes without keeping them (SpikeMonitor(record=False)):
# apical's spike recorder (recorder 0 in every model file above) the same
COUNT_ONLY = ['recorder.0.record=false', 'recorder.0.populations=[]']


def run_apical(exe, net, threads, duration, seed, record_spikes=False):
    with tempfile.TemporaryDirectory() as out:
        cmd = [exe, 'run', os.path.join(ROOT, MODELS[net]), '--threads', str(threads), '--duration', str(duration),
               '--seed', str(seed), '--out', out, '--progress', 'never']
        for kv in SETS.get(net, []) + ([] if record_spikes else COUNT_ONLY):
            cmd += ['--set', kv]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(os.path.join(out, 'summary.json')) as f:
            return json.load(f)


def run_brian2(net, threads, duration, seed):
    script, extra = PEER[net]
    cmd = ['/usr/bin/python3', script, '--duration', str(duration / 1000.0),
           '--threads', str(threads), '--seed', str(seed)] + extra
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.startswith('RESULT '):
            return json.loads(line[7:])
    raise RuntimeError('no RESULT line from ' + ' '.join(cmd))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--nets', nargs='+', default=['cuba', 'coba', 'brunel'])
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--duration', type=float, default=1000.0, help='ms')
    ap.add_argument('--repeats', type=int, default=3)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--markdown', action='store_true', help='print rows for bench/RESULTS.md')
    ap.add_argument('--apical', default=APICAL,
                    help='the apical program (default build/apical; another build, e.g. -march=x86-64-v3)')
    ap.add_argument('--record-spikes', action='store_true',
                    help="apical keeps its spike times (the peers only count theirs)")
    args = ap.parse_args()
    if not os.path.exists(args.apical):
        sys.exit('build apical first (README, first command)')
    rows = []
    for net in args.nets:
        run_brian2(net, args.threads, args.duration, args.seed)   # compile once, untimed
        a_t, b_t, ratios = [], [], []
        for r in range(args.repeats):
            a = run_apical(args.apical, net, args.threads, args.duration, args.seed, args.record_spikes)
            b = run_brian2(net, args.threads, args.duration, args.seed)
            a_t.append(a['run_s'])
            b_t.append(b['sim_loop'])
            ratios.append(b['sim_loop'] / a['run_s'])
        rates_a = {p: round(v['rate_Hz'], 2) for p, v in a['populations'].items()}
        rates_b = {k[5:-3]: round(v, 2) for k, v in b.items() if k.startswith('rate_') and k != 'rate_all_Hz'}
        rows.append(dict(net=net, apical_s=statistics.median(a_t), brian2_s=statistics.median(b_t),
                         ratio=statistics.median(ratios), apical_min_s=min(a_t), brian2_min_s=min(b_t),
                         apical_build_s=a['build_s'], events=a['synaptic_events'],
                         apical_rates=rates_a, brian2_rates=rates_b, peak_mib=a['peak_memory_bytes'] / 2**20,
                         bytes_per_syn=a['synapse_bytes'] / max(1, a['synapses'])))
    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores; {time.strftime('%Y-%m-%d %H:%M')}; "
          f"threads {args.threads}, {args.duration:g} ms, {args.repeats} repeats (medians); "
          f"apical {'keeps its spike times' if args.record_spikes else 'counts spikes only, as the peers'}")
    print(f"{'net':8} {'apical [s]':>11} {'Brian2 [s]':>11} {'speed-up':>9} {'events/s (apical)':>18}  rates apical | Brian2 [Hz]")
    for r in rows:
        print(f"{r['net']:8} {r['apical_s']:11.3f} {r['brian2_s']:11.3f} {r['ratio']:8.2f}x {r['events'] / r['apical_s']:18.3e}"
              f"  {r['apical_rates']} | {r['brian2_rates']}")
    # a machine shared with others only ever adds time: the fastest repeats
    # are the steadiest estimate (this VM's Brian2 runs of plastic COBA took
    # either ~0.20 s or ~0.47 s, in streaks, on 2026-12-03)
    print('fastest repeats: ' + '; '.join(f"{r['net']} {r['apical_min_s']:.4f} / {r['brian2_min_s']:.4f} s = "
                                          f"{r['brian2_min_s'] / r['apical_min_s']:.2f}x" for r in rows))
    if args.markdown:
        for r in rows:
            print(f"| {time.strftime('%Y-%m-%d')} | {r['net']} | {args.threads} | {args.duration:g} | {r['apical_s']:.3f} | "
                  f"{r['brian2_s']:.3f} | {r['ratio']:.2f}x | {r['events'] / r['apical_s']:.3g} | {r['peak_mib']:.0f} | "
                  f"{r['bytes_per_syn']:.2f} |")


if __name__ == '__main__':
    main()
