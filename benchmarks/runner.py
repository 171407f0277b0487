"""The NumPy runner against PyTorch CPU on VGG-16 and ResNet-50 at 3×224×224, batch 1, on the
same number of threads, in the same run; prints each median and the ratio.

    pip install -e ".[test,oracle]" && python benchmarks/runner.py [--repeats 5] [--threads N]

Weight creation is left out on both sides: the runner's layer timings exclude the time spent
drawing weights, and PyTorch's modules are built once before timing.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.oracle.torch_build

TARGETS = {"vgg16": 2.0, "resnet50": 3.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed forward passes per side (default 5)")
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="threads for both (default: all cores)")
    args = parser.parse_args()
    # numpy's BLAS reads its thread count when it loads: set it before importing numpy
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)

    import numpy as np
    import torch

    from convcalc.engine import analyze
    from convcalc.runner import run_network
    from convcalc.spec.loader import load_spec
    from tests.oracle.torch_build import TorchNetwork

    torch.set_num_threads(args.threads)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {args.threads} threads; "
          f"numpy {np.__version__}, torch {torch.__version__}; median of {args.repeats}")
    for name, target in TARGETS.items():
        spec = load_spec(name)
        net = analyze(spec)
        run_network(net)  # warm-up: the im2col buffer and the allocator reach their size
        ours = statistics.median(sum(r.seconds for r in run_network(net, seed=i)[0]) for i in range(args.repeats))
        model, x = TorchNetwork(spec), torch.randn(1, *spec.input_shape)
        model(x)  # builds the modules
        theirs = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            model(x)
            theirs.append(time.perf_counter() - start)
        theirs = statistics.median(theirs)
        ratio = ours / theirs
        verdict = "meets" if ratio <= target else "misses"
        print(f"{name}: runner {ours * 1000:.0f} ms, PyTorch {theirs * 1000:.0f} ms, ratio {ratio:.2f} "
              f"({verdict} the ≤ {target:g}× target)")


if __name__ == "__main__":
    main()
