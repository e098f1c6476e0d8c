"""Run the compendium's benchmarks: `python bench/run.py [name ...]` (default: all bench_*.py here).

Each benchmark prints its figures and its target, and returns a dict that is appended, with the machine's
description, to bench/results.jsonl. Benchmarks are measurements, not tests: they never run under nbdev_test.
"""
import importlib.util, json, platform, sys, time, os
from pathlib import Path

here = Path(__file__).parent
sys.path.insert(0, str(here.parent))

def main(names):
    files = [here/f'bench_{n}.py' for n in names] if names else sorted(here.glob('bench_*.py'))
    from cxr_nb.provenance import hardware, package_versions
    env = dict(hardware=hardware(), packages=package_versions(), time=time.strftime('%Y-%m-%dT%H:%M:%S'))
    hw = env['hardware']
    print(f"machine: {hw['cpu']} ({', '.join(hw.get('cpu_features', [])) or 'no flags read'}), {hw['cores']} cores, "
          f"{hw['memory_gib']} GiB{', GPUs: ' + ', '.join(hw['gpus']) if hw['gpus'] else ''}")
    ok = True
    for f in files:
        spec = importlib.util.spec_from_file_location(f.stem, f); mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
        print(f'== {f.stem}: {mod.__doc__.strip().splitlines()[0]}')
        res = mod.run()
        ok &= bool(res.get('meets_target', True))
        with open(here/'results.jsonl', 'a') as out: out.write(json.dumps(dict(benchmark=f.stem, **res, **env)) + '\n')
    return 0 if ok else 1

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))
