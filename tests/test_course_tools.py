"""For courses and scripts: --get, solve, compare, quiz, and the README's grading script."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from convcalc import formulas
from convcalc.quiz import make_quiz, parse_answer, run_spec
from convcalc.solve import DILATIONS, KERNELS, STRIDES, Problem, solve
from convcalc.spec.loader import parse_data
from tests.conftest import invoke

# --- --get -----------------------------------------------------------------------------------

GETS = [
    (["summary", "vgg16", "--get", "totals.trainable_params"], "138357544\n"),
    (["summary", "mnist_cnn", "--get", "layers.conv2d_2.output_shape"], "64 10 10\n"),
    (["summary", "mnist_cnn", "--get", "layers.4.kernel_shape"], "64 32 5 5\n"),
    (["summary", "mnist_cnn", "--get", "layers.4.kernel_shape.2", "-f", "json"], "32\n"),
    (["summary", "mnist_cnn", "--get", "layers.1.output_shape", "--format", "json"], "[32, 28, 28]\n"),
    (["summary", "mnist_cnn", "--get", "layers.3.kernel_shape"], "null\n"),
    (["summary", "mnist_cnn", "--get", "name"], "mnist_cnn\n"),
    (["verify", "lenet5", "--get", "ok"], "true\n"),
    (["verify", "lenet5", "--get", "layers.conv2d_1.actual_shape"], "6 28 28\n"),
    (["explain", "mnist_cnn", "--get", "conv2d_2.params"], "51264\n"),
    (["explain", "mnist_cnn", "conv2d_2", "--get", "1.steps.4.substituted"], "64 × 32 × 5 × 5\n"),
]


@pytest.mark.parametrize("args, expected", GETS, ids=[" ".join(a) for a, _ in GETS])
def test_get(args, expected):
    result = invoke(*args)
    assert (result.code, result.out) == (0, expected), result.err


@pytest.mark.parametrize("path, fragment", [
    ("totals.foo", "no key 'foo' at totals; valid: params, trainable_params"),
    ("layers.zz", "no item 'zz' at layers; give a name (conv2d_1"),
    ("layers.99", "an index from 1 to 7"),
    ("name.x", "name is a value (\"mnist_cnn\"), it has no 'x'"),
])
def test_get_wrong_path_lists_valid_keys(path, fragment):
    result = invoke("summary", "mnist_cnn", "--get", path)
    assert result.code == 1 and fragment in result.err and result.out == ""


def test_get_from_stdin_through_the_installed_entry_point():
    spec = (Path(__file__).resolve().parent.parent / "convcalc" / "specs" / "lenet5.yaml").read_bytes()
    done = subprocess.run([sys.executable, "-m", "convcalc", "summary", "-", "--get", "totals.params"], input=spec,
                          capture_output=True, check=True)
    assert done.stdout == b"61706\n"
    entry = subprocess.run(["convcalc", "summary", "-", "--get", "totals.params"], input=spec, capture_output=True)
    assert (entry.returncode, entry.stdout) == (0, b"61706\n")


# --- solve -----------------------------------------------------------------------------------

def test_solve_the_classic_question():
    data = json.loads(invoke("solve", "--input", "28", "--output", "14", "--kernel", "3", "-f", "json").out)
    first = data["solutions"][0]
    assert (first["stride"], first["padding"], first["dilation"]) == (2, 1, 1)
    assert first["check"] == "floor((28 − 3 + 2·1)/2) + 1 = 14"  # the course form: D = 1, symmetric P
    assert data["total"] == 4  # the others dilate: D = 2, 3, 4 with P = D


@pytest.mark.parametrize("mode, ceil", [("conv", False), ("transposed", False), ("pool", False), ("pool", True)])
@pytest.mark.parametrize("output", [1, 2, 7, 14])
def test_solve_finds_exactly_what_brute_force_finds(mode, ceil, output):
    found = {(s.input, s.kernel, s.stride, s.padding, s.dilation, s.output_padding)
             for s in solve(Problem(output=output, mode=mode, ceil_mode=ceil, kernel=3 if mode != "pool" else None))}
    brute = set()
    for k in ([3] if mode != "pool" else KERNELS):
        for s in STRIDES:
            for d in (DILATIONS if mode != "pool" else [1]):
                span = formulas.effective_kernel(k, d)
                for p in range((k // 2 if mode == "pool" else span - 1) + 1):
                    for op in (range(max(s, d)) if mode == "transposed" else [0]):
                        for n in range(1, 200):
                            size = (formulas.transposed_output_size(n, k, s, p, d, op) if mode == "transposed" else
                                    formulas.pool_output_size(n, k, s, p, d, ceil) if mode == "pool" else
                                    formulas.conv_output_size(n, k, s, 2 * p, d))
                            if size == output:
                                brute.add((n, k, s, p, d, op))
    assert found == brute


@pytest.mark.parametrize("args, code, fragment", [
    (["-i", "28", "-o", "15", "-k", "3", "-s", "2", "-d", "1", "-p", "0"], 1, "no solution"),
    (["-k", "3"], 2, "give --input or --output"),
    (["-i", "28", "--same"], 2, "--same needs --input and --kernel"),
    (["-i", "28", "-o", "14", "--pool", "--transposed"], 2, "cannot go together"),
    (["-i", "0", "-o", "14"], 2, "0"),
])
def test_solve_errors(args, code, fragment):
    result = invoke("solve", *args)
    assert result.code == code and fragment in result.err


def test_solve_same():
    odd = " ".join(invoke("solve", "--input", "28", "--kernel", "4", "--same").out.split())
    assert "total pad" in odd and "= 3, split 1 before and 2 after" in odd and "the total pad 3 is odd" in odd
    data = json.loads(invoke("solve", "--input", "28", "--kernel", "5", "--same", "-f", "json").out)
    assert (data["total"], data["before"], data["after"], data["symmetric"]) == (4, 2, 2, [2])


def test_solve_table_and_limit():
    out = invoke("solve", "--output", "7", "--limit", "3").out
    assert "simplest first" in out and "more (--limit to show them)" in out


# --- compare ---------------------------------------------------------------------------------

def test_compare():
    data = json.loads(invoke("compare", "lenet5", "vgg16", "resnet18", "-f", "json").out)
    assert [d["name"] for d in data] == ["lenet5", "vgg16", "resnet18"]
    assert data[1]["depth"] == 16 and data[1]["trainable_params"] == 138_357_544
    assert data[1]["largest_layer"] == {"name": "dense_1", "type": "dense", "params": 102_764_544}
    assert data[0]["output_shape"] == [10]
    csv_rows = invoke("compare", "lenet5", "alexnet", "-f", "csv").out.splitlines()
    assert csv_rows[0].startswith("name,depth,layers,params") and csv_rows[2].startswith("alexnet,8,22,61100840")
    assert "| vgg16 | 16 |" in invoke("compare", "lenet5", "vgg16", "-f", "markdown").out
    assert "resnet50" in invoke("compare", "lenet5", "resnet50").out


def test_compare_errors():
    assert invoke("compare", "lenet5", "nope").code == 1
    assert invoke("compare", "-", "-").code == 2


# --- quiz ------------------------------------------------------------------------------------

def test_quiz_is_reproducible_and_seed_dependent():
    a = invoke("quiz", "--seed", "5", "--count", "8").out
    assert a == invoke("quiz", "--seed", "5", "--count", "8").out
    assert a != invoke("quiz", "--seed", "6", "--count", "8").out
    assert a.startswith("# convcalc quiz — seed 5, 8 questions, medium")


def test_quiz_golden(golden):
    golden("quiz_seed7.md", invoke("quiz", "--seed", "7", "--count", "6").out)
    golden("quiz_seed7_key.md", invoke("quiz", "--seed", "7", "--count", "6", "--answers").out)


@pytest.mark.parametrize("seed", range(100))
def test_every_answer_comes_from_the_engine(seed):
    difficulty = ("easy", "medium", "hard")[seed % 3]
    for q in make_quiz(seed, 4, difficulty=difficulty):
        net = run_spec(yaml.safe_load(yaml.safe_dump(q.spec)))
        expected = {"output_shape": list(net.output_shape), "params": net.totals.trainable_params,
                    "receptive_field": net.layers[-1].receptive_field[0]}.get(q.ask)
        if q.ask == "padding":
            assert net.output_shape[1:] == tuple(q.spec["input"][1:]), "the padding must keep the size"
            expected = q.spec["layers"][0]["conv2d"]["padding"]
        assert q.answer == expected, q


def test_quiz_answers_hold_against_pytorch():
    torch = pytest.importorskip("torch", reason="the oracle extra is not installed")
    from tests.oracle.torch_build import TorchNetwork

    for seed in range(100):
        for q in make_quiz(seed, 4, topics=("shapes", "params"), difficulty=("easy", "medium", "hard")[seed % 3]):
            per_layer = TorchNetwork(parse_data(q.spec))(torch.zeros(1, *q.spec["input"]))
            if q.ask == "output_shape":
                assert list(per_layer[-1][0]) == q.answer
            else:
                assert sum(p for _, p in per_layer) == q.answer


def test_quiz_key_json_and_grading(tmp_path):
    key = json.loads(invoke("quiz", "--seed", "11", "--count", "4", "--answers", "-f", "json").out)
    assert [k["number"] for k in key] == [1, 2, 3, 4] and all("answer" in k for k in key)
    answers = {1: "x".join(map(str, key[0]["answer"])), 2: f"{key[1]['answer']:,}", 3: key[2]["answer"] + 1}
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(answers))
    result = invoke("quiz", "--seed", "11", "--count", "4", "--grade", str(path))
    assert result.code == 0 and "score: 2/4 (50%)" in result.out
    graded = json.loads(invoke("quiz", "--seed", "11", "--count", "4", "--grade", str(path), "-f", "json").out)
    assert [q["correct"] for q in graded["questions"]] == [True, True, False, False]


@pytest.mark.parametrize("text, shape, expected", [
    ("16x15x15", True, [16, 15, 15]), ("16×15×15", True, [16, 15, 15]), ([16, 15, 15], True, [16, 15, 15]),
    ("(16, 15, 15)", True, [16, 15, 15]), ("sixteen", True, None), ("1,234", False, 1234), (1234, False, 1234),
    ("lots", False, None),
])
def test_parse_answer(text, shape, expected):
    assert parse_answer(text, shape) == expected


@pytest.mark.parametrize("args, code, fragment", [
    (["--topics", "shapes,colours"], 2, "unknown topic colours"),
    (["--difficulty", "brutal"], 2, "choose from easy, medium, hard"),
    (["--count", "0"], 2, "0"),
    (["--grade", "/nonexistent/answers.yaml"], 1, "no answer file"),
])
def test_quiz_errors(args, code, fragment):
    result = invoke("quiz", *args)
    assert result.code == code and fragment in result.err


def test_grading_a_malformed_answer_file(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("- 1\n- 2\n")
    result = invoke("quiz", "--grade", str(path))
    assert result.code == 1 and "mapping of question number to answer" in result.err


# --- the README's grading script ---------------------------------------------------------------

def readme_block(marker: str) -> str:
    text = Path(__file__).resolve().parent.parent.joinpath("README.md").read_text()
    match = re.search(rf"<!-- {marker} -->\n```bash\n(.*?)```", text, re.S)
    assert match, f"README has no block marked {marker}"
    return match.group(1)


@pytest.mark.parametrize("spec, verdict", [
    ("input: [1, 28, 28]\nlayers:\n  - conv2d: {filters: 8, kernel_size: 3}\n  - maxpool2d: {pool_size: 2}\n"
     "  - flatten\n  - dense: {units: 10}\n", "PASS"),
    ("input: [1, 28, 28]\nlayers:\n  - conv2d: {filters: 64, kernel_size: 3}\n  - flatten\n  - dense: {units: 10}\n",
     "FAIL: 433290 parameters, the budget is 100000"),
    ("input: [1, 28, 28]\nlayers:\n  - conv2d: {filters: 8, kernel_size: 3}\n  - flatten\n  - dense: {units: 5}\n",
     "FAIL: output 5, expected 10"),
    ("input: [1, 28, 28]\nlayers:\n  - conv2d: {filters: 8, kernel_size: 30}\n", "FAIL: the spec does not compute"),
])
def test_readme_grading_script(tmp_path, spec, verdict):
    script = tmp_path / "grade.sh"
    script.write_text(readme_block("grading-script"))
    student = tmp_path / "student.yaml"
    student.write_text(spec)
    done = subprocess.run(["bash", str(script), str(student)], capture_output=True, text=True)
    assert done.stdout.strip().splitlines()[-1] == verdict, done.stdout + done.stderr
