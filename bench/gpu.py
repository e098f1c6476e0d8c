"""The paper run's GPU figures in one command (`make bench-gpu`, on one GPU, within 8 minutes).

1. the `gpu`-flagged notebook tests (CUDA AMP training with channels_last, NF4 with double quantisation and bf16
   compute, paged 8-bit AdamW, gradient checkpointing, a LoRA step, generation, accelerate with one process);
2. training and inference images/s at 224 px for the four CNNs with the project's defaults (precision from
   `cxr_nb.core.runtime`, channels_last, fused AdamW, batch 32; inference through `cxr_nb.inference.inference_model`);
   the study reports about 150 images/s of inference on an A100;
3. Llama-3.2-11B-Vision-Instruct's architecture with random weights (no download: `MllamaConfig()`'s defaults,
   checked against the published configuration below), saved as a checkpoint folder and loaded through
   `cxr_nb.vlm.load_vlm` in NF4 as the paper profile does: peak GPU memory and time of one QLoRA step at the study's
   batch (8 per device, 560 px tiles, gradient checkpointing, paged 8-bit AdamW) and of generating one report.

The figures go to bench/results.jsonl and a table is printed. Without CUDA it says so and exits 0.
`--dry-run` runs the whole script on the CPU at tiny sizes (the stand-in model, 64 px, two images), so CI keeps it
working; its figures are marked `dry_run` and mean nothing.

    python bench/gpu.py [--dry-run] [--skip-tests] [--keep DIR]
"""
import argparse, json, subprocess, sys, tempfile, time
from pathlib import Path

here = Path(__file__).parent
sys.path.insert(0, str(here.parent))

# Llama-3.2-11B-Vision-Instruct's config.json as published (text and vision parts that decide memory and time)
PUBLISHED_11B = {
    'text_config.hidden_size': 4096, 'text_config.num_hidden_layers': 40, 'text_config.num_attention_heads': 32,
    'text_config.num_key_value_heads': 8, 'text_config.intermediate_size': 14336, 'text_config.vocab_size': 128256,
    'text_config.cross_attention_layers': [3, 8, 13, 18, 23, 28, 33, 38], 'text_config.rope_theta': 500000.0,
    'vision_config.hidden_size': 1280, 'vision_config.num_hidden_layers': 32, 'vision_config.num_global_layers': 8,
    'vision_config.image_size': 560, 'vision_config.patch_size': 14, 'vision_config.max_num_tiles': 4,
    'vision_config.vision_output_dim': 7680, 'vision_config.intermediate_layers_indices': [3, 7, 15, 23, 30],
}


def check_11b_config(config):
    "The published values that `config` (an `MllamaConfig`) does not have; empty when it is the 11B architecture."
    out = {}
    for key, want in PUBLISHED_11B.items():
        part, name = key.split('.')
        got = getattr(getattr(config, part), name)
        if got != want: out[key] = (got, want)
    return out


def _sync(dev):
    import torch
    if dev.type == 'cuda': torch.cuda.synchronize()


def bench_cnns(dev, size, batch, steps, dry):
    "Training and inference images/s per architecture with the project's defaults."
    import torch
    from cxr_nb.core import runtime
    from cxr_nb.models import create_model
    from cxr_nb.inference import inference_model
    from cxr_nb.training import masked_bce
    rt = runtime('cpu' if dry else 'cuda')
    rows = []
    for arch in ('vgg16', 'resnet18', 'resnet50', 'densenet121'):
        torch.manual_seed(0)
        model = create_model(arch, 14, None).to(dev)
        if rt.channels_last: model = model.to(memory_format=torch.channels_last)
        opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01, fused=True)
        scaler = torch.amp.GradScaler(dev.type, enabled=rt.amp_dtype == torch.float16)
        x = torch.randn(batch, 3, size, size, device=dev)
        if rt.channels_last: x = x.contiguous(memory_format=torch.channels_last)
        y = (torch.rand(batch, 14, device=dev) > 0.8).float(); m = torch.ones_like(y)
        def step():
            with torch.autocast(dev.type, dtype=rt.amp_dtype or torch.float32, enabled=rt.amp_dtype is not None):
                loss = masked_bce(model(x), y, m)
            opt.zero_grad(set_to_none=True); scaler.scale(loss).backward(); scaler.step(opt); scaler.update()
        if dev.type == 'cuda': torch.cuda.reset_peak_memory_stats()
        for _ in range(2): step()
        _sync(dev); t0 = time.perf_counter()
        for _ in range(steps): step()
        _sync(dev); train = steps*batch/(time.perf_counter() - t0)
        train_mem = torch.cuda.max_memory_allocated()/2**30 if dev.type == 'cuda' else None
        fast, prep = inference_model(model.eval())
        xi = torch.randn(2*batch, 3, size, size, device=dev)
        with torch.inference_mode():
            for _ in range(2): fast(prep(xi))
            _sync(dev); t0 = time.perf_counter()
            for _ in range(steps): fast(prep(xi))
            _sync(dev); infer = steps*2*batch/(time.perf_counter() - t0)
        rows.append(dict(arch=arch, size=size, batch=batch, precision=str(rt.amp_dtype or 'fp32').replace('torch.', ''),
                         train_images_per_s=round(train, 1), inference_images_per_s=round(infer, 1),
                         train_peak_gib=round(train_mem, 2) if train_mem is not None else None))
        del model, opt
        if dev.type == 'cuda': torch.cuda.empty_cache()
    return rows


def _random_checkpoint(folder, dry):
    "A checkpoint folder of the 11B architecture with random weights (dry run: the stand-in), with its processor."
    import torch
    from cxr_nb.standin import write_standin
    if dry: write_standin(folder); return dict(config='stand-in (tiny Mllama in the 11B folder format)')
    from transformers import MllamaConfig, MllamaForConditionalGeneration
    write_standin(folder)                          # tokenizer, processor (560 px tiles, 4), chat template, generation config
    small = json.loads((folder/'config.json').read_text())        # the stand-in's token ids
    tok_len = small['text_config']['vocab_size']
    config = MllamaConfig()
    if bad := check_11b_config(config):
        raise SystemExit(f"MllamaConfig()'s defaults are not Llama-3.2-11B-Vision-Instruct's: {bad}")
    config.architectures = ['MllamaForConditionalGeneration']
    # the stand-in's tokenizer knows fewer tokens than 128,256; its ids all fall inside the 11B's embedding
    for k in ('eos_token_id', 'pad_token_id', 'bos_token_id'): setattr(config.text_config, k, small['text_config'][k])
    config.image_token_index = small['image_token_index']
    t0 = time.perf_counter()
    torch.set_default_dtype(torch.bfloat16)
    try:
        with torch.device('cuda'): model = MllamaForConditionalGeneration(config)
    finally: torch.set_default_dtype(torch.float32)
    for f in folder.glob('model*.safetensors*'): f.unlink()
    model.save_pretrained(folder, safe_serialization=True, max_shard_size='5GB')
    n = sum(p.numel() for p in model.parameters())
    del model; torch.cuda.empty_cache()
    return dict(config='MllamaConfig() = Llama-3.2-11B-Vision-Instruct (checked)', parameters=n, tokenizer_tokens=tok_len,
                build_and_save_s=round(time.perf_counter() - t0, 1))


def bench_11b(dev, work, batch, new_tokens, dry):
    "Peak GPU memory and time of one QLoRA step at `batch` and of generating one report, loaded through load_vlm."
    import numpy as np, torch
    from PIL import Image
    from cxr_nb.vlm import load_vlm, add_lora, ReportTrainConfig
    from cxr_nb.report_data import ReportCollator, format_chat, PROMPTS
    folder = work/'Llama-3.2-11B-Vision-Instruct'
    info = _random_checkpoint(folder, dry)
    t0 = time.perf_counter()
    model, processor, how = load_vlm(folder, 'nf4')
    info.update(load_s=round(time.perf_counter() - t0, 1), loaded=how)
    cfg = ReportTrainConfig(batch_size=batch, max_length=1024)                 # the study's recipe: LoRA r 16, 8 per device
    model = add_lora(model, cfg, quantized=how['loaded'] == 'nf4')
    rng = np.random.default_rng(0)
    items = [dict(image=rng.integers(0, 255, (560, 560), dtype=np.uint8), prompt=PROMPTS['radiographer'],
                  report='FINDINGS: ' + 'The lungs are clear. '*40 + 'IMPRESSION: No acute process.') for _ in range(batch)]
    enc = ReportCollator(processor, cfg.max_length)(items)
    enc = {k: v.to(model.device) for k, v in enc.items()}
    if dev.type == 'cuda':
        import bitsandbytes as bnb
        opt = bnb.optim.PagedAdamW8bit([p for p in model.parameters() if p.requires_grad], lr=cfg.lr)
        torch.cuda.reset_peak_memory_stats()
    else: opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=cfg.lr)
    model.train(); times = []
    for _ in range(2):                                                         # the first step includes warm-up
        _sync(dev); t0 = time.perf_counter()
        with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=dev.type == 'cuda'):
            loss = model(**enc).loss
        loss.backward(); opt.step(); opt.zero_grad(set_to_none=True)
        _sync(dev); times.append(time.perf_counter() - t0)
    info.update(qlora_step_s=round(times[-1], 2), qlora_first_step_s=round(times[0], 2), qlora_batch=batch,
                qlora_tokens_per_sample=int(enc['input_ids'].shape[1]), qlora_loss=round(loss.item(), 3),
                qlora_peak_gib=round(torch.cuda.max_memory_allocated()/2**30, 2) if dev.type == 'cuda' else None)
    model.eval(); tok = processor.tokenizer; tok.padding_side = 'left'
    g = processor(images=[[Image.fromarray(items[0]['image']).convert('RGB')]], text=[format_chat(items[0]['prompt'])],
                  return_tensors='pt', add_special_tokens=False).to(model.device)
    g.pop('token_type_ids', None)
    if dev.type == 'cuda': torch.cuda.reset_peak_memory_stats()
    _sync(dev); t0 = time.perf_counter()
    with torch.inference_mode():
        out = model.generate(**g, max_new_tokens=new_tokens, min_new_tokens=new_tokens, do_sample=False,
                             pad_token_id=tok.pad_token_id)
    _sync(dev)
    info.update(generate_s=round(time.perf_counter() - t0, 2), generated_tokens=int(out.shape[1] - g['input_ids'].shape[1]),
                generate_peak_gib=round(torch.cuda.max_memory_allocated()/2**30, 2) if dev.type == 'cuda' else None)
    return info


def run_tests(dry):
    "The gpu-flagged notebooks through cxr-test; on the CPU their gpu cells skip themselves."
    exe = Path(sys.executable).parent/'cxr-test'
    t0 = time.perf_counter()
    r = subprocess.run([str(exe), '--flags', 'gpu', '--flagged'], capture_output=True, text=True)
    tail = (r.stdout + r.stderr).strip().splitlines()[-1:] or ['']
    return dict(rc=r.returncode, summary=tail[0], seconds=round(time.perf_counter() - t0, 1))


def main(argv=None):
    p = argparse.ArgumentParser(prog='bench/gpu.py', description=__doc__.splitlines()[0])
    p.add_argument('--dry-run', action='store_true', help='the whole script on the CPU at tiny sizes (CI)')
    p.add_argument('--skip-tests', action='store_true', help='leave out the gpu-flagged notebook tests')
    p.add_argument('--keep', metavar='DIR', help='write the random 11B checkpoint here and keep it (default: a temporary folder)')
    a = p.parse_args(argv)
    import torch
    if not a.dry_run and not torch.cuda.is_available():
        print('bench/gpu.py: PyTorch sees no CUDA device here: nothing measured (use --dry-run to check the script on a CPU).')
        return 0
    from cxr_nb.provenance import hardware, package_versions
    dev = torch.device('cpu' if a.dry_run else 'cuda')
    t_all = time.perf_counter()
    res = dict(benchmark='gpu', dry_run=a.dry_run, device=torch.cuda.get_device_name(0) if dev.type == 'cuda' else 'cpu')
    if not a.skip_tests:
        res['tests'] = run_tests(a.dry_run); print(f"gpu tests: {res['tests']}")
    size, batch, steps = (64, 4, 2) if a.dry_run else (224, 32, 10)
    res['cnns'] = bench_cnns(dev, size, batch, steps, a.dry_run)
    work = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix='cxr-gpu-bench-'))
    work.mkdir(parents=True, exist_ok=True)
    res['vlm_11b'] = bench_11b(dev, work, 2 if a.dry_run else 8, 8 if a.dry_run else 256, a.dry_run)
    res['seconds'] = round(time.perf_counter() - t_all, 1)
    env = dict(hardware=hardware(), packages=package_versions(), time=time.strftime('%Y-%m-%dT%H:%M:%S'))
    with open(here/'results.jsonl', 'a') as f: f.write(json.dumps({**res, **env}, default=str) + '\n')
    print(f"\n{'DRY RUN on the CPU at tiny sizes: the figures mean nothing' if a.dry_run else res['device']}")
    print(f"{'architecture':<13}{'px':>5}{'batch':>7}{'train img/s':>13}{'infer img/s':>13}{'train GiB':>11}")
    for r in res['cnns']:
        print(f"{r['arch']:<13}{r['size']:>5}{r['batch']:>7}{r['train_images_per_s']:>13}{r['inference_images_per_s']:>13}"
              f"{r['train_peak_gib'] if r['train_peak_gib'] is not None else '-':>11}")
    v = res['vlm_11b']
    print(f"report model ({v['config']}), loaded {v['loaded']['loaded']}: QLoRA step at batch {v['qlora_batch']} "
          f"({v['qlora_tokens_per_sample']} tokens each) {v['qlora_step_s']} s, peak {v['qlora_peak_gib']} GiB; one report "
          f"of {v['generated_tokens']} tokens {v['generate_s']} s, peak {v['generate_peak_gib']} GiB; all in {res['seconds']} s")
    failed = res.get('tests', {}).get('rc', 0) != 0
    if failed: print(f"gpu tests FAILED: {res['tests']['summary']}")
    return 1 if failed else 0


if __name__ == '__main__': sys.exit(main())
