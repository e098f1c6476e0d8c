"""ResNet-18 inference at 224 px: the project's fast path (batch norm folded, bf16, channels_last; torch.compile with freezing, 16 images per pass) vs plain fp32 eager (target: at least 6x).

The paths are timed in interleaved rounds (each round runs every path once over the same batch of 64) and each is
summarised by its median round: this machine's speed drifts by up to 2x within a minute (shared cores), and
interleaving exposes every path to the same drift, so the ratio is fair even when the absolute figures move.
"""
import statistics, time

def run(batch=64, size=224, rounds=7, target=6.0):
    import torch
    from cxr_nb.models import create_model
    from cxr_nb.inference import inference_model
    torch.manual_seed(0)
    x = torch.randn(batch, 3, size, size)
    plain = create_model('resnet18', 14, weights=None).eval()
    with torch.inference_mode(): ref = torch.sigmoid(plain(x[:16]))
    paths, setup, err = {'fp32_eager': lambda b: plain(b)}, {}, {}
    variants = {'bf16_channels_last': dict(fold_batch_norm=False),        # the previous fast path, for comparison
                'fast': dict(),                                             # batch norm folded: predict()'s default
                'fast_16_per_pass': dict(micro_batch=16),
                'compiled_whole_batch': dict(compile=True, micro_batch=None),
                'fast_compiled': dict(compile=True)}                        # compiled, 16 images per pass on a CPU
    for name, kw in variants.items():
        t0 = time.perf_counter(); fast, prep = inference_model(plain, **kw)
        with torch.inference_mode():
            fast(prep(x)); setup[name] = round(time.perf_counter() - t0, 1)   # compiles both shapes (16, and 64 for whole batches)
            err[name] = round(float((torch.sigmoid(fast(prep(x[:16])).float()) - ref).abs().max()), 4)
        paths[name] = lambda b, fast=fast, prep=prep: fast(prep(b))
    speed = {k: [] for k in paths}
    with torch.inference_mode():
        for f in paths.values(): f(x)                                          # warm-up
        for _ in range(rounds):
            for k, f in paths.items():
                t0 = time.perf_counter(); f(x); speed[k].append(batch/(time.perf_counter() - t0))
    med = {k: round(statistics.median(v), 1) for k, v in speed.items()}
    best = max(med['fast'], med['fast_compiled'])
    res = dict(batch=batch, size=size, threads=torch.get_num_threads(), rounds=rounds,
               fp32_eager_images_per_s=med['fp32_eager'],
               **{f'{k}_images_per_s': med[k] for k in variants}, **{f'{k}_setup_s': v for k, v in setup.items()},
               **{f'{k}_max_prob_error': v for k, v in err.items()},
               spread=({k: [round(min(v), 1), round(max(v), 1)] for k, v in speed.items()}),
               speedup=round(best/med['fp32_eager'], 2), speedup_eager=round(med['fast']/med['fp32_eager'], 2),
               target_speedup=target, meets_target=best/med['fp32_eager'] >= target)
    print(f"  ResNet-18, {size} px, batches of {batch}, {res['threads']} threads, median of {rounds} interleaved rounds: "
          f"fp32 eager {med['fp32_eager']} images/s; bf16 channels_last {med['bf16_channels_last']}; + batch norm folded "
          f"{med['fast']} ({res['speedup_eager']}x; 16 per pass {med['fast_16_per_pass']}); + torch.compile (freezing) "
          f"{med['compiled_whole_batch']}, 16 per pass {med['fast_compiled']} (compile {setup['fast_compiled']} s, max probability "
          f"difference {err['fast_compiled']}); {res['speedup']}x (target {target:.0f}x: {'met' if res['meets_target'] else 'NOT met'})")
    return res
