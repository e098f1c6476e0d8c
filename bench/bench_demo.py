"""Demo dataset generation: 1,000 studies at 512 px on all cores (target: under 60 s on 2 cores)."""
import os, shutil, tempfile, time
from pathlib import Path

def run(studies=1000, size=512, target_s=60.0):
    from cxr_nb.demo import write_demo
    from cxr_nb.openi import read_openi
    reports = read_openi()
    out = Path(tempfile.mkdtemp())/'demo'
    try:
        t0 = time.perf_counter()
        s = write_demo(out, studies, size, seed=0, jobs=os.cpu_count(), reports=reports, progress=False)
        secs = time.perf_counter() - t0
        mb = sum(p.stat().st_size for p in out.rglob('*') if p.is_file())/2**20
    finally: shutil.rmtree(out.parent, ignore_errors=True)
    res = dict(studies=studies, size=size, images=s['n_images'], seconds=round(secs, 1), images_per_s=round(s['n_images']/secs, 1),
               megabytes=round(mb, 1), cores=os.cpu_count(), target_s=target_s, meets_target=secs < target_s)
    print(f"  {s['n_images']} images ({studies} studies, {size} px) in {secs:.1f} s = {res['images_per_s']} images/s, "
          f"{mb:.0f} MB on disk; target under {target_s:.0f} s: {'met' if res['meets_target'] else 'NOT met'}")
    return res
