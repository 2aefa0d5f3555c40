#!/usr/bin/env python3
"""Does the dendritic microcircuit approximate back-prop? (Sacramento et al. 2018)

Runs `apical learn` on the nonlinear regression of Fig. 2
(models/sacramento2018_regression.toml) and on scikit-learn's digits
(models/sacramento2018_digits.toml), each with symmetric and with random
feedback (feedback alignment), the regression also in spiking mode (Euler
steps) and the digits in spiking mode with steady-state settling (Poisson spike
counts, 5 spikes/ms per unit rate, 20 ms per image, probes counting 20 s). Every
run trains the microcircuit beside the equivalent MLP trained by exact back-prop
and a shallow learner, from the same weights on the same examples, and records
test errors and the angle between the microcircuit's forward-weight update and
the back-prop gradient per layer (learning.json). The "transported" runs reset the
interneurons to the self-predicting state after every example (learn.interneurons). Prints the final numbers and
plots errors and hidden-layer angles (docs/figures/dendritic_learning.png).

Usage: /usr/bin/python3 bench/dendritic_learning.py [--apical build/apical] [--jobs 2] [--scale 1.0]
"""
import argparse
import concurrent.futures as cf
import json
import os
import re
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def variant(model, tag, work, feedback='symmetric', spiking=False, scale=1.0, transported=False, fast_spikes=False,
            counts=False):
    text = open(os.path.join(ROOT, 'models', model)).read()
    text = text.replace('feedback = "symmetric"', f'feedback = "{feedback}"')
    if transported:
        text = text.replace('seed = 1', 'seed = 1\ninterneurons = "transported"')
    n = int(re.search(r'train_examples = (\d+)', text).group(1))
    if spiking and counts:   # steady state: spike counts over each presentation, long probe windows
        text = text.replace('seed = 1', 'seed = 1\nmode = "spiking"\nrate_scale = 5.0\nprobe_duration = 20000.0')
    elif spiking and fast_spikes:   # more spikes, longer presentations and probes: less spike noise
        n = n * 3 // 10
        text = text.replace('seed = 1', 'seed = 1\nmode = "spiking"\nrate_scale = 20.0\nprobe_duration = 2000.0')
        text = re.sub(r'presentation = [0-9.]+', 'presentation = 50.0', text)
    elif spiking:
        n //= 2
        text = text.replace('seed = 1', 'seed = 1\nmode = "spiking"\nrate_scale = 5.0\nprobe_duration = 1000.0')
        text = re.sub(r'presentation = [0-9.]+', 'presentation = 30.0', text)
    text = re.sub(r'train_examples = \d+', f'train_examples = {max(100, int(n * scale))}', text)
    path = os.path.join(work, tag + '.toml')
    with open(path, 'w') as f:
        f.write(text)
    return tag, path


def run(apical, work, tag, path):
    out = os.path.join(work, tag)
    subprocess.run([apical, 'learn', path, '--out', out], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(os.path.join(out, 'learning.json')) as f:
        return tag, json.load(f)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--apical', default=os.path.join(ROOT, 'build', 'apical'))
    p.add_argument('--jobs', type=int, default=2)
    p.add_argument('--scale', type=float, default=1.0, help='fraction of the model files\' training examples')
    p.add_argument('--plot', default=os.path.join(ROOT, 'docs', 'figures', 'dendritic_learning.png'))
    a = p.parse_args()
    work = tempfile.mkdtemp(prefix='apical-learn-')
    jobs = [variant('sacramento2018_regression.toml', 'regression_symmetric', work, scale=a.scale),
            variant('sacramento2018_regression.toml', 'regression_random', work, 'random', scale=a.scale),
            variant('sacramento2018_regression.toml', 'regression_spiking', work, spiking=True, scale=a.scale),
            variant('sacramento2018_regression.toml', 'regression_transported', work, scale=a.scale, transported=True),
            variant('sacramento2018_regression.toml', 'regression_spiking-transported', work, spiking=True, scale=a.scale,
                    transported=True, fast_spikes=True),
            variant('sacramento2018_regression.toml', 'regression_spiking-transported-random', work, 'random', spiking=True,
                    scale=a.scale, transported=True, fast_spikes=True),
            variant('sacramento2018_digits.toml', 'digits_symmetric', work, scale=a.scale),
            variant('sacramento2018_digits.toml', 'digits_transported', work, scale=a.scale, transported=True),
            variant('sacramento2018_digits.toml', 'digits_random', work, 'random', scale=a.scale),
            variant('sacramento2018_digits.toml', 'digits_spiking', work, spiking=True, scale=a.scale, counts=True),
            variant('sacramento2018_digits.toml', 'digits_spiking-transported', work, spiking=True, scale=a.scale, counts=True,
                    transported=True),
            variant('sacramento2018_digits.toml', 'digits_spiking-transported-random', work, 'random', spiking=True, scale=a.scale,
                    counts=True, transported=True)]
    with cf.ThreadPoolExecutor(a.jobs) as ex:
        res = dict(ex.map(lambda j: run(a.apical, work, *j), jobs))

    print(f'{"run":<36} {"examples":>8} {"microcircuit":>12} {"spikes out":>10} {"back-prop":>10} {"shallow":>8}  '
          'angle to back-prop [deg] per layer (mean of last 3 checkpoints)   wall s')
    for tag, r in res.items():
        last = r['curve'][-1]
        tail = r['curve'][-3:]
        angles = [sum(c['angle_deg'][k] for c in tail) / len(tail) for k in range(len(last['angle_deg']))]
        spikes_out = f'{last["microcircuit_spiking"]:>10.4g}' if 'microcircuit_spiking' in last else f'{"":>10}'
        print(f'{tag:<36} {last["examples"]:>8} {last["microcircuit"]:>12.4g} {spikes_out} {last["backprop"]:>10.4g} '
              f'{last["shallow"]:>8.4g}  ' + ', '.join(f'{x:.1f}' for x in angles) + f'   {r["wall_s"]:.0f}')

    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(1, 3, figsize=(15, 4))
    for i, task in enumerate(('regression', 'digits')):
        sym = res[f'{task}_symmetric']['curve']
        x = [c['examples'] for c in sym]
        ax[i].plot(x, [c['backprop'] for c in sym], 'k-', label='back-prop MLP')
        ax[i].plot(x, [c['shallow'] for c in sym], 'k:', label='shallow learner')
        for tag, style in ((f'{task}_symmetric', 'b-'), (f'{task}_random', 'r-'), (f'{task}_spiking', 'g-'), (f'{task}_transported', 'm-')):
            if tag in res:
                cv = res[tag]['curve']
                ax[i].plot([c['examples'] for c in cv], [c['microcircuit'] for c in cv], style, label='microcircuit, ' + tag.split('_')[1])
        ax[i].set_xlabel('training examples')
        ax[i].set_ylabel(res[f'{task}_symmetric']['error'])
        ax[i].set_yscale('log')
        ax[i].set_title(task)
        ax[i].legend(fontsize=8)
    for tag, style in (('regression_symmetric', 'b-'), ('regression_random', 'r-'), ('regression_spiking', 'g-'),
                       ('regression_transported', 'm-'), ('digits_symmetric', 'b--'), ('digits_random', 'r--'),
                       ('digits_transported', 'm--'), ('digits_spiking-transported', 'g--')):
        cv = res[tag]['curve']
        ax[2].plot([c['examples'] / cv[-1]['examples'] for c in cv], [c['angle_deg'][0] for c in cv], style, label=tag)
    ax[2].set_xlabel('fraction of training')
    ax[2].set_ylabel('hidden layer: angle to back-prop (deg)')
    ax[2].set_ylim(0, 120)
    ax[2].legend(fontsize=8)
    ax[2].set_title('update vs back-prop gradient')
    fig.suptitle('Dendritic cortical microcircuit (Sacramento et al. 2018) against exact back-prop, apical learn')
    fig.tight_layout()
    os.makedirs(os.path.dirname(a.plot), exist_ok=True)
    fig.savefig(a.plot, dpi=100)
    print('figure:', a.plot)


if __name__ == '__main__':
    main()
