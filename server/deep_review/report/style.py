"""The HTML report's inline stylesheet: page layout, badges, light/dark and print."""

from __future__ import annotations

from functools import cache

from pygments.formatters import HtmlFormatter

_PAGE = """
:root {
  --fg: #1f2328; --bg: #ffffff; --muted: #59636e; --border: #d1d9e0; --code-bg: #f6f8fa;
  --link: #0969da; --critical: #cf222e; --important: #bc4c00; --suggestion: #0969da;
  --cat: #6e7781; --toc-bg: #f6f8fa;
}
@media (prefers-color-scheme: dark) {
  :root {
    --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1; --border: #3d444d; --code-bg: #161b22;
    --link: #4493f8; --critical: #f85149; --important: #db6d28; --suggestion: #4493f8;
    --cat: #9198a1; --toc-bg: #161b22;
  }
}
* { box-sizing: border-box; }
body {
  margin: 0; color: var(--fg); background: var(--bg);
  font: 15px/1.55 -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial,
    sans-serif;
}
.report { max-width: 980px; margin: 0 auto; padding: 24px 32px 64px; }
h1 { font-size: 1.9em; border-bottom: 1px solid var(--border); padding-bottom: .3em; }
h2 { font-size: 1.45em; margin-top: 1.6em; border-bottom: 1px solid var(--border);
  padding-bottom: .25em; }
h3 { font-size: 1.15em; margin-top: 1.3em; }
a { color: var(--link); text-decoration: none; }
a:hover { text-decoration: underline; }
a.anchor { color: var(--muted); font-size: .8em; margin-left: .3em; opacity: .35; }
h1:hover a.anchor, h2:hover a.anchor, h3:hover a.anchor, .finding-head:hover a.anchor,
a.anchor:focus { opacity: 1; }
.verdict { font-size: 1.15em; margin: .4em 0 1em; padding: .6em .9em; border-left: 4px solid
  var(--muted); background: var(--toc-bg); border-radius: 4px; }
.verdict .tally { color: var(--muted); font-size: .9em; }
.verdict-do-not-merge, .verdict-needs-changes { border-left-color: var(--critical); }
.verdict-merge-with-fixes { border-left-color: var(--important); }
.verdict-approve, .verdict-approve-with-suggestions { border-left-color: #1a7f37; }
hr { border: 0; border-top: 1px solid var(--border); margin: 1.6em 0; }
code { font: .9em/1.45 ui-monospace, SFMono-Regular, "DejaVu Sans Mono", Menlo, Consolas,
  monospace; background: var(--code-bg); padding: .1em .3em; border-radius: 4px; }
pre { background: var(--code-bg); border: 1px solid var(--border); border-radius: 6px;
  padding: 12px 14px; overflow-x: auto; }
pre code { background: none; padding: 0; white-space: pre; }
blockquote { margin: 1em 0; padding: .5em 1em; border-left: 4px solid var(--important);
  background: var(--code-bg); }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid var(--border); padding: 6px 10px; vertical-align: top;
  text-align: left; }
.finding-head { font-size: 1.05em; margin-top: 1.2em; scroll-margin-top: 12px; }
.badge { display: inline-block; border-radius: 999px; padding: 0 .6em; font-size: .78em;
  font-weight: 600; line-height: 1.7; color: #fff; text-transform: uppercase;
  letter-spacing: .03em; vertical-align: .1em; }
.badge.sev-critical { background: var(--critical); }
.badge.sev-important { background: var(--important); }
.badge.sev-suggestion { background: var(--suggestion); }
.badge.cat { background: transparent; color: var(--cat); border: 1px solid var(--cat); }
.toc { background: var(--toc-bg); border: 1px solid var(--border); border-radius: 6px;
  padding: 8px 20px; margin: 1em 0 2em; }
.toc-title { font-size: 1em; border: 0; margin: .4em 0; }
.toc ul { margin: .2em 0; padding-left: 1.2em; }
@media print {
  :root { --fg: #000; --bg: #fff; --code-bg: #f6f8fa; --border: #bbb; --link: #000; }
  .report { max-width: none; padding: 0; }
  a.anchor, .toc { display: none; }
  pre { white-space: pre-wrap; word-break: break-word; overflow: visible; }
  pre, table, .finding-head { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
}
"""


@cache
def page_css() -> str:
    """Page CSS plus pygments token colours for light, dark and print."""
    light: str = HtmlFormatter(style="default").get_style_defs(".hl")  # type: ignore[no-untyped-call]
    dark: str = HtmlFormatter(style="monokai").get_style_defs(".hl")  # type: ignore[no-untyped-call]
    dark_rules = "\n".join(
        line for line in dark.splitlines() if line.startswith(".hl") and "background" not in line
    )
    light_rules = "\n".join(
        line for line in light.splitlines() if line.startswith(".hl") and "background" not in line
    )
    return (
        _PAGE
        + "\n"
        + light_rules
        + "\n@media (prefers-color-scheme: dark) {\n"
        + dark_rules
        + "\n}\n"
        + "@media print {\n"
        + light_rules
        + "\n}\n"
    )
