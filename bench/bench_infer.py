"""ResNet-18 inference at 224 px: the project's fast path (bf16, channels_last, torch.compile with freezing) vs plain fp32 eager (target: at least 6x)."""
import os, time

def _speed(fn, x, reps):
    fn(x); fn(x)                                   # warm-up (and compilation)
    t0 = time.perf_counter()
    for _ in range(reps): fn(x)
    return reps*len(x)/(time.perf_counter() - t0)

def run(batch=64, size=224, reps=4, target=6.0):
    import torch
    from cxr_nb.models import create_model
    from cxr_nb.training import inference_model
    torch.manual_seed(0)
    x = torch.randn(batch, 3, size, size)
    plain = create_model('resnet18', 14, weights=None).eval()
    with torch.inference_mode():
        fp32 = _speed(plain, x, reps)
        ref = torch.sigmoid(plain(x[:8]))
    out = {}
    for name, comp in (('bf16_channels_last', False), ('bf16_channels_last_compiled', True)):
        m = create_model('resnet18', 14, weights=None).eval(); m.load_state_dict(plain.state_dict())
        t0 = time.perf_counter(); fast, prep = inference_model(m, compile=comp)
        with torch.inference_mode():
            fast(prep(x[:8])); setup = time.perf_counter() - t0
            out[name] = _speed(lambda b: fast(prep(b)), x, reps)
            err = float((torch.sigmoid(fast(prep(x[:8])).float()) - ref).abs().max())
        out[name + '_setup_s'] = round(setup, 1); out[name + '_max_prob_error'] = round(err, 4)
    best = max(out['bf16_channels_last'], out['bf16_channels_last_compiled'])
    res = dict(batch=batch, size=size, threads=torch.get_num_threads(), fp32_eager_images_per_s=round(fp32, 1),
               **{k: round(v, 1) if isinstance(v, float) else v for k, v in out.items()},
               speedup=round(best/fp32, 2), target_speedup=target, meets_target=best/fp32 >= target)
    print(f"  ResNet-18, {size} px, batch {batch}, {torch.get_num_threads()} threads: fp32 eager {res['fp32_eager_images_per_s']} images/s; "
          f"bf16 channels_last {res['bf16_channels_last']} images/s; + torch.compile (freezing) {res['bf16_channels_last_compiled']} images/s "
          f"(compile {res['bf16_channels_last_compiled_setup_s']} s, max probability difference {res['bf16_channels_last_compiled_max_prob_error']}); "
          f"{res['speedup']}x (target {target:.0f}x: {'met' if res['meets_target'] else 'NOT met'})")
    return res
