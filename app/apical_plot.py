#!/usr/bin/env python3
"""apical plot DIR [--out OUTDIR]: figures of an `apical run` output directory.

DIR is written by `apical run MODEL.toml --out DIR`. The PNG files go to OUTDIR
(default DIR/plots), each written under a temporary name and renamed when
complete; the path of each is printed on its own line:

  raster.png   spike times (ms) of every population in spikes.h5, populations
               stacked top to bottom in the model's order, one colour each; a
               population above 500 neurons shows 500 evenly spaced node ids
               (the title says which).
  rates.png    one histogram per population of the neurons' firing rates [Hz]:
               spike count / recorded duration (summary.json's biological_ms,
               else the last spike time), with the mean rate in the legend.
  weights.png  only with weights.h5: per plastic projection, the histogram of
               the final weights and, when a weight recorder ran, the mean and
               5-95 % band of the recorded weights over time with a few sample
               synapses. An `on_change` recording is summarised on a time grid
               from each synapse's last update (synapses not yet updated are
               left out).
  state.png    only with state reports (<variable>.h5): the first 5 recorded
               neurons of every variable and population, with units.

Errors (DIR, spikes.h5 or another input missing or unreadable) print one line
`apical plot: error: ...` on stderr and exit with status 2.

Needs python3-matplotlib, python3-h5py and python3-numpy; draws with Agg.
"""
import argparse
import contextlib
import glob
import json
import math
import os
import sys
import warnings
from dataclasses import dataclass

import h5py
import matplotlib
import numpy as np

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

RASTER_ROWS = 500        # most neurons per population in the raster
STATE_TRACES = 5         # neurons per variable and population in state.png
SAMPLE_SYNAPSES = 5      # sample weight trajectories per projection
ON_CHANGE_GRID = 200     # time points summarising an on_change weight recording
ROWS_PER_BLOCK = 1 << 22  # values read at a time from a recorded weight matrix


class PlotError(Exception):
    """An input that cannot be plotted; main() prints it and exits with 2."""


@dataclass
class Population:
    name: str
    size: int
    size_known: bool   # from summary.json; else inferred from the spikes
    times: np.ndarray  # ms
    ids: np.ndarray    # population-local node ids


@dataclass
class WeightHistory:
    mode: str          # 'interval' or 'on_change'
    times: np.ndarray  # ms
    stats: np.ndarray  # rows: mean, 5th and 95th percentile at each time
    samples: list      # (label, times, weights) of a few synapses


@dataclass
class Projection:
    name: str
    units: str
    weights: np.ndarray  # final weights
    history: WeightHistory | None


@dataclass
class Trace:
    variable: str
    population: str
    units: str
    times: np.ndarray   # ms
    values: np.ndarray  # time x neuron
    node_ids: np.ndarray


# ---------------------------------------------------------------- reading

@contextlib.contextmanager
def h5_file(path):
    """Opens an HDF5 file for reading; an unreadable file or a missing object
    inside it becomes a PlotError naming the file."""
    try:
        with h5py.File(path, 'r') as f:
            yield f
    except (OSError, KeyError, ValueError) as e:
        raise PlotError(f'{path}: {e}') from e


def text_attr(obj, name, default=''):
    """A string attribute, whether HDF5 stores it as bytes or as str."""
    value = obj.attrs.get(name, default)
    return value.decode() if isinstance(value, bytes) else str(value)


def read_summary(run_dir):
    """summary.json as a dict, or {} when the run wrote none."""
    path = os.path.join(run_dir, 'summary.json')
    if not os.path.isfile(path):
        return {}
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise PlotError(f'{path}: {e}') from e


def read_spikes(path, summary):
    """The populations of spikes.h5 in the model's order (summary.json's),
    sizes from summary.json or else the largest node id that fired (0 for a
    silent population)."""
    sizes = {name: p['neurons'] for name, p in summary.get('populations', {}).items()}
    with h5_file(path) as f:
        if 'spikes' not in f or not len(f['spikes']):
            raise PlotError(f'{path}: no populations under /spikes')
        names = list(f['spikes'])
        names = [n for n in sizes if n in names] + [n for n in names if n not in sizes]
        pops = []
        for name in names:
            group = f['spikes'][name]
            ids = group['node_ids'][:].astype(np.int64)
            inferred = int(ids.max()) + 1 if ids.size else 0
            pops.append(Population(name, sizes.get(name, inferred), name in sizes,
                                   group['timestamps'][:], ids))
    return pops


def recorded_duration(summary, pops, path):
    """The simulated time [ms]: summary.json's, else the last spike time."""
    last = max((p.times.max() for p in pops if p.times.size), default=0.0)
    duration = float(summary.get('biological_ms', last))
    if duration <= 0.0:
        raise PlotError(f'{path}: nothing to plot: no simulated time (summary.json) and no spikes')
    return duration


def sample_indices(n, limit):
    """At most `limit` evenly spaced indices in [0, n), ascending."""
    if n <= limit:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, limit).round().astype(np.int64))


def percentile_stats(values):
    """Mean, 5th and 95th percentile of each row, ignoring NaN (3 x rows).
    An all-NaN row (an on_change grid point before any update) gives NaN,
    which is not drawn."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', RuntimeWarning)
        return np.vstack([np.nanmean(values, axis=1), np.nanpercentile(values, [5, 95], axis=1)])


def synapse_label(rec, i):
    return f'{rec["source_node_ids"][i]}→{rec["target_node_ids"][i]}'


def interval_history(rec):
    """A weight recorder's `data` (time x synapse) every `time[2]` ms."""
    data = rec['data']
    if data.size == 0:
        return None
    start, _, step = rec['time'][:]
    times = start + step * np.arange(data.shape[0])
    rows = max(1, ROWS_PER_BLOCK // data.shape[1])
    stats = np.hstack([percentile_stats(data[i:i + rows]) for i in range(0, data.shape[0], rows)])
    cols = sample_indices(data.shape[1], SAMPLE_SYNAPSES)
    values = data[:, cols.tolist()]
    samples = [(synapse_label(rec, c), times, values[:, k]) for k, c in enumerate(cols)]
    return WeightHistory('interval', times, stats, samples)


def on_change_history(rec):
    """An on_change recorder's updates (time, synapse, new weight), sorted by
    time: statistics of each synapse's latest weight on a time grid."""
    times, synapse, values = rec['time'][:], rec['synapse'][:], rec['data'][:]
    if times.size == 0:
        return None
    grid = np.linspace(times[0], times[-1], ON_CHANGE_GRID)
    current = np.full(len(rec['source_node_ids']), np.nan)
    stats = np.empty((3, grid.size))
    start = 0
    for k, end in enumerate(np.searchsorted(times, grid, side='right')):
        syn = synapse[start:end]
        last = syn.size - 1 - np.unique(syn[::-1], return_index=True)[1]
        current[syn[last]] = values[start:end][last]
        stats[:, k] = percentile_stats(current[np.newaxis, :])[:, 0]
        start = end
    changed = np.unique(synapse)
    samples = []
    for s in changed[sample_indices(changed.size, SAMPLE_SYNAPSES)]:
        mask = synapse == s
        t, w = times[mask], values[mask]
        samples.append((synapse_label(rec, s), np.append(t, times[-1]), np.append(w, w[-1])))
    return WeightHistory('on_change', grid, stats, samples)


def read_weights(path):
    """Every projection of weights.h5 with its recorded history, if any."""
    projections = []
    with h5_file(path) as f:
        for name, group in f.get('weights', {}).items():
            history = None
            if 'recorded' in group:
                rec = group['recorded']
                on_change = text_attr(rec, 'mode') == 'on_change'
                history = on_change_history(rec) if on_change else interval_history(rec)
            weights = group['weights']
            projections.append(Projection(name, text_attr(weights, 'units'), weights[:], history))
    return projections


def read_state(run_dir):
    """The first STATE_TRACES neurons of every population in every state
    report (<variable>.h5 holding /report) of the run directory."""
    traces = []
    for path in sorted(glob.glob(os.path.join(run_dir, '*.h5'))):
        variable = os.path.splitext(os.path.basename(path))[0]
        with h5_file(path) as f:
            for population, group in f.get('report', {}).items():
                data = group['data']
                start, _, step = group['mapping/time'][:]
                times = start + step * np.arange(data.shape[0])
                k = min(STATE_TRACES, data.shape[1])
                traces.append(Trace(variable, population, text_attr(data, 'units'), times,
                                    data[:, :k], group['mapping/node_ids'][:k]))
    return traces


# ---------------------------------------------------------------- drawing

def size_text(p, shown):
    """'800', '500 of 10000', with '≥' before a size not from summary.json."""
    size = f'{p.size}' if p.size_known else f'≥{p.size}'
    return size if shown == p.size else f'{shown} of {size}'


def colour(i):
    return f'C{i % 10}'


def plot_raster(pops, duration):
    """Spike raster, populations stacked top to bottom; a population gets at
    least 4 % of the height so that small ones stay visible."""
    shown = [sample_indices(p.size, RASTER_ROWS) for p in pops]
    total = sum(s.size for s in shown)
    bands = [max(s.size, math.ceil(0.04 * total)) for s in shown]
    fig, ax = plt.subplots(figsize=(10, 6))
    height_pt = 0.8 * 6 * 72
    marker = min(6.0, max(1.0, height_pt / sum(bands)))
    offset, ticks, labels, notes = 0.0, [], [], []
    for i, (p, ids, band) in enumerate(zip(pops, shown, bands)):
        keep = np.isin(p.ids, ids)
        rows = np.searchsorted(ids, p.ids[keep])
        y = offset + (rows + 0.5) * band / max(ids.size, 1)
        ax.plot(p.times[keep], y, linestyle='none', marker='|', markersize=marker,
                markeredgewidth=0.6, color=colour(i))
        ticks.append(offset + band / 2)
        labels.append(f'{p.name}\n({size_text(p, ids.size)})')
        if ids.size < p.size:
            notes.append(p.name)
        offset += band
        if i + 1 < len(pops):
            ax.axhline(offset, color='0.8', linewidth=0.8)
    ax.set_xlim(0.0, duration)
    ax.set_ylim(offset, 0.0)
    ax.set_yticks(ticks, labels)
    for i, tick in enumerate(ax.get_yticklabels()):
        tick.set_color(colour(i))
    ax.set_xlabel('time (ms)')
    ax.set_ylabel('neurons (stacked by population)')
    title = f'Spike raster, {duration:g} ms'
    if notes:
        title += f'\n{", ".join(notes)}: {RASTER_ROWS} evenly spaced neurons shown'
    ax.set_title(title)
    fig.tight_layout()
    return fig


def grid_axes(n, width=4.0, height=3.0):
    """A figure with n panels, at most 3 per row; unused panels hidden."""
    cols = min(n, 3)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes.flat[:n]


def plot_rates(pops, duration):
    """Histogram of per-neuron rates, one panel per population. Each bin
    holds a whole number of spike counts, so no bin is emptier by aliasing.
    A silent population of unknown size (no summary.json) has no panel."""
    seconds = duration / 1000.0
    panels = [(i, p) for i, p in enumerate(pops) if p.size]
    fig, axes = grid_axes(len(panels))
    for (i, p), ax in zip(panels, axes):
        counts = np.bincount(p.ids, minlength=p.size)
        step = max(1, math.ceil((counts.max() + 1) / 40))
        edges = np.arange(0, counts.max() + step + 1, step) / seconds
        rates = counts / seconds
        ax.hist(rates, bins=edges, color=colour(i), label=f'n = {size_text(p, p.size)}')
        ax.axvline(rates.mean(), color='k', linestyle='--', linewidth=1,
                   label=f'mean {rates.mean():.4g} Hz')
        ax.set_title(p.name)
        ax.set_xlabel('firing rate (Hz)')
        ax.set_ylabel('neurons')
        ax.legend(fontsize='small')
    fig.suptitle(f'Firing rates over {duration:g} ms')
    fig.tight_layout()
    return fig


def unit_label(name, units):
    return f'{name} ({units})' if units else name


def plot_history(ax, history, units):
    """Mean and 5-95 % band of the recorded weights, with sample synapses."""
    mean, low, high = history.stats
    ax.fill_between(history.times, low, high, color='0.85', label='5-95 %')
    for label, times, weights in history.samples:
        drawstyle = 'steps-post' if history.mode == 'on_change' else 'default'
        ax.plot(times, weights, linewidth=0.8, drawstyle=drawstyle, label=label)
    ax.plot(history.times, mean, color='k', linewidth=1.5, label='mean')
    ax.set_xlabel('time (ms)')
    ax.set_ylabel(unit_label('weight', units))
    ax.set_title('recorded weights' + (' (on change)' if history.mode == 'on_change' else ''))
    ax.legend(fontsize='x-small', title='synapse pre→post', title_fontsize='x-small', loc='upper left',
              bbox_to_anchor=(1.0, 1.0))


def plot_weights(projections):
    """Per projection a row: final weight histogram, then the history."""
    cols = 2 if any(p.history for p in projections) else 1
    fig, axes = plt.subplots(len(projections), cols, figsize=(6 * cols, 3.2 * len(projections)),
                             squeeze=False)
    for row, p in zip(axes, projections):
        ax = row[0]
        ax.hist(p.weights, bins=40, color='C0')
        ax.set_title(f'{p.name}: final weights, mean {p.weights.mean():.4g} {p.units}'.rstrip())
        ax.set_xlabel(unit_label('weight', p.units))
        ax.set_ylabel('synapses')
        if cols == 2:
            if p.history:
                plot_history(row[1], p.history, p.units)
            else:
                row[1].set_visible(False)
    fig.tight_layout()
    return fig


def plot_state(traces):
    """One panel per variable and population, first neurons overlaid."""
    fig, axes = plt.subplots(len(traces), 1, figsize=(10, 1 + 2.2 * len(traces)), sharex=True,
                             squeeze=False)
    for ax, tr in zip(axes[:, 0], traces):
        for k, node in enumerate(tr.node_ids):
            ax.plot(tr.times, tr.values[:, k], linewidth=0.8, label=f'node {node}')
        ax.set_ylabel(unit_label(tr.variable, tr.units))
        ax.set_title(f'{tr.population}: {tr.variable}', fontsize='medium')
        ax.legend(fontsize='x-small', loc='upper left', bbox_to_anchor=(1.0, 1.0))
    axes[-1, 0].set_xlabel('time (ms)')
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- output

def save(fig, out_dir, name):
    """Writes the figure to OUT_DIR/NAME through a temporary file and a
    rename, so no reader sees a partial file; prints the path."""
    path = os.path.join(out_dir, name)
    tmp = os.path.join(out_dir, f'.{name}.{os.getpid()}.tmp')
    try:
        fig.savefig(tmp, format='png', dpi=110)
        os.replace(tmp, path)
    except OSError as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise PlotError(f'{path}: {e}') from e
    finally:
        plt.close(fig)
    print(path, flush=True)


def plot_run(run_dir, out_dir):
    """Reads the run directory and writes every figure that applies."""
    if not os.path.isdir(run_dir):
        raise PlotError(f'{run_dir}: no such directory')
    spikes_path = os.path.join(run_dir, 'spikes.h5')
    if not os.path.isfile(spikes_path):
        raise PlotError(f'{spikes_path}: no such file (written by apical run MODEL.toml --out {run_dir})')
    summary = read_summary(run_dir)
    pops = read_spikes(spikes_path, summary)
    duration = recorded_duration(summary, pops, spikes_path)
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as e:
        raise PlotError(f'{out_dir}: {e}') from e
    save(plot_raster(pops, duration), out_dir, 'raster.png')
    save(plot_rates(pops, duration), out_dir, 'rates.png')
    weights_path = os.path.join(run_dir, 'weights.h5')
    projections = read_weights(weights_path) if os.path.isfile(weights_path) else []
    if projections:
        save(plot_weights(projections), out_dir, 'weights.png')
    traces = read_state(run_dir)
    if traces:
        save(plot_state(traces), out_dir, 'state.png')


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='apical plot', description='Plot the outputs of `apical run` as PNG files.')
    parser.add_argument('dir', metavar='DIR', help='output directory of apical run')
    parser.add_argument('--out', metavar='OUTDIR', help='where to write the PNG files (default DIR/plots)')
    args = parser.parse_args(argv)
    try:
        plot_run(args.dir, args.out or os.path.join(args.dir, 'plots'))
    except PlotError as e:
        print(f'apical plot: error: {e}', file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
