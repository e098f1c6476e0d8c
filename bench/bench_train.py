"""ResNet-18 training at 224 px: cxr_nb.training.fit (bf16 autocast, channels_last, accelerate, data from the cache) vs a plain fp32 eager loop (target: at least 3x; data wait under 10% of step time). Median of 5 rounds, each against the plain loop timed just before and after it; the bare bf16 step is timed beside it as the ceiling."""
import tempfile, time
from pathlib import Path

def _synthetic(n, size, d):
    "A manifest and an ImageCache of `n` random images without decoding anything."
    import numpy as np, pandas as pd
    from cxr_nb.core import CHEXPERT_LABELS
    from cxr_nb.images import ImageCache
    rng = np.random.default_rng(0)
    arr = np.memmap(d/'images.u8', np.uint8, 'w+', shape=(n, size, size)); arr[:] = rng.integers(0, 255, (n, size, size), dtype=np.uint8); arr.flush()
    frame = pd.DataFrame(dict(dicom_id=[f'd{i}' for i in range(n)], subject_id=np.arange(n), study_id=np.arange(n), path=''))
    for l in CHEXPERT_LABELS: frame[l] = rng.integers(0, 2, n).astype(float)
    index = pd.DataFrame(dict(dicom_id=frame.dicom_id, row=np.arange(n), error=None))
    return frame, ImageCache(d/'images.u8', index, size)

def run(n=192, batch=32, size=224, steps=4, rounds=5, target=3.0, wait_target=0.10):
    """`rounds` rounds, each timing the plain loop for `steps` steps, then fit() for two epochs (the second one counts),
    then the plain loop again: this machine's speed drifts by up to 2x within minutes, so each round's ratio is fit()
    against the mean of the plain loop measured just before and just after it, and the median ratio is the figure."""
    import statistics, torch
    from cxr_nb.models import create_model
    from cxr_nb.images import CXRDataset
    from cxr_nb.training import TrainConfig, fit
    torch.manual_seed(0)
    x, y = torch.randn(batch, 3, size, size), torch.randint(0, 2, (batch, 14)).float()
    compile_s = {}
    def timed_loop(bf16:bool, compiled:bool=False):
        """A warmed-up function timing `steps` training steps over tensors already in memory, in images/s; `compiled`:
        the model under torch.compile (Inductor: forward and, through AOTAutograd, backward), the fused AdamW step."""
        model = create_model('resnet18', 14, weights=None)
        xs = x
        if bf16: model, xs = model.to(memory_format=torch.channels_last), x.contiguous(memory_format=torch.channels_last)
        opt = torch.optim.AdamW(model.parameters(), 1e-4, weight_decay=0.01, fused=bf16)
        net = torch.compile(model) if compiled else model
        def step():
            with torch.autocast('cpu', torch.bfloat16, enabled=bf16): z = net(xs)
            torch.nn.functional.binary_cross_entropy_with_logits(z.float(), y).backward(); opt.step(); opt.zero_grad()
        def loop():
            t0 = time.perf_counter()
            for _ in range(steps): step()
            return steps*batch/(time.perf_counter() - t0)
        t0 = time.perf_counter(); step(); step()
        if compiled: compile_s['compiled'] = round(time.perf_counter() - t0, 1)
        return loop
    # plain: fp32, eager, contiguous tensors already in memory (no data loading at all: the baseline's best case);
    # bare: the ceiling, the same step in bf16 autocast + channels_last over the same tensors (no data, no accelerate)
    plain, bare, compiled = timed_loop(False), timed_loop(True), timed_loop(True, compiled=True)
    # the project's: fit() for two epochs over the cache (augmentation, masks, pos_weight, accumulation as the recipe says)
    rows = []
    with tempfile.TemporaryDirectory() as d:
        frame, cache = _synthetic(n + 32, size, Path(d))
        tr = CXRDataset(cache, frame.iloc[:n], 'all', train=True); va = CXRDataset(cache, frame.iloc[n:], 'all')
        cfg = TrainConfig(arch='resnet18', size=size, epochs=2, batch_size=batch, accumulate=4, weights=None)
        for r in range(rounds):
            before, ceiling, comp = plain(), bare(), compiled()
            h = fit(cfg, tr, va, Path(d)/f'run{r}', progress=False)
            ceiling, comp, after = (ceiling + bare())/2, (comp + compiled())/2, plain()
            ours, wait = float(h.train_images_per_s.iloc[-1]), float(h.data_wait_share.iloc[-1])    # the second epoch: warmed up
            rows.append(dict(plain=(before + after)/2, fit=ours, ratio=ours/((before + after)/2), wait=wait,
                             bare=ceiling/((before + after)/2), compiled=comp/((before + after)/2),
                             compiled_vs_bare=comp/ceiling, share=ours/ceiling))
            print(f"  round {r + 1}: plain {before:.1f} / {after:.1f} images/s, fit() {ours:.1f}: {rows[-1]['ratio']:.2f}x, data wait {100*wait:.1f}%, bare bf16 step {rows[-1]['bare']:.2f}x, compiled bf16 step {rows[-1]['compiled']:.2f}x")
    med = lambda k: statistics.median(row[k] for row in rows)
    speedup, wait = med('ratio'), med('wait')
    res = dict(batch=batch, size=size, threads=torch.get_num_threads(), rounds=rounds, plain_fp32_images_per_s=round(med('plain'), 1),
               fit_images_per_s=round(med('fit'), 1), speedup=round(speedup, 2), speedups=[round(row['ratio'], 2) for row in rows],
               data_wait_share=round(wait, 3), bare_bf16_speedup=round(med('bare'), 2), fit_share_of_bare=round(med('share'), 3),
               compiled_bf16_speedup=round(med('compiled'), 2), compiled_vs_eager_step=round(med('compiled_vs_bare'), 2),
               compile_s=compile_s.get('compiled'),
               target_speedup=target, target_data_wait=wait_target,
               meets_target=speedup >= target and wait < wait_target)
    print(f"  ResNet-18, {size} px, batch {batch}, median of {rounds} rounds: plain fp32 eager loop {res['plain_fp32_images_per_s']} images/s "
          f"(tensors in memory); fit() {res['fit_images_per_s']} images/s from the cache with augmentation: {res['speedup']}x "
          f"(target {target:.0f}x; rounds {', '.join(f'{v}x' for v in res['speedups'])}); waiting for data {100*wait:.1f}% of "
          f"training time (target under {100*wait_target:.0f}%): {'met' if res['meets_target'] else 'NOT met'}. The ceiling: the bare bf16 "
          f"step over tensors in memory is {res['bare_bf16_speedup']}x the plain loop, and fit() runs at {100*res['fit_share_of_bare']:.0f}% of it")
    print(f"  peer: the same bf16 step under torch.compile (Inductor, compiled in {res['compile_s']} s) is {res['compiled_bf16_speedup']}x "
          f"the plain loop, {res['compiled_vs_eager_step']}x the eager bf16 step")
    return res
