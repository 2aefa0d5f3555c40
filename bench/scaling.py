#!/usr/bin/python3
"""Thread scaling of apical: strong scaling (fixed network, 1..N threads) and weak
scaling (network size proportional to the thread count), with speed-up and
parallel efficiency, a PNG plot and rows for bench/RESULTS.md.

    /usr/bin/python3 bench/scaling.py [--max-threads N] [--repeats 3] [--duration 1000]
                                      [--nets brunel coba_64k] [--plot bench/scaling.png]

Strong: models/brunel2000.toml (12,500 neurons), models/coba_64k.toml (64,000
neurons) and, with --nets microcircuit, the full-scale microcircuit. Weak: sizes
times t / max at fixed in-degree (the microcircuit through n_scale). Times are apical's run loop (`run_s` of summary.json),
medians of the repeats. Needs python3-matplotlib (bash .ci/deps --bench).
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
APICAL = os.path.join(ROOT, 'build', 'apical')
FILES = {'brunel': 'models/brunel2000.toml', 'coba_64k': 'models/coba_64k.toml', 'microcircuit': 'models/microcircuit.toml'}


def scaled_model(net, factor):
    """The model text with population sizes times `factor` (in-degree kept)."""
    text = open(os.path.join(ROOT, FILES[net])).read()
    if net == 'microcircuit':   # neurons scaled, in-degrees kept (k_scale = 1)
        return re.sub(r'^scale = [0-9.]+', f'n_scale = {factor:.6g}\nk_scale = 1.0', text, flags=re.M)
    text = re.sub(r'^size = (\d+)', lambda m: f'size = {max(1, round(int(m.group(1)) * factor))}', text, flags=re.M)
    if net == 'coba_64k':   # pairwise_bernoulli: keep p * N fixed
        text = re.sub(r'^p = ([0-9.e-]+)', lambda m: f'p = {float(m.group(1)) / factor:.8g}', text, flags=re.M)
    return text


def run(model_text, threads, duration):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, 'model.toml')
        open(path, 'w').write(model_text)
        subprocess.run([APICAL, 'run', path, '--threads', str(threads), '--duration', str(duration), '--out', d,
                        '--progress', 'never'], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return json.load(open(os.path.join(d, 'summary.json')))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--max-threads', type=int, default=os.cpu_count())
    ap.add_argument('--repeats', type=int, default=3)
    ap.add_argument('--duration', type=float, default=1000.0)
    ap.add_argument('--nets', nargs='+', default=['brunel', 'coba_64k'])
    ap.add_argument('--plot', default=os.path.join(ROOT, 'bench', 'scaling.png'))
    args = ap.parse_args()
    threads = sorted({1, 2, 4, 8, 16, args.max_threads} & set(range(1, args.max_threads + 1)))
    results = {}
    for net in args.nets:
        for kind in ('strong', 'weak'):
            times, hashes = [], set()
            for t in threads:
                factor = 1.0 if kind == 'strong' else t / args.max_threads
                samples = [run(scaled_model(net, factor), t, args.duration) for _ in range(args.repeats)]
                times.append(statistics.median(s['run_s'] for s in samples))
                if kind == 'strong':
                    hashes.update(s['spike_hash'] for s in samples)
            results[(net, kind)] = times
            base = times[0]
            print(f'{net} {kind} scaling ({args.duration:g} ms, median of {args.repeats}):')
            for t, x in zip(threads, times):
                speedup = base / x if kind == 'strong' else None
                eff = (base / x / t) if kind == 'strong' else base / x
                print(f'  {t:3d} threads  {x:8.3f} s' + (f'  speed-up {speedup:5.2f}' if speedup else '') +
                      f'  efficiency {eff:5.2f}')
            if kind == 'strong':
                print(f'  spike hashes over all thread counts: {sorted(hashes)} (one hash: identical spikes)')
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
        fig, axes = plt.subplots(1, 2, figsize=(10, 4))
        for net in args.nets:
            s = results[(net, 'strong')]
            axes[0].plot(threads, [s[0] / x for x in s], 'o-', label=net)
            w = results[(net, 'weak')]
            axes[1].plot(threads, [w[0] / x for x in w], 'o-', label=net)
        axes[0].plot(threads, threads, 'k--', lw=0.8, label='ideal')
        axes[0].set(xlabel='threads', ylabel='speed-up', title='strong scaling')
        axes[1].axhline(1.0, color='k', ls='--', lw=0.8)
        axes[1].set(xlabel='threads', ylabel='efficiency (T1 / Tn)', title='weak scaling', ylim=(0, 1.2))
        for a in axes:
            a.legend()
            a.grid(alpha=0.3)
        fig.tight_layout()
        fig.savefig(args.plot, dpi=100)
        print('plot:', args.plot)
    except ImportError:
        print('matplotlib missing: no plot (bash .ci/deps --bench)')


if __name__ == '__main__':
    main()
