"""The per-module table of "Mutation score" in docs/testing.md, read from mutmut's own results.

`make mutation` prints it after its passes; mutmut itself lists only the survivors.
Each pass keeps its results in .mutation/<pass>/mutants/**/*.py.meta (exit code per
mutant: 0 survived, None not yet run, 33 reached by no test, anything else killed).
"""
import json
import pathlib
import sys

PROJECT = pathlib.Path(__file__).resolve().parent.parent
ROOT = PROJECT / ".mutation"
PASSES = sorted(cfg.stem for cfg in (PROJECT / "tests" / "mutation").glob("*.cfg"))


def counts(meta):
    codes = list(json.loads(meta.read_text())["exit_code_by_key"].values())
    survived = codes.count(0)
    not_run = sum(1 for code in codes if code is None or code == 33)
    return len(codes), len(codes) - survived - not_run, survived, not_run


def main():
    rows, totals = [], [0, 0, 0, 0]
    for pass_dir in (ROOT / name for name in PASSES if (ROOT / name / "mutants").is_dir()):
        for meta in sorted((pass_dir / "mutants" / "egov").rglob("*.py.meta")):
            module = meta.relative_to(pass_dir / "mutants" / "egov").as_posix()[:-len(".meta")]
            numbers = counts(meta)
            totals = [a + b for a, b in zip(totals, numbers)]
            rows.append(f"| {pass_dir.name} · `{module}` | " + " | ".join(map(str, numbers)) + " |")
    if not rows:
        sys.exit("no mutation results yet: run `make mutation` first")
    print("| pass · module | mutants | killed | survived | not run |")
    print("|---|---:|---:|---:|---:|")
    print("\n".join(rows))
    print("| **all** | " + " | ".join(f"**{n}**" for n in totals) + " |")
    print(f"\n{totals[1]} of {totals[0]} killed ({100 * totals[1] / totals[0]:.1f} %)")


if __name__ == "__main__":
    main()
