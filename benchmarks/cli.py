"""Cold starts and scaling of the convcalc commands: the median of N fresh processes for each,
next to two floors measured in the same run (this machine is shared and noisy, so a figure is
only compared with the floors beside it): the bare interpreter, and `import typer, rich`.

    python benchmarks/cli.py [--runs 9] [--wheel] [--only cold|scale]

--wheel builds a wheel of this checkout and installs it into a fresh venv first, and measures
that install (what users run; an editable install is slower). Otherwise the `convcalc` on PATH.
The scaling specs (sequential conv2d+relu, and relus alone for verify) are generated in a
temporary folder. Prints a Markdown table ready for the README.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (100, 1_000, 10_000)
COLD = (  # (label, arguments, target in seconds or None)
    ("summary resnet50 --format json", ["summary", "resnet50", "--format", "json"], 0.15),
    ("summary resnet50 (table)", ["summary", "resnet50"], 0.25),
    ("summary efficientnet_b0 --format json", ["summary", "efficientnet_b0", "--format", "json"], 0.15),
    ("summary vgg16 --format json", ["summary", "vgg16", "--format", "json"], None),
    ("--version", ["--version"], None),
    ("verify vgg16", ["verify", "vgg16"], 2.5),
    ("verify vgg16 --backward", ["verify", "vgg16", "--backward"], None),
)
SCALE = (  # (label, arguments with {spec}, spec kind, target at 10,000 layers)
    ("summary --format json", ["summary", "{spec}", "--format", "json"], "conv", 1.0),
    ("summary (table)", ["summary", "{spec}"], "conv", 2.0),
    ("explain", ["explain", "{spec}"], "conv", 3.0),
    ("verify (relus)", ["verify", "{spec}"], "relu", 3.0),
)


def median_seconds(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def write_specs(folder: Path) -> dict[tuple[str, int], Path]:
    conv = "  - conv2d: {filters: 8, kernel_size: 3, padding: 1}\n  - relu\n"
    paths = {}
    for n in SIZES:
        paths["conv", n] = folder / f"conv{n}.yaml"
        paths["conv", n].write_text("input: [8, 32, 32]\nlayers:\n" + conv * (n // 2))
        paths["relu", n] = folder / f"relu{n}.yaml"
        paths["relu", n].write_text("input: [8, 16, 16]\nlayers:\n" + "  - relu\n" * n)
    return paths


def wheel_install(folder: Path) -> tuple[str, str]:
    """(python, convcalc) of a fresh venv holding a wheel built from this checkout."""
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--quiet"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(folder / "dist"), str(ROOT)], check=True)
    wheel = next((folder / "dist").glob("convcalc-*.whl"))
    subprocess.run([*pip, "install", str(wheel)], check=True)
    return str(venv / "bin" / "python"), str(venv / "bin" / "convcalc")


def verdict(seconds: float, target: float | None) -> str:
    if target is None:
        return ""
    return f"≤ {target:g} s {'✓' if seconds <= target else '✗'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="processes per command (default 9)")
    parser.add_argument("--wheel", action="store_true", help="measure a wheel installed in a fresh venv")
    parser.add_argument("--only", choices=("cold", "scale"), help="one part only")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if options.wheel:
            python, convcalc = wheel_install(folder)
        else:
            python, convcalc = sys.executable, str(Path(sys.executable).parent / "convcalc")
        os.chdir(folder)  # away from the checkout, so a wheel install imports only itself
        bare = median_seconds([python, "-c", "pass"], options.runs)
        floor = median_seconds([python, "-c", "import typer, rich"], options.runs)
        print(f"floors: bare python {bare * 1000:.0f} ms · import typer, rich {floor * 1000:.0f} ms "
              f"(median of {options.runs})\n")
        if options.only != "scale":
            print("| command | median | target |\n|---|---:|---|")
            for label, args, target in COLD:
                t = median_seconds([convcalc, *args], options.runs)
                print(f"| `convcalc {label}` | {t * 1000:.0f} ms | {verdict(t, target)} |")
            print()
        if options.only != "cold":
            specs = write_specs(folder)
            print("| command | " + " | ".join(f"{n:,} layers" for n in SIZES) + " | target at 10,000 |")
            print("|---|" + "---:|" * len(SIZES) + "---|")
            for label, args, kind, target in SCALE:
                times = [median_seconds([convcalc, *(str(specs[kind, n]) if a == "{spec}" else a for a in args)],
                                        options.runs) for n in SIZES]
                cells = " | ".join(f"{t:.2f} s" for t in times)
                print(f"| `{label}` | {cells} | {verdict(times[-1], target)} |")
            print()
    print(f"machine: {os.cpu_count()} cores, {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}, {platform.system()} {platform.release()}"
          f"{' · wheel install' if options.wheel else ''}")


if __name__ == "__main__":
    main()
