"""Image cache from MIMIC-sized JPEGs (2,500 x 3,000) vs a plain loader (full RGB decode + torchvision Resize), one process (target: at least 5x)."""
import os, shutil, tempfile, time
from pathlib import Path

def run(n=40, size=224, target=5.0):
    import numpy as np, pandas as pd
    from PIL import Image
    from cxr_nb.images import read_image, fit_square, build_cache
    d = Path(tempfile.mkdtemp())
    try:
        rng = np.random.default_rng(0)
        base = np.asarray(Image.fromarray((rng.random((75, 62))*255).astype(np.uint8)).resize((2500, 3000), Image.BICUBIC))
        for i in range(n): Image.fromarray(np.roll(base, i*7, axis=1)).save(d/f'{i}.jpg', quality=95)
        files = [d/f'{i}.jpg' for i in range(n)]
        from torchvision import transforms
        resize = transforms.Resize(size)                                                  # what a plain torchvision loader does
        t0 = time.perf_counter()
        for f in files:
            with Image.open(f) as im: resize(im.convert('RGB'))
        plain = time.perf_counter() - t0
        t0 = time.perf_counter()
        for f in files:
            with Image.open(f) as im: fit_square(np.asarray(im.convert('L')), size)      # full grey decode, then our resize
        full_grey = time.perf_counter() - t0
        t0 = time.perf_counter()
        for f in files: fit_square(read_image(f, size), size)                             # the project's: draft decoding
        ours = time.perf_counter() - t0
        m = pd.DataFrame(dict(dicom_id=[str(i) for i in range(n)], path=[f.name for f in files]))
        t0 = time.perf_counter(); build_cache(m, d, size, d/'cache', jobs=os.cpu_count(), progress=False); cache_s = time.perf_counter() - t0
    finally: shutil.rmtree(d, ignore_errors=True)
    res = dict(images=n, size=size, plain_ms=round(plain/n*1000, 1), full_grey_decode_ms=round(full_grey/n*1000, 1),
               draft_decode_ms=round(ours/n*1000, 1), speedup=round(plain/ours, 1), speedup_vs_full_grey=round(full_grey/ours, 1),
               cache_images_per_s=round(n/cache_s, 1), cores=os.cpu_count(), target_speedup=target, meets_target=plain/ours >= target)
    print(f"  {n} JPEGs of 2500 x 3000 to {size} px, one process: plain RGB decode + torchvision Resize {res['plain_ms']} ms/image, "
          f"full grey decode + our resize {res['full_grey_decode_ms']} ms, reduced-size (draft) decode {res['draft_decode_ms']} ms: "
          f"{res['speedup']}x the plain loader (target {target:.0f}x: {'met' if res['meets_target'] else 'NOT met'}), "
          f"{res['speedup_vs_full_grey']}x a full grey decode; build_cache on {os.cpu_count()} cores: {res['cache_images_per_s']} images/s")
    return res
