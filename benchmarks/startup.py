"""Cold start of `convcalc summary resnet50 --format json`, median of N fresh processes, next to
the bare interpreter's start-up measured in the same run (this machine is shared and noisy, so
the ratio is the figure to compare across runs).

    python benchmarks/startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import subprocess
import sys
import time


def median_seconds(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="processes per command (default 5)")
    runs = parser.parse_args().runs
    convcalc = shutil.which("convcalc") or sys.exit("convcalc is not on PATH: pip install -e .")
    baseline = median_seconds([sys.executable, "-c", "pass"], runs)
    for spec in ("resnet50", "vgg16"):
        t = median_seconds([convcalc, "summary", spec, "--format", "json"], runs)
        print(f"summary {spec} --format json: median {t * 1000:.0f} ms over {runs} runs "
              f"(bare python: {baseline * 1000:.0f} ms; convcalc's own share: {(t - baseline) * 1000:.0f} ms)")
    table = median_seconds([convcalc, "summary", "resnet50"], runs)
    print(f"summary resnet50 (rich table): median {table * 1000:.0f} ms")
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
          f"{platform.system()} {platform.release()}")


if __name__ == "__main__":
    main()
