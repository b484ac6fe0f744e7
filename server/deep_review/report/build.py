"""Review → Document: the content and order of the report, mirroring the reference reviews."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from deep_review.model import (
    AgentRetro,
    AgentReview,
    DesignObservation,
    Finding,
    ReconciledFinding,
    Review,
)
from deep_review.report import escape
from deep_review.report import rounds as round_sections
from deep_review.report.document import Document
from deep_review.severity import SEVERITIES, SEVERITY_PREFIX
from deep_review.store.names import review_stem
from deep_review.wording import plural

_SECTIONS = (
    ("critical", "Critical Issues"),
    ("important", "Important Issues"),
    ("suggestion", "Suggestions"),
)
NONE = "None."


def finding_anchor(finding: Finding) -> str:
    """The HTML id of a finding's section (``finding-i1``)."""
    finding_id = getattr(finding, "id", "") or "finding"
    return "finding-" + re.sub(r"[^a-z0-9]+", "-", finding_id.lower()).strip("-")


def build_document(review: Review) -> Document:
    """Lay the whole review out as one document."""
    doc = Document(title=f"Deep Review: {escape.plain(review_stem(review))}")
    _header(doc, review)
    _notices(doc, review)
    doc.rule()
    _executive_summary(doc, review)
    round_sections.since_round_section(doc, review)
    for severity, title in _SECTIONS:
        doc.rule()
        doc.heading(2, title)
        found = [f for f in review.findings if f.severity == severity]
        if not found:
            doc.markdown(NONE)
        for index, finding in enumerate(found):
            if index:
                doc.rule()
            _finding(doc, finding, review)
    doc.rule()
    _design(doc, review.design_observations)
    doc.rule()
    _assessments(doc, review)
    doc.rule()
    _retro(doc, review)
    doc.rule()
    _process_notes(doc, review)
    doc.rule()
    _appendices(doc, review)
    round_sections.dismissed_section(doc, review)
    return doc


def _header(doc: Document, review: Review) -> None:
    header = review.header
    rows: list[list[str]] = [["**Date**", header.date.strftime("%Y-%m-%d %H:%M %Z").strip()]]
    if header.repo or header.repo_url:
        name = escape.plain(header.repo or header.repo_url or "")
        rows.append(["**Repo**", f"[{name}]({header.repo_url})" if header.repo_url else name])
    rows.append(["**Round**", round_sections.round_header_cell(review)])
    if header.author:
        rows.append(["**Author**", escape.plain(f"@{header.author.lstrip('@')}")])
    if header.pr_number is not None:
        label = f"#{header.pr_number}"
        pr = f"[{label}]({header.repo_url}/pull/{header.pr_number})" if header.repo_url else label
        if header.pr_title:
            pr += f" — {escape.plain(header.pr_title)}"
        rows.append(["**PR**", pr])
    if header.branch:
        base = f" (base {escape.code_span(header.base_ref)})" if header.base_ref else ""
        rows.append(["**Branch**", escape.code_span(header.branch) + base])
    rows.append(["**Commits**", _commits(review)])
    rows.append(["**Reviewers**", _reviewers(review)])
    verdict = f"**{header.verdict}**"
    if header.verdict_reason:
        verdict += f" — {escape.inline(header.verdict_reason)}"
    rows.append(["**Verdict**", verdict])
    rows.append(["**Wall-clock time**", escape.code_span(duration_label(header.wall_clock_s))])
    doc.table(["", ""], rows)


def _commits(review: Review) -> str:
    commits = review.header.commits
    if not commits:
        return "uncommitted changes only" if review.header.head_sha else NONE
    shown = [f"{escape.code_span(c.sha[:7])} {escape.plain(c.subject)}" for c in commits[:10]]
    if len(commits) > 10:
        shown.append(f"and {len(commits) - 10} more")
    return "; ".join(shown)


def _reviewers(review: Review) -> str:
    status = {retro.agent: retro.status for retro in review.retro}
    labels = []
    for reviewer in review.header.reviewers:
        details = [reviewer.model] if reviewer.model else []
        if reviewer.effort:
            details.append(f"effort: {reviewer.effort}")
        if reviewer.scripted:
            details.append("scripted")
        label = reviewer.name + (f" ({', '.join(details)})" if details else "")
        if status.get(reviewer.name, "completed") != "completed":
            label += f" — {status[reviewer.name]}"
        labels.append(escape.plain(label))
    return ", ".join(labels) or NONE


def duration_label(seconds: float) -> str:
    """``33 min 29 s`` / ``42 s``."""
    total = round(seconds)
    minutes, secs = divmod(total, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min {secs} s"
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


def _notices(doc: Document, review: Review) -> None:
    notices = list(review.notices)
    said = " ".join(notices).lower()  # the reconciler may have stated these already
    if not review.model_verified and "verified" not in said:
        notices.append("The findings' claims were not model-verified against the code.")
    if any(r.scripted for r in review.header.reviewers) and "scripted" not in said:
        notices.append("Scripted reviewers: answers came from transcripts, not real models.")
    if notices:
        doc.markdown("\n".join(f"> **Notice:** {escape.plain(text)}  " for text in notices))


def _executive_summary(doc: Document, review: Review) -> None:
    doc.heading(2, "Executive Summary")
    opening = round_sections.since_round_summary(review)
    if opening:
        doc.markdown(opening)
    summary = review.executive_summary
    doc.markdown(escape.block(summary) if summary.strip() else NONE)
    if re.search(r"^Structure:", summary, flags=re.MULTILINE | re.IGNORECASE):
        return  # the reconciler wrote its own structure line
    counts = review.counts()
    observations = len(review.design_observations)
    doc.markdown(
        f"Structure: {counts['critical']} critical, {counts['important']} important, "
        f"{plural(counts['suggestion'], 'suggestion')}, "
        f"{plural(observations, 'design observation')}."
    )


def _finding(doc: Document, finding: ReconciledFinding, review: Review) -> None:
    location = escape.plain(finding.location_label)
    agents = f" [{escape.plain(', '.join(finding.agents))}]" if finding.agents else ""
    head = (
        f"{escape.plain(finding.id)}. **{escape.inline(finding.title)}"
        f"{round_sections.title_suffix(finding)}** — {location}{agents} "
        f"({finding.severity}, {finding.category})"
    )
    doc.finding_head(head, finding_anchor(finding), finding.severity, finding.category)
    doc.markdown(_signals(finding, review))
    _finding_content(doc, finding)
    if finding.fix_status and finding.fix_status != "applies":
        reason = (
            f" — {escape.plain(finding.fix_status_reason)}" if finding.fix_status_reason else ""
        )
        doc.markdown(f"Fix status: **{finding.fix_status}**{reason}")


def _signals(finding: ReconciledFinding, review: Review) -> str:
    """Consensus, verification and diff position, on one line under the finding's head."""
    panel = max(len(review.header.reviewers), finding.consensus, 1)
    parts = [f"Consensus: {finding.consensus}/{plural(panel, 'reviewer')}"]
    verification = finding.verification
    label = {
        "confirmed": "verified",
        "downgraded": "downgraded",
        "upgraded": "upgraded",
        "unverified": "not verified",
    }[verification.status]
    if verification.verifier:
        label += f" by {escape.plain(verification.verifier)}"
    parts.append(f"Verification: {label}")
    parts.append(f"Confidence: {finding.confidence:.0%}".replace("%", " %"))
    if finding.outside_diff:
        parts.append("**Outside the diff** (existing code this change relies on)")
    line = "*" + " · ".join(parts) + "*"
    if verification.status in ("downgraded", "upgraded"):
        was = ", ".join(
            f"{severity} ({escape.plain(agent)})"
            for agent, severity in sorted(finding.original_severities.items())
            if severity != finding.severity
        )
        note = escape.inline(verification.note) if verification.note else "no reason given"
        line += f"\n\n**{verification.status.capitalize()}**" + (f" from {was}" if was else "")
        line += f": {note}"
    elif verification.status == "confirmed" and verification.note:
        line += f"\n\n**Verified**: {escape.inline(verification.note)}"
    return line


def _finding_content(doc: Document, finding: Finding) -> None:
    """Evidence, explanation, related locations and fix: shared by reconciled and raw findings."""
    if finding.evidence.strip():
        doc.code(finding.evidence, escape.language_for(finding.path))
    if finding.body.strip():
        doc.markdown(escape.block(finding.body))
    if finding.related:
        doc.markdown(
            "Related:\n\n"
            + "\n".join(
                f"- {escape.plain(_span(r.path, r.start_line, r.end_line))}"
                + (f" — {escape.inline(r.note)}" if r.note else "")
                for r in finding.related
            )
        )
    if finding.fix and finding.fix.strip():
        doc.markdown("Fix:")
        doc.code(finding.fix, "diff")


def _span(path: str, start: int, end: int) -> str:
    return f"{path}:{start}" if start == end else f"{path}:{start}-{end}"


def _design(doc: Document, observations: Sequence[DesignObservation]) -> None:
    doc.heading(2, "Design Observations")
    if not observations:
        doc.markdown(NONE)
        return
    for kind, title in (("concern", "Concerns"), ("strength", "Strengths")):
        items = [o for o in observations if o.kind == kind]
        doc.markdown(f"**{title}**")
        doc.markdown("\n".join(_observation(o) for o in items) if items else NONE)


def _observation(observation: DesignObservation) -> str:
    agents = f" [{escape.plain(', '.join(observation.agents))}]" if observation.agents else ""
    text = escape.inline(observation.text)
    return f"- ({observation.scope}) {text}{agents}"


def _assessments(doc: Document, review: Review) -> None:
    doc.heading(2, "Testing Assessment")
    items = review.testing_assessment
    doc.markdown("\n".join(f"{n}. {escape.inline(t)}" for n, t in enumerate(items, 1)) or NONE)
    for title, text in (
        ("Documentation Assessment", review.documentation_assessment),
        ("Commit Structure", review.commit_structure),
    ):
        doc.rule()
        doc.heading(2, title)
        doc.markdown(escape.block(text) if text.strip() else NONE)
    for title, entries in (
        ("Acknowledged Limitations", review.acknowledged_limitations),
        ("Unresolved Feedback", review.unresolved_feedback),
    ):
        doc.rule()
        doc.heading(2, title)
        doc.markdown("\n".join(f"- {escape.inline(e)}" for e in entries) or NONE)


def _retro(doc: Document, review: Review) -> None:
    doc.heading(2, "Agent Performance Retro")
    if not review.retro:
        doc.markdown(NONE)
    for retro in review.retro:
        doc.heading(3, escape.plain(retro.agent), anchor=f"retro-{retro.agent}")
        if retro.status != "completed":
            error = f" — {escape.inline(retro.error)}" if retro.error else ""
            doc.markdown(f"**Status: {retro.status}**{error}")
        doc.markdown(escape.block(retro.narrative) if retro.narrative.strip() else NONE)
        total = sum(retro.tool_calls.values())
        doc.markdown(f"**Tool call highlights**: {plural(total, 'call')}. {_tools(retro, 99)}")
    if review.retro:
        doc.heading(3, "Summary", anchor="retro-summary")
        doc.table(["", *(escape.plain(r.agent) for r in review.retro)], _retro_rows(review.retro))
    doc.markdown("**Reconciliation**")
    notes = [
        f"- ({note.kind}) "
        + (f"{escape.plain(note.finding_id)}: " if note.finding_id else "")
        + escape.inline(note.text)
        + (f" [{escape.plain(', '.join(note.agents))}]" if note.agents else "")
        for note in review.reconciliation_notes
    ]
    doc.markdown("\n".join(notes) or NONE)


def _tools(retro: AgentRetro, limit: int) -> str:
    ranked = sorted(retro.tool_calls.items(), key=lambda item: (-item[1], item[0]))
    shown = ", ".join(f"{escape.plain(name)} {count}" for name, count in ranked[:limit])
    return shown + (", ..." if len(ranked) > limit else "")


def _counted(items: list[str]) -> str:
    return f"{len(items)} ({escape.inline('; '.join(items))})" if items else "0"


def _retro_rows(retros: Sequence[AgentRetro]) -> list[list[str]]:
    def findings(r: AgentRetro) -> str:
        return " ".join(
            f"{r.findings_by_severity.get(s, 0)}{SEVERITY_PREFIX[s]}" for s in SEVERITIES
        )

    def calls(r: AgentRetro) -> str:
        total = sum(r.tool_calls.values())
        return f"{total} ({_tools(r, 3)})" if total else "0"

    def design(r: AgentRetro) -> str:
        return f"{plural(r.design_concerns, 'concern')}, {plural(r.design_strengths, 'strength')}"

    def files(r: AgentRetro) -> str:
        return f"{r.files_reviewed}/{r.files_total}"

    rows: list[tuple[str, Callable[[AgentRetro], str]]] = [
        ("Status", lambda r: r.status),
        ("Duration", lambda r: f"{round(r.duration_s)}s"),
        ("Findings", findings),
        ("Tool calls", calls),
        ("Design observations", design),
        ("False positives", lambda r: _counted(r.false_positives)),
        ("Unique insights", lambda r: escape.inline("; ".join(r.unique_insights)) or "0"),
        ("Files reviewed", files),
        ("Coverage misses", lambda r: _counted(r.coverage_misses)),
        ("Downgraded", lambda r: escape.inline("; ".join(r.downgraded)) or "0"),
        ("Dropped", lambda r: escape.inline("; ".join(r.dropped)) or "0"),
    ]
    return [[label, *(cell(r) for r in retros)] for label, cell in rows]


def _process_notes(doc: Document, review: Review) -> None:
    doc.heading(2, "Review Process Notes")
    for title, entries in (
        ("Skill improvements", review.process_notes.skill_improvements),
        ("Repo context updates", review.process_notes.repo_context_updates),
    ):
        doc.heading(3, title)
        doc.markdown("\n".join(f"- {escape.inline(e)}" for e in entries) or NONE)


def _appendices(doc: Document, review: Review) -> None:
    doc.heading(2, "Appendix: Low-confidence findings", anchor="appendix-low-confidence")
    if not review.appendix_findings:
        doc.markdown(NONE)
    for index, finding in enumerate(review.appendix_findings):
        if index:
            doc.rule()
        _finding(doc, finding, review)
    doc.rule()
    doc.heading(2, "Appendix: Excluded files and withheld secrets", anchor="appendix-excluded")
    excluded = [[escape.code_span(e.path), escape.plain(e.reason)] for e in review.excluded_files]
    if excluded:
        doc.table(["Excluded file", "Reason"], excluded)
    withheld = [
        [
            escape.plain(s.kind),
            escape.code_span(f"{s.path}:{s.line}" if s.line else s.path),
        ]
        for s in review.withheld_secrets
    ]
    if withheld:
        doc.markdown(
            f"{plural(len(withheld), 'secret-looking value')} withheld from the reviewers "
            "(kinds only; values are never stored):"
        )
        doc.table(["Kind", "Where"], withheld)
    if not excluded and not withheld:
        doc.markdown(NONE)
    doc.rule()
    doc.heading(2, "Appendix: Original Reviews", anchor="appendix-original-reviews")
    if not review.agent_reviews:
        doc.markdown(NONE)
    for agent_review in review.agent_reviews:
        _original_review(doc, agent_review)


def _original_review(doc: Document, agent: AgentReview) -> None:
    label = f"{agent.reviewer} ({agent.model})" if agent.model else agent.reviewer
    doc.heading(3, escape.plain(label), anchor=f"original-{agent.reviewer}")
    facts = [f"Status: **{agent.status}**"]
    if agent.verdict:
        facts.append(f"Verdict: **{agent.verdict}**")
    facts.append(f"Duration: {duration_label(agent.stats.duration_s)}")
    facts.append(f"Tool calls: {agent.stats.total_tool_calls}")
    doc.markdown(" · ".join(facts))
    if agent.error:
        doc.markdown(f"Error: {escape.inline(agent.error)}")
    if agent.raw_output:
        doc.markdown("Last unparseable submission:")
        doc.code(agent.raw_output)
    doc.markdown(escape.block(agent.summary) if agent.summary.strip() else NONE)
    for number, finding in enumerate(agent.findings, 1):
        location = escape.plain(_span(finding.path, finding.start_line, finding.end_line))
        doc.finding_head(
            f"{number}\\. **{escape.inline(finding.title)}** — {location} "
            f"({finding.severity}, {finding.category})",
            f"original-{agent.reviewer}-{number}",
            finding.severity,
            finding.category,
        )
        _finding_content(doc, finding)
    if agent.design_observations:
        doc.markdown(
            "**Design observations**\n\n"
            + "\n".join(f"- {o.kind}: {_observation(o)[2:]}" for o in agent.design_observations)
        )
    for title, text in (
        ("Testing", agent.testing_assessment),
        ("Documentation", agent.documentation_assessment),
    ):
        if text.strip():
            doc.markdown(f"**{title}**\n\n{escape.block(text)}")
    if agent.coverage:
        doc.markdown(
            "**Coverage**\n\n"
            + "\n".join(
                f"- {escape.code_span(c.path)}: {c.status}"
                + (f" — {escape.inline(c.note)}" if c.note else "")
                for c in agent.coverage
            )
        )
