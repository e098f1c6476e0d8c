"""Manifest from full-size MIMIC-CXR tables (377,110 images, 227,827 studies; synthetic content): target under 10 s and 1.5 GiB; and how time and peak memory grow from 10,000 images to MIMIC's 377,110 (must be linear or better; figure bench/manifest_scaling.png)."""
import json, subprocess, sys, tempfile, time
from pathlib import Path

CHILD = r'''
import json, sys, time
def peak_gib():
    # this process's own high-water mark: VmHWM belongs to the address space made at exec, where getrusage's ru_maxrss
    # is kept across execve and would report the parent's peak (the benchmarks run before this one in bench/run.py)
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM:'): return int(line.split()[1])/2**20
from cxr_nb.curation import build_mimic_manifest
imported = peak_gib()
t0 = time.perf_counter()
m, ex, sc = build_mimic_manifest(sys.argv[1], views=['PA', 'AP'], reports=False)
secs = time.perf_counter() - t0
print(json.dumps(dict(seconds=secs, rows=len(m), excluded=len(ex), peak_gib=peak_gib(),
                      import_gib=imported, torch_loaded='torch' in sys.modules)))
'''
SIZES = (10_000, 25_000, 50_000, 100_000, 200_000, 377_110)

def build(d):
    "The manifest of the tables in `d`, built in a fresh process (so that its peak memory is the build's alone, imports included)."
    return json.loads(subprocess.run([sys.executable, '-c', CHILD, str(d)], capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1])

def slope(xs, ys):
    "The exponent b of y = a x^b fitted on log-log axes: 1 is linear growth."
    import numpy as np
    return float(np.polyfit(np.log(xs), np.log(ys), 1)[0])

def run(target_s=10.0, target_gib=1.5, sizes=SIZES):
    from cxr_nb.synthetic import synthetic_mimic_tables
    rows = []
    for n in sizes:
        d = Path(tempfile.mkdtemp())
        t0 = time.perf_counter(); synthetic_mimic_tables(d, n_images=n, n_studies=round(n*227_827/377_110)); gen = time.perf_counter() - t0
        r = build(d); rows.append(dict(images=n, **r, table_generation_s=gen))
        print(f"  {n:>7,} images: {r['seconds']:.2f} s, peak {r['peak_gib']:.2f} GiB (of which imports {r['import_gib']:.2f})")
    full = rows[-1]
    # growth above what imports cost: the build's own time and memory
    s_time = slope([r['images'] for r in rows], [r['seconds'] for r in rows])
    s_mem = slope([r['images'] for r in rows], [max(r['peak_gib'] - r['import_gib'], 1e-3) for r in rows])
    figure(rows, Path(__file__).parent/'manifest_scaling.png')
    res = dict(images=full['images'], studies=227_827, seconds=round(full['seconds'], 2), peak_gib=round(full['peak_gib'], 2),
               import_gib=round(full['import_gib'], 2), torch_loaded=full['torch_loaded'], manifest_rows=full['rows'],
               excluded=full['excluded'], scaling=[dict(images=r['images'], seconds=round(r['seconds'], 2), peak_gib=round(r['peak_gib'], 3))
                                                   for r in rows],
               time_exponent=round(s_time, 2), memory_exponent=round(s_mem, 2), target_s=target_s, target_gib=target_gib,
               meets_target=full['seconds'] < target_s and full['peak_gib'] < target_gib and s_time < 1.1 and s_mem < 1.1)
    print(f"  manifest of {full['rows']} images ({full['excluded']} excluded with reasons) from full-size tables in {full['seconds']:.2f} s, "
          f"peak {full['peak_gib']:.2f} GiB (torch {'loaded' if full['torch_loaded'] else 'not loaded'}); target under {target_s:.0f} s "
          f"and {target_gib} GiB; growth from {sizes[0]:,} to {sizes[-1]:,} images: time ~ n^{s_time:.2f}, memory above imports "
          f"~ n^{s_mem:.2f} (linear or better: exponent at most 1): {'met' if res['meets_target'] else 'NOT met'}")
    return res

def figure(rows, path):
    import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt
    n = [r['images'] for r in rows]
    fig, (a, b) = plt.subplots(1, 2, figsize=(8, 3.2))
    a.plot(n, [r['seconds'] for r in rows], 'o-'); a.set_xlabel('images in the metadata table'); a.set_ylabel('seconds')
    a.plot([0, n[-1]], [0, rows[-1]['seconds']], ':', c='grey', label='linear through the largest'); a.legend(fontsize=7)
    b.plot(n, [r['peak_gib'] for r in rows], 'o-', label='peak'); b.plot(n, [r['import_gib'] for r in rows], 's--', label='after imports')
    b.axhline(1.5, c='r', lw=0.8, label='target 1.5 GiB'); b.set_xlabel('images in the metadata table'); b.set_ylabel('GiB'); b.legend(fontsize=7)
    for ax in (a, b): ax.ticklabel_format(axis='x', style='plain'); ax.set_xlim(0)
    a.set_ylim(0); b.set_ylim(0)
    fig.suptitle('Manifest of MIMIC-CXR-shaped tables (synthetic content), one process', fontsize=9); fig.tight_layout()
    fig.savefig(path, dpi=110)
