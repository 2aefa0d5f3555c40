"""Runs a variant of a model file (its TOML text, edited by the caller) with
`apical run` in a work folder and returns the output folder. Shared by the
reproduction scripts (bench/song2000.py, bench/izhikevich2007.py)."""
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
