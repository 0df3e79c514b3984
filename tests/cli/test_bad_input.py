"""Every command of ``rvlms`` answers bad input with a clear message and exit code 1
(invalid input) or 2 (usage), never a traceback.

The commands are read from the Typer application, so a command added later is covered
too: each parameter of each command is given bad values of its kind (missing files,
folders instead of files, unreadable YAML, invalid cases, unknown choices, NaN, infinite,
negative and huge numbers, unsupported database URLs, output paths in folders that do not
exist) while the other parameters get ordinary values. A table of specific inputs then
checks the exit code and the words of the message, and a few runs go through a real
subprocess.
"""

from __future__ import annotations

import enum
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_origin

import pytest
from typer.main import get_command
from typer.testing import CliRunner, Result

from rvlms.cli.main import app
from rvlms.examples import load_zhang2021, zhang2021_paths

EXIT_INVALID = 1
EXIT_USAGE = 2
PASSWORD_INPUT = "a passphrase long enough\n" * 3

runner = CliRunner()


def _leaves(group: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    for name, command in sorted(group.commands.items()):
        if hasattr(command, "commands"):
            yield from _leaves(command, (*prefix, name))
        else:
            yield (*prefix, name), command


COMMANDS = list(_leaves(get_command(app)))
COMMAND_IDS = [" ".join(path) for path, _ in COMMANDS]


@dataclass(frozen=True)
class Files:
    root: Path
    case: Path
    missing: Path
    folder: Path
    broken_yaml: Path
    invalid_case: Path
    not_a_mapping: Path
    binary: Path
    registry: str
    cohort_csv: Path
    dfs_longer_csv: Path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Files:
    from rvlms.registry import Registry
    from rvlms.synth import synthesize

    root = tmp_path_factory.mktemp("bad-input")
    case = root / "case4.yaml"
    shutil.copy(zhang2021_paths()[3], case)
    folder = root / "a-folder"
    folder.mkdir()
    (root / "broken.yaml").write_text("case_id: x\nimaging: [1, 2\n", encoding="utf-8")
    (root / "invalid.yaml").write_text(
        case.read_text(encoding="utf-8")
        + "\npathology:\n  size_cm: 0\ncomplications:\n  - clavien_dindo: VI\n",
        encoding="utf-8",
    )
    (root / "list.yaml").write_text("- 1\n- 2\n", encoding="utf-8")
    (root / "binary.yaml").write_bytes(b"\x00\xff\xfe\x80 not text")
    url = f"sqlite:///{root / 'registry.sqlite3'}"
    with Registry(url) as registry:
        registry.add_many(load_zhang2021(), "tests")
    cohort = synthesize(20, seed=3)
    cohort.to_csv(root / "cohort.csv", index=False)
    longer = cohort.copy()
    longer.loc[0, "dfs_months"] = 90.0
    longer.loc[0, "os_months"] = 30.0
    longer.to_csv(root / "dfs-longer.csv", index=False)
    return Files(
        root=root,
        case=case,
        missing=root / "missing.yaml",
        folder=folder,
        broken_yaml=root / "broken.yaml",
        invalid_case=root / "invalid.yaml",
        not_a_mapping=root / "list.yaml",
        binary=root / "binary.yaml",
        registry=url,
        cohort_csv=root / "cohort.csv",
        dfs_longer_csv=root / "dfs-longer.csv",
    )


@pytest.fixture
def cli_env(files: Files, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A working folder of its own, the module's registry as RVLMS_DB, and a server that
    is never started."""
    import uvicorn

    monkeypatch.chdir(tmp_path)
    registry = tmp_path / "registry.sqlite3"
    shutil.copy(files.registry.removeprefix("sqlite:///"), registry)
    monkeypatch.setenv("RVLMS_DB", f"sqlite:///{registry}")
    monkeypatch.setenv("RVLMS_USER", "tests")
    monkeypatch.setenv("RVLMS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: None)
    return tmp_path


def _squeezed(text: str) -> str:
    return re.sub(r"[\s│╭╮╰╯─]+", "", text).lower()


def _invoke(args: Sequence[str]) -> Result:
    return runner.invoke(app, list(args), input=PASSWORD_INPUT)


def _no_traceback(result: Result, args: Sequence[str]) -> None:
    shown = f"rvlms {' '.join(args)[:300]}\n{result.output[-3000:]}"
    assert "Traceback" not in result.output, shown
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{shown}\n{result.exception!r}"
    )
    assert result.exit_code in (0, EXIT_INVALID, EXIT_USAGE), shown


def _names(result: Result, words: Sequence[str]) -> bool:
    said = _squeezed(result.output)
    return any(_squeezed(w) in said for w in words if _squeezed(w))


def _param_words(param: Any) -> list[str]:
    words = [*param.opts, *param.secondary_opts]
    if param.name:
        words += [param.name, param.name.upper(), param.name.replace("_", "-")]
    if _is_argument(param) and param.metavar:
        words.append(param.metavar.rstrip("."))
    return words


# -- ordinary values for the parameters that are not under test ---------------------


def _kind(param: Any) -> Any:
    kind = param.type_descriptor.annotation
    if get_origin(kind) in (list, tuple):
        kind = get_args(kind)[0]
    return kind


def _is_argument(param: Any) -> bool:
    return bool(param.param_type_name == "argument")


def _good_value(param: Any, files: Files) -> list[str]:
    kind = _kind(param)
    name = param.name or ""
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        value = str(next(iter(kind)).value)
    elif kind is Path:
        value = str(files.case)
    elif kind is int:
        value = str(max(1, param.min or 1))
    elif kind is float:
        value = "1.5"
    elif "case" in name:
        value = "zhang2021-case4"
    elif name == "rule_id":
        value = "vascular.partial-clamp"
    elif name in ("name", "username"):
        value = "tests.user"
    else:
        value = "x"
    if _is_argument(param):
        return [value]
    return [param.opts[0], value]


BASE_OPTIONS: dict[str, dict[str, list[str]]] = {
    "analyze": {"published": ["--published"]},
    "registry edit": {"assignments": ["--set", "notes=edited"]},
    "score ajcc": {"size_cm": ["--size-cm", "4"], "grade": ["--grade", "G2"]},
    "score egfr": {
        "creatinine": ["--creatinine", "80"],
        "age": ["--age", "60"],
        "sex": ["--sex", "male"],
    },
}
"""Options a command needs besides its required ones, by parameter; left out when that
parameter, or one it excludes, is the one under test."""

EXCLUSIVE: dict[str, set[str]] = {
    "analyze": {"from_", "db", "published"},
    "registry edit": {"case_file", "assignments"},
}


def _arguments(
    path: tuple[str, ...], command: Any, files: Files, under_test: Any, bad: str
) -> list[str]:
    """The command line with ``bad`` for ``under_test`` and ordinary values for the other
    required parameters, in the order of the parameters."""
    command_path = " ".join(path)
    exclusive = EXCLUSIVE.get(command_path, set())
    options: list[str] = []
    for name, extra in BASE_OPTIONS.get(command_path, {}).items():
        if name != under_test.name and not (name in exclusive and under_test.name in exclusive):
            options += extra
    positional: list[str] = []
    for param in command.params:
        if param.name == "help":
            continue
        if param is under_test:
            value = [bad] if _is_argument(param) else [param.opts[0], bad]
        elif param.required:
            value = _good_value(param, files)
        else:
            continue
        (positional if _is_argument(param) else options).extend(value)
    return [*options, *positional]


# -- bad values by kind of parameter -------------------------------------------------


def _bad_values(param: Any, files: Files) -> list[tuple[str, bool]]:
    """(value, must be refused) pairs for one parameter."""
    kind = _kind(param)
    name = param.name or ""
    if kind is bool or getattr(param, "is_flag", False):
        return []
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return [("no-such-choice", True), ("", True)]
    if kind is int:
        return [("abc", True), ("1.5", True), ("nan", True), ("-1", False), ("9" * 40, False)]
    if kind is float:
        return [
            ("abc", True),
            ("nan", True),
            ("inf", True),
            ("-inf", True),
            ("-1", False),
            ("9" * 400, False),
        ]
    if name == "db":
        return [
            ("mysql://user@localhost/rvlms", True),
            (f"sqlite:///{files.case}/sub/x.sqlite3", True),
            ("not a url at all", True),
            ("postgresql+asyncpg://user@localhost/db", True),
        ]
    if kind is Path and name in ("out", "rejects"):
        return [(str(files.folder), True), ("new/nested/folder/out.file", False)]
    if kind is Path and name == "plots":
        return [(str(files.case), True), ("new/plots/folder", False)]
    if kind is Path:
        return [
            (str(files.missing), False),
            (str(files.folder), False),
            (str(files.broken_yaml), False),
            (str(files.invalid_case), False),
            (str(files.not_a_mapping), False),
            (str(files.binary), False),
        ]
    return [("x" * 20_000, False), ("[/bold]", False)]


def _cases() -> list[tuple[str, str]]:
    return [
        (" ".join(path), param.name or "")
        for path, command in COMMANDS
        for param in command.params
        if param.name != "help"
    ]


def _command(path_text: str) -> tuple[tuple[str, ...], Any]:
    return next((path, c) for path, c in COMMANDS if " ".join(path) == path_text)


def test_every_command_is_found() -> None:
    found = {" ".join(path) for path, _ in COMMANDS}
    assert {
        "plan",
        "classify",
        "validate",
        "explain",
        "schema",
        "map",
        "rules",
        "analyze",
        "reproduce",
        "synth",
        "power",
        "concordance",
        "demo",
        "serve",
        "user add",
        "user token",
        "user list",
        "registry init",
        "registry add",
        "registry show",
        "registry list",
        "registry edit",
        "registry delete",
        "registry history",
        "registry export",
        "registry import",
        "redcap dictionary",
        "score fnclcc",
        "score ajcc",
        "score clavien",
        "score egfr",
        "literature list",
        "literature show",
        "literature similar",
    } <= found
    if (Path(__file__).resolve().parents[2] / "src/rvlms/cli/new_cmd.py").exists():
        assert any(path[0] == "new" for path, _ in COMMANDS)


@pytest.mark.parametrize("command_path", COMMAND_IDS)
def test_unknown_option_and_help(command_path: str, cli_env: Path) -> None:
    path, _ = _command(command_path)
    helped = _invoke([*path, "--help"])
    _no_traceback(helped, path)
    assert helped.exit_code == 0
    wrong = _invoke([*path, "--no-such-option-xyz"])
    _no_traceback(wrong, path)
    assert wrong.exit_code == EXIT_USAGE
    assert _names(wrong, ["--no-such-option-xyz"])


@pytest.mark.parametrize(("command_path", "param_name"), _cases())
def test_bad_value_of_each_parameter(
    command_path: str, param_name: str, files: Files, cli_env: Path
) -> None:
    path, command = _command(command_path)
    param = next(p for p in command.params if p.name == param_name)
    for value, must_refuse in _bad_values(param, files):
        args = [*path, *_arguments(path, command, files, param, value)]
        result = _invoke(args)
        _no_traceback(result, args)
        if must_refuse:
            assert result.exit_code in (EXIT_INVALID, EXIT_USAGE), (args, result.output)
            words = [*_param_words(param), value, Path(value).name]
            assert _names(result, words), (args, result.output)
        assert "np.float64" not in result.output, result.output


# -- specific inputs, exit codes and messages ------------------------------------------


def _specific(files: Files) -> list[tuple[list[str], int, list[str]]]:
    case = str(files.case)
    return [
        (["plan", str(files.missing)], EXIT_USAGE, ["missing.yaml", "No such file"]),
        (["plan", str(files.folder)], EXIT_USAGE, ["a-folder"]),
        (["plan", str(files.broken_yaml)], EXIT_USAGE, ["broken.yaml"]),
        (["plan", str(files.invalid_case)], EXIT_INVALID, ["pathology.size_cm"]),
        (["validate", str(files.invalid_case)], EXIT_INVALID, ["complications.0.clavien_dindo"]),
        (["registry", "add", str(files.invalid_case)], EXIT_INVALID, ["pathology.size_cm"]),
        (["plan", "[/bold]"], EXIT_USAGE, ["[/bold]"]),
        (["plan", case, "--format", "pdf"], EXIT_USAGE, ["--format"]),
        (["plan", case, "--follow-up-years", "0"], EXIT_USAGE, ["--follow-up-years"]),
        (["schema", "case", "--out", str(files.folder)], EXIT_USAGE, ["--out", "folder"]),
        (["power", "--hr", "nan"], EXIT_USAGE, ["--hr"]),
        (["power", "--hr", "inf"], EXIT_USAGE, ["--hr"]),
        (["power", "--hr", "-1"], EXIT_USAGE, ["--hr"]),
        (["power", "--alpha", "2"], EXIT_USAGE, ["--alpha"]),
        (["power", "--p-event-exp", "nan"], EXIT_USAGE, ["--p-event-exp"]),
        (["score", "ajcc", "--size-cm", "nan", "--grade", "G2"], EXIT_USAGE, ["--size-cm"]),
        (
            ["score", "egfr", "--creatinine", "inf", "--age", "60", "--sex", "male"],
            EXIT_USAGE,
            ["--creatinine"],
        ),
        (["synth", "--seed", "-1"], EXIT_USAGE, ["--seed"]),
        (["analyze", "--published", "--by", "nonsense"], EXIT_USAGE, ["--by"]),
        (["analyze", "--from", str(files.dfs_longer_csv)], EXIT_USAGE, ["dfs_months", "90.0"]),
        (["analyze", "--from", str(files.binary)], EXIT_USAGE, ["--from"]),
        (
            ["registry", "list", "--db", "mysql://user@localhost/rvlms"],
            EXIT_USAGE,
            ["mysql is not supported", "sqlite:///", "postgresql+psycopg://"],
        ),
        (
            ["analyze", "--db", "mysql://user@localhost/rvlms"],
            EXIT_USAGE,
            ["mysql is not supported"],
        ),
        (
            ["user", "list", "--db", "mysql+pymysql://u:secret@h/db"],
            EXIT_USAGE,
            ["mysql is not supported"],
        ),
        (["serve", "--db", "mysql://h/db"], EXIT_USAGE, ["mysql is not supported"]),
        (["registry", "list", "--db", "garbage"], EXIT_USAGE, ["not a database URL"]),
        (
            ["registry", "list", "--db", "postgresql+psycopg2://h/db"],
            EXIT_USAGE,
            ["psycopg2", "postgresql+psycopg://"],
        ),
        (["registry", "show", "x" * 10_000], EXIT_INVALID, ["not in the registry"]),
        (
            ["registry", "edit", "zhang2021-case4", "--version", "9" * 30, "--set", "notes=x"],
            EXIT_INVALID,
            ["version"],
        ),
        (["explain", case, "no.such-rule"], EXIT_USAGE, ["no.such-rule"]),
    ]


def test_specific_bad_inputs(files: Files, cli_env: Path) -> None:
    for args, code, words in _specific(files):
        result = _invoke(args)
        _no_traceback(result, args)
        assert result.exit_code == code, (args, result.output)
        for word in words:
            assert _squeezed(word) in _squeezed(result.output), (args, word, result.output)
        assert "np.float64" not in result.output


def test_passwords_are_not_shown(cli_env: Path) -> None:
    result = _invoke(["registry", "list", "--db", "postgresql://u:hunter2@h:x/db"])
    _no_traceback(result, ["registry", "list"])
    assert result.exit_code == EXIT_USAGE
    assert "hunter2" not in result.output


READING_COMMANDS = (
    ["registry", "list"],
    ["registry", "export", "--format", "json"],
    ["analyze"],
    ["user", "list"],
    ["user", "token", "someone"],
    ["serve"],
)
CASE_COMMANDS = (
    ["registry", "show", "zhang2021-case1"],
    ["registry", "history", "zhang2021-case1"],
    ["registry", "delete", "zhang2021-case1"],
    ["registry", "edit", "zhang2021-case1", "--version", "1", "--set", "notes=x"],
)
ADDING_COMMANDS = (
    ["registry", "add", str(zhang2021_paths()[0])],
    ["user", "add", "new.person", "--role", "clinician", "--password-stdin"],
    ["serve", "--demo"],
)


def test_a_sqlite_registry_in_a_missing_folder_is_refused(cli_env: Path) -> None:
    url = "sqlite:////nonexistent-rvlms-folder/sub/x.sqlite3"
    for args in (*READING_COMMANDS, *CASE_COMMANDS, *ADDING_COMMANDS):
        result = _invoke([*args, "--db", url])
        _no_traceback(result, args)
        assert result.exit_code == EXIT_USAGE, (args, result.output)
        assert "no registry at" in result.output, (args, result.output)
        assert "the folder /nonexistent-rvlms-folder/sub does not exist" in result.output
    assert not Path("/nonexistent-rvlms-folder").exists()


def test_a_missing_sqlite_file_is_not_created_by_reading(cli_env: Path) -> None:
    path = cli_env / "typo.sqlite3"
    url = f"sqlite:///{path}"
    for args in READING_COMMANDS:
        result = _invoke([*args, "--db", url])
        _no_traceback(result, args)
        assert result.exit_code == EXIT_USAGE, (args, result.output)
        assert "no registry at" in result.output and "does not exist" in result.output
        assert not path.exists(), args
    for args in CASE_COMMANDS:
        result = _invoke([*args, "--db", url])
        _no_traceback(result, args)
        assert result.exit_code == EXIT_INVALID, (args, result.output)
        assert "is not in the registry" in result.output
        assert "does not exist" in result.output
        assert not path.exists(), args


def test_adding_to_a_missing_sqlite_file_creates_it_with_a_note(cli_env: Path) -> None:
    path = cli_env / "first.sqlite3"
    added = _invoke(["registry", "add", str(zhang2021_paths()[0]), "--db", f"sqlite:///{path}"])
    assert added.exit_code == 0, added.output
    assert "creating it" in added.stderr
    assert path.exists()


def test_registry_init_creates_the_file_and_its_folder(cli_env: Path) -> None:
    target = cli_env / "new" / "nested" / "registry.sqlite3"
    url = f"sqlite:///{target}"
    created = _invoke(["registry", "init", "--db", url])
    assert created.exit_code == 0, created.output
    assert target.exists()
    listed = _invoke(["registry", "list", "--db", url])
    assert listed.exit_code == 0, listed.output
    assert "0 case(s)" in listed.output


def test_output_folders_are_created(files: Files, cli_env: Path) -> None:
    runs = [
        (["plan", str(files.case), "--out", "p/q/plan.txt"], "p/q/plan.txt"),
        (["plan", str(files.case), "--format", "json", "--out", "p/j/plan.json"], "p/j/plan.json"),
        (["map", "--out", "m/n/map.mmd"], "m/n/map.mmd"),
        (["schema", "plan", "--out", "s/t/plan.schema.json"], "s/t/plan.schema.json"),
        (["synth", "--n", "5", "--out", "y/z/cohort.csv"], "y/z/cohort.csv"),
        (["redcap", "dictionary", "--out", "r/c/dictionary.csv"], "r/c/dictionary.csv"),
        (["registry", "export", "--format", "json", "--out", "e/x/cases.json"], "e/x/cases.json"),
        (
            [
                "analyze",
                "--from",
                str(files.cohort_csv),
                "--format",
                "html",
                "--out",
                "h/t/report.html",
                "--plots",
                "h/plots",
            ],
            "h/t/report.html",
        ),
        (
            [
                "analyze",
                "--from",
                str(files.cohort_csv),
                "--format",
                "pdf",
                "--out",
                "a/b/report.pdf",
            ],
            "a/b/report.pdf",
        ),
    ]
    for args, written in runs:
        result = _invoke(args)
        _no_traceback(result, args)
        assert result.exit_code == 0, (args, result.output)
        assert (cli_env / written).is_file(), args
    assert any((cli_env / "h" / "plots").iterdir())


def test_an_output_inside_a_file_is_a_clear_error(files: Files, cli_env: Path) -> None:
    inside_a_file = str(files.case / "plan.json")
    for args in (
        ["plan", str(files.case), "--format", "json", "--out", inside_a_file],
        ["schema", "case", "--out", inside_a_file],
        ["synth", "--out", inside_a_file],
        ["analyze", "--published", "--format", "html", "--out", inside_a_file],
    ):
        result = _invoke(args)
        _no_traceback(result, args)
        assert result.exit_code == EXIT_USAGE, (args, result.output)
        assert "--out" in result.output


# -- real subprocesses ----------------------------------------------------------------


def _rvlms(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RVLMS_DATA_DIR": str(cwd / "data"), "COLUMNS": "200"}
    env.pop("RVLMS_DB", None)
    return subprocess.run(
        [sys.executable, "-c", "from rvlms.cli.main import run; run()", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
        check=False,
    )


def test_in_a_real_process(files: Files, tmp_path: Path) -> None:
    runs: list[tuple[list[str], int, str]] = [
        (["power", "--hr", "nan"], EXIT_USAGE, "--hr"),
        (
            ["registry", "list", "--db", "mysql://user@localhost/rvlms"],
            EXIT_USAGE,
            "mysql is not supported",
        ),
        (
            ["registry", "list", "--db", "sqlite:////nonexistent-rvlms-folder/x.sqlite3"],
            EXIT_USAGE,
            "does not exist",
        ),
        (["analyze", "--from", str(files.dfs_longer_csv)], EXIT_USAGE, "90.0"),
        (["plan", str(files.case), "--out", "deep/er/plan.txt"], 0, ""),
    ]
    for args, code, word in runs:
        done = _rvlms(*args, cwd=tmp_path)
        assert "Traceback" not in done.stdout + done.stderr, (args, done.stderr)
        assert done.returncode == code, (args, done.stdout, done.stderr)
        assert word in done.stdout + done.stderr
        assert "np.float64" not in done.stderr
    assert (tmp_path / "deep" / "er" / "plan.txt").is_file()
    assert not Path("/nonexistent-rvlms-folder").exists()
