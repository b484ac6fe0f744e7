"""The HTML report: one self-contained page from the same document as the Markdown."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from deep_review.report import finding_anchor, render_html
from tests.report.fixture_review import load_fixture_review


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.tags: set[str] = set()
        self.srcs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        values = dict(attrs)
        if values.get("id"):
            self.ids.append(str(values["id"]))
        if values.get("href"):
            self.hrefs.append(str(values["href"]))
        if values.get("src"):
            self.srcs.append(str(values["src"]))


def parse(page: str) -> _Collector:
    collector = _Collector()
    collector.feed(page)
    return collector


def test_every_internal_link_resolves_to_a_unique_id() -> None:
    page = parse(render_html(load_fixture_review()))
    assert len(page.ids) == len(set(page.ids)), "duplicate ids"
    internal = [href[1:] for href in page.hrefs if href.startswith("#")]
    assert len(internal) > 40  # table of contents plus a ¶ on every heading and finding
    assert set(internal) <= set(page.ids)


def test_each_finding_has_its_anchor_badge_and_pilcrow() -> None:
    review = load_fixture_review()
    page_text = render_html(review)
    page = parse(page_text)
    for finding in [*review.findings, *review.appendix_findings]:
        anchor = finding_anchor(finding)
        assert anchor in page.ids
        assert f'href="#{anchor}"' in page_text
    assert finding_anchor(review.findings[0]) == "finding-i1"
    assert page_text.count('class="badge sev-important"') >= 3
    assert '<span class="badge sev-suggestion">suggestion</span>' in page_text


def test_headings_have_pilcrow_anchors_and_a_table_of_contents() -> None:
    page = render_html(load_fixture_review())
    assert (
        '<h2 id="executive-summary">Executive Summary <a class="anchor" href="#executive-summary"'
    ) in page
    toc = page.split('<nav class="toc"', 1)[1].split("</nav>", 1)[0]
    for anchor in ("critical-issues", "agent-performance-retro", "appendix-original-reviews"):
        assert f'href="#{anchor}"' in toc


def test_page_is_self_contained_and_inert() -> None:
    page_text = render_html(load_fixture_review())
    page = parse(page_text)
    assert "script" not in page.tags and "link" not in page.tags and "iframe" not in page.tags
    assert page.srcs == []
    assert "@import" not in page_text and "url(" not in page_text
    external = [href for href in page.hrefs if not href.startswith("#")]
    assert all(href.startswith("https://github.com/rancher-sandbox/") for href in external)


def test_reviewer_html_is_shown_as_text() -> None:
    page = render_html(load_fixture_review())
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_excerpts_and_diffs_are_syntax_highlighted() -> None:
    page = render_html(load_fixture_review())
    go_block = page.split('<code class="language-go">', 1)[1].split("</code>", 1)[0]
    assert '<span class="k">case</span>' in go_block
    diff_block = page.split('<code class="language-diff">', 1)[1].split("</code>", 1)[0]
    assert '<span class="gi">+    r.stopHostSwitch(limaVM.Name)</span>' in diff_block
    assert re.search(r"\.hl \.gi \{[^}]*color", page)


def test_light_dark_and_print_styles() -> None:
    page = render_html(load_fixture_review())
    assert "@media (prefers-color-scheme: dark)" in page
    assert "@media print" in page
    assert '<meta name="color-scheme" content="light dark">' in page


def test_retro_table_keeps_agents_in_their_columns() -> None:
    page = render_html(load_fixture_review())
    summary = page.split('id="retro-summary"', 1)[1].split("</table>", 1)[0]
    header = summary.split("<thead>", 1)[1].split("</thead>", 1)[0]
    assert re.findall(r"<th>(.*?)</th>", header) == ["", "claude", "codex", "gemini"]
    header_table = page.split("<table>", 1)[1].split("</table>", 1)[0]
    assert "<thead>" not in header_table  # the key/value header table has no empty header row
