"""ResNet-18 inference at 224 px: the project's default scoring path (`predict`: OpenVINO bf16 on a CPU with bf16 units, else PyTorch's fast path) and its PyTorch paths (batch norm folded, bf16, channels_last; torch.compile with freezing, 16 images per pass) vs plain fp32 eager (target: at least 6x), and beside them the engines a user could pick instead: ONNX Runtime and OpenVINO on the same model exported to ONNX (when installed).

The paths are timed in interleaved rounds (each round runs every path once over the same batch of 64) and each is
summarised by its median round: this machine's speed drifts by up to 2x within a minute (shared cores), and
interleaving exposes every path to the same drift, so the ratio is fair even when the absolute figures move.
"""
import os, statistics, tempfile, time
from pathlib import Path

def peers(plain, x, threads):
    """The engines a user would deploy the model with, on its ONNX export (batch norm folded by the exporter's constant
    folding): {name: function of a float32 NCHW numpy batch}. Engines that are not installed are left out with a line."""
    import torch
    out, d = {}, Path(tempfile.mkdtemp())
    onnx_path = d/'resnet18.onnx'
    torch.onnx.export(plain, x[:1], str(onnx_path), input_names=['image'], output_names=['logits'], dynamo=False,
                      dynamic_axes={'image': {0: 'batch'}, 'logits': {0: 'batch'}}, opset_version=17)
    try:
        import onnxruntime as ort
        so = ort.SessionOptions(); so.intra_op_num_threads = threads; so.inter_op_num_threads = 1
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        sess = ort.InferenceSession(str(onnx_path), so, providers=['CPUExecutionProvider'])
        out['onnxruntime_fp32'] = lambda b, sess=sess: sess.run(None, {'image': b})[0]
    except ImportError: print('  onnxruntime not installed: left out')
    try:
        import openvino as ov
        core = ov.Core(); m = core.read_model(str(onnx_path))
        for prec in ('f32', 'bf16'):
            c = core.compile_model(m, 'CPU', {'INFERENCE_PRECISION_HINT': prec, 'INFERENCE_NUM_THREADS': threads,
                                              'PERFORMANCE_HINT': 'LATENCY'})
            out[f'openvino_{prec}'] = lambda b, c=c: c(b)[0]
    except ImportError: print('  openvino not installed: left out')
    return out

def run(batch=64, size=224, rounds=11, target=6.0):
    import torch
    from cxr_nb.models import create_model
    from cxr_nb.inference import inference_model, openvino_model, scoring_engine
    torch.manual_seed(0)
    x = torch.randn(batch, 3, size, size)
    plain = create_model('resnet18', 14, weights=None).eval()
    with torch.inference_mode(): ref = torch.sigmoid(plain(x[:16]))
    paths, setup, err = {'fp32_eager': lambda b: plain(b)}, {}, {}
    variants = {'bf16_channels_last': dict(fold_batch_norm=False),        # the previous fast path, for comparison
                'fast': dict(),                                             # batch norm folded: predict()'s PyTorch path
                'fast_16_per_pass': dict(micro_batch=16),
                'compiled_whole_batch': dict(compile=True, micro_batch=None),
                'fast_compiled': dict(compile=True)}                        # compiled, 16 images per pass on a CPU
    for name, kw in variants.items():
        t0 = time.perf_counter(); fast, prep = inference_model(plain, **kw)
        with torch.inference_mode():
            fast(prep(x)); setup[name] = round(time.perf_counter() - t0, 1)   # compiles both shapes (16, and 64 for whole batches)
            err[name] = round(float((torch.sigmoid(fast(prep(x[:16])).float()) - ref).abs().max()), 4)
        paths[name] = lambda b, fast=fast, prep=prep: fast(prep(b))
    default = scoring_engine()
    if default == 'openvino':                # what predict() scores with here: the model converted from PyTorch
        t0 = time.perf_counter(); ov_run = openvino_model(plain, size); ov_run(x.numpy()); setup['default'] = round(time.perf_counter() - t0, 1)
        with torch.inference_mode(): err['default'] = round(float((torch.sigmoid(torch.from_numpy(ov_run(x[:16].numpy()))) - ref).abs().max()), 4)
        paths['default'] = lambda b: ov_run(b.numpy())
    else: paths['default'], setup['default'], err['default'] = paths['fast'], setup['fast'], err['fast']
    engines = peers(plain, x, torch.get_num_threads())
    xn, refn = x.numpy(), ref.numpy()
    for name, f in engines.items():
        t0 = time.perf_counter(); f(xn); setup[name] = round(time.perf_counter() - t0, 1)
        err[name] = round(float(abs(1/(1 + __import__('numpy').exp(-f(xn[:16]))) - refn).max()), 4)
        paths[name] = lambda b, f=f: f(b.numpy())
    speed = {k: [] for k in paths}
    with torch.inference_mode():
        for f in paths.values(): f(x)                                          # warm-up
        for _ in range(rounds):
            for k, f in paths.items():
                t0 = time.perf_counter(); f(x); speed[k].append(batch/(time.perf_counter() - t0))
    med = {k: round(statistics.median(v), 1) for k, v in speed.items()}
    best = med['default']
    fastest_peer = max(engines, key=lambda k: med[k]) if engines else None
    # the default against the fastest peer round by round (both timed within seconds of each other), then the median:
    # the host's drift, up to 2x within a minute, moves both alike and cancels out of the ratio
    paired = statistics.median(a/b for a, b in zip(speed['default'], speed[fastest_peer])) if engines else None
    res = dict(batch=batch, size=size, threads=torch.get_num_threads(), rounds=rounds, default_engine=default,
               default_images_per_s=med['default'], fp32_eager_images_per_s=med['fp32_eager'],
               **{f'{k}_images_per_s': med[k] for k in [*variants, *engines]}, **{f'{k}_setup_s': v for k, v in setup.items()},
               fastest_peer=fastest_peer, project_vs_fastest_peer=round(paired, 2) if engines else None,
               project_vs_fastest_peer_of_medians=round(best/med[fastest_peer], 2) if engines else None,
               **{f'{k}_max_prob_error': v for k, v in err.items()},
               spread=({k: [round(min(v), 1), round(max(v), 1)] for k, v in speed.items()}),
               speedup=round(best/med['fp32_eager'], 2), speedup_eager=round(med['fast']/med['fp32_eager'], 2),
               target_speedup=target, meets_target=best/med['fp32_eager'] >= target)
    print(f"  ResNet-18, {size} px, batches of {batch}, {res['threads']} threads, median of {rounds} interleaved rounds: "
          f"fp32 eager {med['fp32_eager']} images/s; bf16 channels_last {med['bf16_channels_last']}; + batch norm folded "
          f"{med['fast']} ({res['speedup_eager']}x; 16 per pass {med['fast_16_per_pass']}); + torch.compile (freezing) "
          f"{med['compiled_whole_batch']}, 16 per pass {med['fast_compiled']} (compile {setup['fast_compiled']} s, max probability "
          f"difference {err['fast_compiled']}); the project's default (predict: {default}) {med['default']} images/s (setup "
          f"{setup['default']} s, max probability difference {err['default']}): {res['speedup']}x (target {target:.0f}x: "
          f"{'met' if res['meets_target'] else 'NOT met'})")
    for k in engines:
        print(f"  peer {k}: {med[k]} images/s (setup {setup[k]} s, max probability difference {err[k]} against fp32 eager)")
    if engines:
        print(f"  the project's default against the fastest peer ({fastest_peer}): {res['project_vs_fastest_peer']}x (median of the "
              f"rounds' ratios; {res['project_vs_fastest_peer_of_medians']}x between the medians)")
    return res
