"""Every `Fix:` block of the reference reports, applied to files rebuilt from their excerpts.

`seed_cases/fixes/` holds each Fix block exactly as the report prints it (the HTML-rendered
reports lost their indentation; the Markdown one keeps fences and prose between them);
`seed_cases/sources/` the files rebuilt by hand from the report's quoted code;
`seed_cases/expected/` the hand-checked result of applying the fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from deep_review.fixes import check_fix, plan_fix
from deep_review.model import Finding, FixStatus, RelatedLocation

CASES = Path(__file__).parent / "seed_cases"

LIMA_REQS = "pkg/hostagent/requirements.go"
LIMA_TEST = "pkg/hostagent/requirements_test.go"
LIFECYCLE = "pkg/controller/limavm_lifecycle.go"
HOSTSWITCH = "pkg/controller/hostswitch_windows.go"
GUEST_MAIN = "cmd/rdd-guest/main.go"


@dataclass(frozen=True)
class SeedCase:
    """One Fix block: the finding's file and where it points, and what should happen."""

    name: str
    source: str
    path: str
    near: str
    status: FixStatus
    related: tuple[str, ...] = ()

    def files(self) -> dict[str, str]:
        paths = (self.path, *self.related)
        return {path: (CASES / "sources" / self.source / path).read_text() for path in paths}

    def fix(self) -> str:
        return (CASES / "fixes" / f"{self.name}.diff").read_text()

    def hint(self) -> Finding:
        lines = self.files()[self.path].splitlines()
        line = next(i for i, text in enumerate(lines, 1) if self.near in text)
        return Finding(
            path=self.path,
            start_line=line,
            end_line=line + 3,
            severity="important",
            category="gap",
            title=self.name,
            related=[RelatedLocation(path=path, start_line=1, end_line=1) for path in self.related],
        )


SEED_CASES = [
    # 000: lima PR #4967, rendered from HTML: no indentation, context lines without prefix.
    SeedCase("000-I1", "lima", LIMA_REQS, "banner, err := bufio", "applies"),
    SeedCase("000-S1", "lima", LIMA_REQS, "port := a.sshLocalPort", "applies"),
    SeedCase("000-S2", "lima", LIMA_REQS, "defer conn.Close()", "applies"),
    SeedCase("000-S3", "lima", LIMA_TEST, "accepted := make", "applies"),
    SeedCase("000-S4", "lima", LIMA_REQS, "Check the serial log", "invalid"),
    # 001: rancher-desktop-daemon PR #280, rendered from HTML with the diff prefixes intact.
    SeedCase("001-I1", "rdd", LIFECYCLE, "case phaseRunning:", "applies"),
    SeedCase(
        "001-I2-part1", "rdd", HOSTSWITCH, "func (r *LimaVMReconciler) startHostSwitch", "applies"
    ),
    SeedCase("001-I2-part2", "rdd", LIFECYCLE, "if err := haCmd.Start()", "applies"),
    SeedCase("001-I3", "rdd", HOSTSWITCH, "func attemptHandshake", "stale"),
    SeedCase("001-I4", "rdd", HOSTSWITCH, "ln, err := vsockHandshake", "applies"),
    SeedCase("001-S1", "rdd", HOSTSWITCH, "err := s.Serve(vnLn)", "applies"),
    SeedCase("001-S2", "rdd", HOSTSWITCH, "func (r *LimaVMReconciler) startHostSwitch", "invalid"),
    # 002: rancher-desktop-opensuse PR #37 (round 2).
    SeedCase("002-I1", "rdd-guest", GUEST_MAIN, "conn, err := l.Accept()", "applies"),
    # 004: the same review as 001, as the Markdown report: fenced diffs, prose between them.
    SeedCase("004-I1", "rdd", LIFECYCLE, "case phaseRunning:", "applies"),
    SeedCase(
        "004-I2",
        "rdd",
        HOSTSWITCH,
        "r.hostSwitchStates[name] = ",
        "applies",
        related=(LIFECYCLE,),
    ),
    SeedCase("004-I3", "rdd", HOSTSWITCH, "func attemptHandshake", "invalid"),
    SeedCase("004-I4", "rdd", HOSTSWITCH, "ln, err := vsockHandshake", "applies"),
    SeedCase("004-S1", "rdd", HOSTSWITCH, "err := s.Serve(vnLn)", "applies"),
    SeedCase("004-S2", "rdd", HOSTSWITCH, "func (r *LimaVMReconciler) startHostSwitch", "invalid"),
]


def expected_text(case: SeedCase, path: str) -> str:
    return (CASES / "expected" / case.name / path).read_text()


def test_every_fix_block_of_the_reference_reports_has_a_case() -> None:
    assert len(list((CASES / "fixes").glob("*.diff"))) == len(SEED_CASES)


@pytest.mark.parametrize("case", SEED_CASES, ids=lambda case: case.name)
def test_seed_fix(case: SeedCase) -> None:
    files = case.files()
    status, reason = check_fix(case.fix(), files.get, case.hint())
    assert status == case.status, reason
    if status not in ("applies", "applies-with-offset"):
        return
    plan = plan_fix(files, case.fix(), hint=case.hint())
    assert plan.texts == {path: expected_text(case, path) for path in plan.texts}
    assert sorted(plan.texts) == sorted(
        path.relative_to(CASES / "expected" / case.name).as_posix()
        for path in (CASES / "expected" / case.name).rglob("*")
        if path.is_file()
    )


def test_fix_made_of_code_not_a_diff_says_so() -> None:
    case = next(case for case in SEED_CASES if case.name == "004-I3")
    status, reason = check_fix(case.fix(), case.files().get, case.hint())
    assert (status, reason) == (
        "invalid",
        "Part of the fix is a go code block, not a diff, so it cannot be applied as an edit.",
    )


def test_prose_only_fix_is_invalid() -> None:
    case = next(case for case in SEED_CASES if case.name == "000-S4")
    status, reason = check_fix(case.fix(), case.files().get, case.hint())
    assert status == "invalid"
    assert reason == "The fix describes the change in words; there is no diff to apply."


def test_rewritten_function_pasted_as_plain_lines_is_stale_at_its_first_new_line() -> None:
    case = next(case for case in SEED_CASES if case.name == "001-I3")
    status, reason = check_fix(case.fix(), case.files().get, case.hint())
    assert status == "stale"
    assert "'for {'" in reason or "'if ctx.Err() != nil {'" in reason
