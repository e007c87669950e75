"""Mutation testing of the core modules with mutmut: the share of mutants the test suite kills.

A mutant is the code with one small change (`<` for `<=`, a number off by one, a string
emptied, an argument dropped); the suite "kills" it when some test fails. A surviving mutant
is a change no test notices. mutmut (https://mutmut.readthedocs.io) mutates the function
bodies of the modules listed under `[tool.mutmut] only_mutate` in pyproject.toml, runs the
tests that cover each function, and stores its verdicts in `mutants/`.

Usage (from the repository root, with `pip install -e '.[test,mutation]'`):

    python benchmarks/mutation.py run                   # every core module: slow (hours)
    python benchmarks/mutation.py run --sample 5        # every fifth mutant of each module
    python benchmarks/mutation.py run --module chatbot/matching/text.py
    python benchmarks/mutation.py report                # the table of the last runs
    python benchmarks/mutation.py report --sample 10 --output benchmarks/results/mutation.md
    python benchmarks/mutation.py survivors chatbot/matching/text.py   # what no test notices
    python benchmarks/mutation.py survivors chatbot/matching/text.py --sample 10

`run` resumes where the last run stopped and keeps earlier verdicts; `--again` re-tests the
mutants that survived (after adding tests). The killed share leaves out the mutants listed in
EQUIVALENT below (changes that cannot alter behaviour, each with its reason) and those no test
runs at all are counted as survivors.

mutmut's forkserver installs a SIGTERM handler that the worker processes of
`chatbot.curation.parallel` inherit when a test forks them; now and then one of them then
never exits, and its test process waits for it with no CPU used (`ps` shows an idle child of
the mutant's test process): kill that worker by its pid and the run goes on, verdicts intact.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import subprocess
import sys
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.results import add_output_options, recorded  # noqa: E402

MUTANTS = ROOT / "mutants"
# mutmut's exit codes for a mutant (mutmut/stats.py): 1 and 3 mean a test failed.
KILLED = {1, 3}
SURVIVED = {0, 5, 33}  # 5 and 33: no test covers the mutated function
TIMEOUT = {24, 36, -24, 152, 255}
TARGET = 85.0

# Mutants that cannot change what the program does, by module and a fragment of the mutated
# line (numbers change whenever a function does; the line does not), with the reason.
EQUIVALENT: list[tuple[str, str, str]] = [
    (
        "chatbot/safe_text.py",
        "ensure_ascii=None",
        "None is as false as False: json.dumps behaves the same",
    ),
    ("chatbot/render.py", "strict=None", "None is as false as False: zip does not check lengths"),
    ("chatbot/render.py", "reply.suggestions, )", "zip's strict is False by default"),
    (
        "chatbot/curation/evaluate.py",
        "if (best) or True",
        "a sweep always has 21 points, so there is always a best one",
    ),
    ("chatbot/safe_text.py", '"UTF-8"', "codec names are case-insensitive"),
    (
        "chatbot/safe_text.py",
        "    return True",
        "only a short cut: text without lone surrogates comes back from the repair unchanged",
    ),
    (
        "chatbot/safe_text.py",
        "text.isascii() and not _has_surrogates(text)",
        "only a short cut: text without lone surrogates comes back from the repair unchanged",
    ),
    ("chatbot/loading/located.py", 'text.count("\\n", None, position)', "None starts at 0"),
    (
        "chatbot/loading/located.py",
        "if code <= 0x100",
        "U+0100 is a printable letter: YAML never refuses it",
    ),
    (
        "chatbot/loading/located.py",
        'error.problem or "XXXX"',
        "no hint looks for XXXX: an empty problem and XXXX match the same hints",
    ),
    # The kind of an Unreadable raised for a path: expand's callers make every one of them an
    # IntentPathError, whatever its kind (only files read go by it).
    ("chatbot/loading/paths.py", 'kind="PATH"', "a path's kind is never read"),
    ("chatbot/loading/paths.py", 'kind="XXpathXX"', "a path's kind is never read"),
    ("chatbot/loading/paths.py", "Unreadable(found, path=", "a path's kind is never read"),
    ("chatbot/loading/paths.py", 'strerror}", path=path)', "a path's kind is never read"),
    ("chatbot/loading/paths.py", 'folder", path=path)', "a path's kind is never read"),
    (
        "chatbot/loading/paths.py",
        "return str(None)",
        "unreachable where the suite runs: the branch for systems other than POSIX",
    ),
    (
        "chatbot/loading/paths.py",
        'kind="path", path=None) from None',
        "the folder is the path given, which the caller names when .path is None",
    ),
    (
        "chatbot/matching/speller.py",
        "shortest = 1",
        "each part has at least MIN_PART_LENGTH (3) letters: more than 0 and more than 1",
    ),
    (
        "chatbot/matching/speller.py",
        "len(word) / 4",
        "edit distances are whole numbers: d <= n / 4 exactly when d <= n // 4",
    ),
    (
        "chatbot/matching/matcher.py",
        "zip(hits, slot_points, )",
        "zip's strict only checks lengths: slot_points is built with one entry per hit",
    ),
    (
        "chatbot/matching/matcher.py",
        "_slots_of::found = None",
        "only a cache: an intent's slots are worked out again, the same each time",
    ),
    (
        "chatbot/matching/index.py",
        "_closest_wordings::shared.get(offset, 1.0)",
        "every wording's total gets the extra 1.0 once, when first met: their order is the same",
    ),
    (
        "chatbot/matching/index.py",
        "_many_of::if per_intent < FEW_QUESTIONS",
        "at exactly FEW_QUESTIONS the log scale gives 0.0 too",
    ),
    (
        "chatbot/matching/index.py",
        "_many_of::if per_intent > MANY_QUESTIONS",
        "at exactly MANY_QUESTIONS the log scale gives 1.0 too",
    ),
    (
        "chatbot/matching/index.py",
        "_candidates::map(neg, totals), strict=None)",
        "zip's strict only checks lengths: both sides walk the same dict",
    ),
    (
        "chatbot/matching/index.py",
        "_candidates::map(neg, totals), ))",
        "zip's strict only checks lengths: both sides walk the same dict",
    ),
    (
        "chatbot/matching/index.py",
        "_candidates::if term in ceiling) or 2.0",
        "unreachable: with nothing attainable no intent is a candidate, and search returns first",
    ),
    (
        "chatbot/matching/index.py",
        "_closest_wordings::range(None)",
        "unreachable: a candidate intent always uses one of the query's known words",
    ),
    (
        "chatbot/matching/index.py",
        "_set_bounds::default=None)",
        "unreachable: an index always has terms (an empty knowledge base is refused first)",
    ),
    (
        "chatbot/matching/index.py",
        "_inverse_frequencies::if idf or key_terms",
        "unreachable: idf is empty only for an empty knowledge base, which is refused first",
    ),
    (
        "chatbot/matching/index.py",
        "familiarity::if total else 1.0",
        "unreachable: a query without terms has no hits, so its familiarity is never read",
    ),
    (
        "chatbot/matching/index.py",
        "search::if (w_answer) or True else ()",
        "the answer channel's value is multiplied by its weight w_answer, which is then 0",
    ),
    (
        "chatbot/matching/index.py",
        "_best_totals::if len(seeds) > wanted * SEED_SHARE",
        "one more seed only raises the bar sooner; every intent that can reach it is still summed",
    ),
    (
        "chatbot/matching/index.py",
        "_best_totals::slack = BOUND_SLACK / (",
        "both slacks are far above the rounding error of these sums and far below any gap",
    ),
    (
        "chatbot/matching/index.py",
        "_best_totals::if upper <= best[0] - slack",
        "an intent whose bound equals the bar cannot beat the best it would have to beat",
    ),
]


def core_modules() -> list[str]:
    """The modules pyproject.toml lists for mutation, in its order."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return list(config["tool"]["mutmut"]["only_mutate"])


def mutant_prefix(module: str) -> str:
    """The prefix of mutmut's names for a module's mutants ('chatbot.matching.text.')."""
    return module.removesuffix(".py").replace("/", ".") + "."


def verdicts(module: str) -> dict[str, int | None]:
    """mutmut's exit code for each mutant of a module (None: not run yet)."""
    meta = MUTANTS / f"{module}.meta"
    if not meta.exists():
        return {}
    data = json.loads(meta.read_text(encoding="utf-8"))
    return dict(data["exit_code_by_key"])


def _functions(module: str) -> dict[str, str]:
    """The source of every function in the mutated copy of a module, by name."""
    source = (MUTANTS / module).read_text(encoding="utf-8")
    lines = source.splitlines()
    found = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and "__mutmut_" in node.name:
            # The body only: the names differ.
            found[node.name] = "\n".join(lines[node.body[0].lineno - 1 : node.end_lineno])
    return found


def changed_lines(module: str, names: list[str]) -> dict[str, list[str]]:
    """For each mutant, its lines that differ from the original ('-' before, '+' after)."""
    functions = _functions(module)
    result = {}
    for name in names:
        short = name.removeprefix(mutant_prefix(module))
        original = functions.get(short.rsplit("__mutmut_", 1)[0] + "__mutmut_orig", "")
        mutated = functions.get(short, "")
        result[name] = [
            line
            for line in difflib.unified_diff(original.splitlines(), mutated.splitlines(), n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))
        ]
    return result


def equivalent_reason(module: str, name: str, lines: list[str]) -> str | None:
    """Why a mutant is equivalent, when EQUIVALENT lists it (a fragment 'function::line'
    names the mutated function too, for lines that other functions' mutants share)."""
    for listed, fragment, reason in EQUIVALENT:
        function, _, text = fragment.rpartition("::")
        if (
            listed == module
            and (not function or f"{function}__mutmut_" in name)
            and any(line.startswith("+") and text in line for line in lines)
        ):
            return reason
    return None


def sampled(names: list[str], sample: int) -> list[str]:
    """Every `sample`-th of the mutants, in the order of their numbers within their functions
    (the same choice each time, spread over every function)."""
    return sorted(names, key=lambda name: (int(name.rsplit("_", 1)[1]), name))[::sample]


def tally(module: str, sample: int = 1) -> dict[str, int]:
    """Counts of each verdict for one module's mutants (or every `sample`-th of them)."""
    codes = verdicts(module)
    if sample > 1:
        codes = {name: codes[name] for name in sampled(list(codes), sample)}
    survivors = [name for name, code in codes.items() if code in SURVIVED]
    diffs = changed_lines(module, survivors) if survivors else {}
    counts = dict.fromkeys(("mutants", "killed", "survived", "timeout", "equivalent", "left"), 0)
    for name, code in codes.items():
        counts["mutants"] += 1
        if code is None:
            counts["left"] += 1
        elif code in KILLED:
            counts["killed"] += 1
        elif code in TIMEOUT:
            counts["timeout"] += 1
        elif code in SURVIVED and equivalent_reason(module, name, diffs[name]):
            counts["equivalent"] += 1
        elif code in SURVIVED:
            counts["survived"] += 1
        else:  # segfaults and other crashes: the mutant was noticed
            counts["killed"] += 1
    return counts


def report(modules: list[str], sample: int = 1) -> int:
    """Print the killed share per module; return 1 when a module is below TARGET."""
    chosen = f"Every {sample}th mutant of each module" if sample > 1 else "Every mutant"
    print(f"{chosen}, with the verdicts of the runs so far (target: {TARGET:.0f}% killed)")
    print()
    print("| module | mutants | run | killed | timeout | survived | equivalent | killed % |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    below = False
    for module in modules:
        counts = tally(module, sample)
        run = counts["mutants"] - counts["left"]
        judged = counts["killed"] + counts["timeout"] + counts["survived"]
        share = 100.0 * (counts["killed"] + counts["timeout"]) / judged if judged else 0.0
        below |= bool(judged) and share < TARGET
        print(
            f"| {module} | {counts['mutants']} | {run} | {counts['killed']} | "
            f"{counts['timeout']} | {counts['survived']} | {counts['equivalent']} | "
            + (f"{share:.1f} |" if judged else "- |")
        )
    return 1 if below else 0


def survivors(module: str, sample: int = 1) -> None:
    """Print each surviving mutant of a module (or of every `sample`-th) with its changed
    lines."""
    codes = verdicts(module)
    names = [name for name in sampled(list(codes), sample) if codes[name] in SURVIVED]
    for name, lines in changed_lines(module, names).items():
        reason = equivalent_reason(module, name, lines)
        print(f"{name}" + (f"  (equivalent: {reason})" if reason else ""))
        for line in lines:
            print(f"    {line.strip()[:150]}")


def run(modules: list[str], sample: int, again: bool, max_children: int) -> None:
    """Run mutmut on the chosen mutants of the modules, `max_children` test runs at a time."""
    mutmut = [str(Path(sys.executable).with_name("mutmut")), "run"]
    mutmut.append(f"--max-children={max_children}")
    if not any(verdicts(module) for module in modules):
        # Every run generates every module's mutants first; naming the first mutants of one
        # module makes this one test only those, so that a sample can be chosen next.
        first = mutant_prefix(modules[0]) + "*__mutmut_1"
        subprocess.run([*mutmut, first], cwd=ROOT, check=False)
    names: list[str] = []
    for module in modules:
        codes = verdicts(module)
        chosen = sampled(list(codes), sample)
        if again:
            chosen = [name for name in chosen if codes[name] in SURVIVED]
        else:
            chosen = [name for name in chosen if codes[name] is None]
        names.extend(chosen)
    if not names:
        print("nothing left to run")
        return
    subprocess.run([*mutmut, *names], cwd=ROOT, check=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    running = commands.add_parser("run", help="run mutmut, then print the table")
    running.add_argument("--module", action="append", help="a module path (repeatable)")
    running.add_argument("--sample", type=int, default=1, help="run every Nth mutant")
    running.add_argument("--again", action="store_true", help="re-test the survivors")
    running.add_argument(
        "--max-children", type=int, default=1, help="test runs at a time (default: 1)"
    )
    reporting = commands.add_parser("report", help="print the table of the last runs")
    reporting.add_argument("--module", action="append", help="a module path (repeatable)")
    reporting.add_argument("--sample", type=int, default=1, help="count every Nth mutant only")
    add_output_options(reporting)
    listing = commands.add_parser("survivors", help="print a module's surviving mutants")
    listing.add_argument("module")
    listing.add_argument("--sample", type=int, default=1, help="of every Nth mutant only")
    args = parser.parse_args()
    if args.command == "survivors":
        survivors(args.module, args.sample)
        return 0
    modules = args.module or core_modules()
    if args.command == "run":
        run(modules, args.sample, args.again, args.max_children)
        return report(modules, args.sample)
    with recorded(args.output, args.note):
        return report(modules, args.sample)


if __name__ == "__main__":
    sys.exit(main())
