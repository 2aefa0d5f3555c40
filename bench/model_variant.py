"""Runs a variant of a model file (its TOML text, edited by the caller) with
`apical run` in a work folder and returns the output folder; saves the
two-panel figures. Shared by the reproduction scripts (bench/song2000.py,
bench/izhikevich2007.py)."""
import os
import subprocess


def run_variant(apical, workdir, tag, text, seconds):
    """Writes `text` to WORKDIR/TAG.toml, runs it for `seconds` of biological
    time into WORKDIR/TAG and returns that folder."""
    path = os.path.join(workdir, tag + '.toml')
    with open(path, 'w') as f:
        f.write(text)
    out = os.path.join(workdir, tag)
    subprocess.run([apical, 'run', path, '--out', out, '--duration', str(seconds * 1000.0), '--progress', 'never'],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return out


def two_panels():
    """A figure with two panels side by side (matplotlib, no display)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    return plt.subplots(1, 2, figsize=(10, 4))


def save(fig, title, path):
    fig.suptitle(title)
    fig.tight_layout()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fig.savefig(path, dpi=100)
    print('figure:', path)
