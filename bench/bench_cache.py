"""Image cache from MIMIC-sized JPEGs (2,500 x 3,000) vs a plain loader (full RGB decode + torchvision Resize), one process (target: at least 5x); beside it the decoders a user could pick instead: OpenCV's reduced-size decode and libjpeg-turbo's scaled decode (simplejpeg), with their pixel differences from the project's path."""
import os, shutil, statistics, tempfile, time
from pathlib import Path

def reduction(h, w, size):
    "The largest JPEG DCT scaling (1, 2, 4 or 8) that keeps the image at least `size` on both sides, as Pillow's draft picks it."
    return max([1] + [k for k in (2, 4, 8) if min(h, w)/k >= size])

def peers(size):
    """{name: function(path) -> 2-D uint8 decoded at a reduced scale}, for the decoders that are installed (a line for
    each one that is not)."""
    import numpy as np
    out = {}
    try:
        import cv2, simplejpeg
        flags = {1: cv2.IMREAD_GRAYSCALE, 2: cv2.IMREAD_REDUCED_GRAYSCALE_2, 4: cv2.IMREAD_REDUCED_GRAYSCALE_4,
                 8: cv2.IMREAD_REDUCED_GRAYSCALE_8}
        def opencv(f):
            data = Path(f).read_bytes(); h, w, *_ = simplejpeg.decode_jpeg_header(data)
            return cv2.imdecode(np.frombuffer(data, np.uint8), flags[reduction(h, w, size)])
        out['opencv_reduced'] = opencv
    except ImportError: print('  opencv-python-headless or simplejpeg not installed: OpenCV left out')
    try:
        import simplejpeg
        def turbo(f):
            data = Path(f).read_bytes()
            return simplejpeg.decode_jpeg(data, colorspace='GRAY', min_height=size, min_width=size)[..., 0]
        out['libjpeg_turbo_scaled'] = turbo
    except ImportError: print('  simplejpeg (libjpeg-turbo) not installed: left out')
    return out

def run(n=40, size=224, rounds=3, target=5.0):
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
        def plain(f):
            with Image.open(f) as im: return resize(im.convert('RGB'))
        def full_grey(f):
            with Image.open(f) as im: return fit_square(np.asarray(im.convert('L')), size)   # full grey decode, then our resize
        ours = lambda f: fit_square(read_image(f, size), size)                              # the project's default decoder
        others = peers(size)
        paths = dict(plain=plain, full_grey=full_grey, project=ours,
                     **{k: (lambda f, g=g: fit_square(g(f), size)) for k, g in others.items()})
        ref = [ours(f).astype(int) for f in files]
        diff = {k: int(max(np.abs(g(f).astype(int) - r).max() for f, r in zip(files, ref))) for k, g in paths.items()
                if k not in ('plain', 'full_grey')}
        ms = {k: [] for k in paths}
        for _ in range(rounds):                                            # interleaved rounds: the machine's drift hits all
            for k, g in paths.items():
                t0 = time.perf_counter()
                for f in files: g(f)
                ms[k].append((time.perf_counter() - t0)/n*1000)
        med = {k: round(statistics.median(v), 1) for k, v in ms.items()}
        m = pd.DataFrame(dict(dicom_id=[str(i) for i in range(n)], path=[f.name for f in files]))
        t0 = time.perf_counter(); build_cache(m, d, size, d/'cache', jobs=os.cpu_count(), progress=False); cache_s = time.perf_counter() - t0
    finally: shutil.rmtree(d, ignore_errors=True)
    fastest_peer = min(others, key=lambda k: med[k]) if others else None
    res = dict(images=n, size=size, rounds=rounds, plain_ms=med['plain'], full_grey_decode_ms=med['full_grey'],
               draft_decode_ms=med['project'], **{f'{k}_ms': med[k] for k in others},
               **{f'{k}_max_pixel_difference': v for k, v in diff.items()},
               speedup=round(med['plain']/med['project'], 1), speedup_vs_full_grey=round(med['full_grey']/med['project'], 1),
               fastest_peer=fastest_peer, project_vs_fastest_peer=round(med[fastest_peer]/med['project'], 2) if others else None,
               cache_images_per_s=round(n/cache_s, 1), cores=os.cpu_count(), target_speedup=target,
               meets_target=med['plain']/med['project'] >= target)
    print(f"  {n} JPEGs of 2500 x 3000 to {size} px, one process, median of {rounds} interleaved rounds: plain RGB decode + "
          f"torchvision Resize {res['plain_ms']} ms/image, full grey decode + our resize {res['full_grey_decode_ms']} ms, the "
          f"project's reduced-size decode {res['draft_decode_ms']} ms: {res['speedup']}x the plain loader (target {target:.0f}x: "
          f"{'met' if res['meets_target'] else 'NOT met'}), {res['speedup_vs_full_grey']}x a full grey decode; build_cache on "
          f"{os.cpu_count()} cores: {res['cache_images_per_s']} images/s")
    for k in others:
        print(f"  peer {k}: {med[k]} ms/image, largest pixel difference from the project's image {diff[k]} (of 255)")
    if others: print(f"  the project's decoder against the fastest peer ({fastest_peer}): {res['project_vs_fastest_peer']}x")
    return res
