"""Fixtures the notebooks' tests share: made here, imported by tests (`from tests.fixtures import ...`), never exported.

nbdev_test puts the repository root on `sys.path`, so `tests.fixtures` imports from any notebook's test cells."""
from __future__ import annotations
from pathlib import Path

import nbformat
import yaml


def _notebook(path:Path, params:str, *cells:str):
    "A notebook with a `parameters` cell and the given code cells."
    book = [nbformat.v4.new_code_cell(params)] + [nbformat.v4.new_code_cell(c) for c in cells]
    book[0].metadata['tags'] = ['parameters']
    nbformat.write(nbformat.v4.new_notebook(cells=book), path)


def toy_project(dest:Path):
    """A minimal project for testing the runner: settings.ini, a library `toylib` (`a` imports `b` relatively; `c` stands
    alone), two notebooks and a profile `toy`. `01_make` writes a table of `n` numbers using `toylib.a`; `02_use` sums it,
    and raises when told to (`fail`)."""
    dest = Path(dest)
    for d in ('nbs', 'configs', 'toylib'): (dest/d).mkdir(parents=True)
    (dest/'settings.ini').write_text('[DEFAULT]\nlib_name = toylib\n')
    (dest/'toylib/__init__.py').write_text('')
    (dest/'toylib/a.py').write_text('from .b import OFFSET\n')
    (dest/'toylib/b.py').write_text('OFFSET = 0\n')
    (dest/'toylib/c.py').write_text('UNUSED = 0\n')
    _notebook(dest/'nbs/01_make.ipynb', "reports_dir = 'reports'\nn = 3",
              "import sys; sys.path.insert(0, '.')          # papermill runs the notebook from the project's root\n"
              "from toylib.a import OFFSET\nfrom pathlib import Path\n"
              "Path(reports_dir, 'tables').mkdir(parents=True, exist_ok=True)\n"
              "Path(reports_dir, 'tables', 'numbers.csv').write_text('\\n'.join(str(i + OFFSET) for i in range(n)))")
    _notebook(dest/'nbs/02_use.ipynb', "reports_dir = 'reports'\nfail = False",
              "from pathlib import Path\nrows = Path(reports_dir, 'tables', 'numbers.csv').read_text().split()\n"
              "assert not fail, 'asked to fail'\nPath(reports_dir, 'total.txt').write_text(str(sum(map(int, rows))))")
    (dest/'configs/toy.yaml').write_text(yaml.safe_dump(dict(
        data_dir='data', reports_dir='reports', parameters={'seed': 0},
        steps=[dict(notebook='01_make', parameters={'n': 3}, outputs=['{reports_dir}/tables/numbers.csv']),
               dict(notebook='02_use', inputs=['{reports_dir}/tables'], outputs=['{reports_dir}/total.txt'])])))
    return dest


def set_profile(project:Path, name:str, change):
    "Read the project's profile `name`, let `change` edit it (a dict, in place), write it back; return it."
    path = Path(project)/'configs'/f'{name}.yaml'
    cfg = yaml.safe_load(path.read_text()); change(cfg); path.write_text(yaml.safe_dump(cfg))
    return cfg


def trained_runs(archs=('resnet18',), # architectures
                 pathologies=('all',), # 'all' (multi-label) and/or observations (case/control)
                 studies:int=100, image_px:int=96, # the generated demo: studies, image height
                 size:int=64, epochs:int=2, n_boot:int=50, seed:int=0,
                 labels=('true',)): # 'true' and/or 'permuted' (the negative control, <arch>-<pathology>-permuted)
    """A small demo dataset and runs trained on it with `cxr_nb.training`, as 06_training writes them:
    (data folder, runs folder), both fresh temporary folders. For the tests of the notebooks that read runs."""
    import tempfile
    from cxr_nb.demo import write_demo
    from cxr_nb.images import build_cache
    from cxr_nb.training import TrainConfig, load_manifest, make_datasets, fit, finish_run, run_folder
    data = Path(tempfile.mkdtemp())/'demo'; write_demo(data, studies, image_px, seed=seed, progress=False, jobs=1, n_dicom=0)
    runs = Path(tempfile.mkdtemp()); man = load_manifest(data, views=['PA', 'AP'])
    cache = build_cache(man, data, size, progress=False)
    for arch in archs:
        for p in pathologies:
            for lab in labels:
                cfg = TrainConfig(arch=arch, pathology=p, size=size, epochs=epochs, batch_size=16, accumulate=1, lr=1e-3,
                                  weights=None, seed=seed, labels=lab)
                ds = make_datasets(cfg, man, cache); fit(cfg, *ds[:2], run_folder(runs, arch, p, lab), progress=False)
                finish_run(run_folder(runs, arch, p, lab), cfg, *ds, cache, n_boot=n_boot)
    return str(data), str(runs)
