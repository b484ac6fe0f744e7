"""Write the blind labelled cases (tune/ and frozen/) from the real-shaped sources beside this file.

Written without reading the reconciler: every expectation below says what reconciliation SHOULD
do (issues 11 and 12), not what any version of the code does. Run from the repository root:
``python tests/reconcile/cases-blind/build_cases.py``; then ``check_cases.py`` validates them.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
SOURCES = HERE / "sources"

Finding = dict[str, Any]
CASES: list[dict[str, Any]] = []


def half(name: str) -> str:
    """The half a case belongs to: a fixed hash of its name, never a choice."""
    return "frozen" if hashlib.sha256(name.encode()).digest()[0] % 2 else "tune"


def read(name: str) -> list[str]:
    return (SOURCES / name).read_text().splitlines()


def edit(lines: list[str], old: str, new: str) -> list[str]:
    """Replace one exact, unique block of lines (joined by newlines)."""
    text = "\n".join(lines)
    assert text.count(old) == 1, f"not unique: {old!r}"
    return text.replace(old, new).splitlines()


def at(lines: list[str], needle: str, nth: int = 1) -> int:
    """1-based number of the nth line containing needle."""
    hits = [i + 1 for i, line in enumerate(lines) if needle in line]
    assert len(hits) >= nth, f"{needle!r} found {len(hits)} times"
    return hits[nth - 1]


def finding(
    key: str,
    path: str,
    start: int,
    end: int,
    severity: str,
    category: str,
    title: str,
    body: str,
    evidence: str = "",
    related: list[dict[str, Any]] | None = None,
    fix: str | None = None,
) -> Finding:
    out: Finding = {
        "key": key,
        "path": path,
        "start_line": start,
        "end_line": end,
        "severity": severity,
        "category": category,
        "title": title,
        "body": body,
        "evidence": evidence,
    }
    if related:
        out["related"] = related
    if fix is not None:
        out["fix"] = fix
    return out


def review(reviewer: str, model: str, *findings: Finding) -> dict[str, Any]:
    return {"reviewer": reviewer, "model": model, "findings": list(findings)}


def case(
    name: str,
    kind: str,
    about: str,
    base: dict[str, list[str]],
    head: dict[str, list[str]],
    reviews: list[dict[str, Any]],
    expect: dict[str, Any],
    config: dict[str, Any] | None = None,
) -> None:
    CASES.append(
        {
            "kind": kind,
            "case": {
                "name": name,
                "about": about,
                "base": base,
                "head": head,
                "reviews": reviews,
                "expect": expect,
                "config": config or {},
            },
        }
    )


CLAUDE = ("claude", "claude-opus-4-7")
CODEX = ("codex", "gpt-5.5")
GEMINI = ("gemini", "gemini-3.1-pro")
RUFF = ("ruff", "ruff")

# --- the trees --------------------------------------------------------------------------------

# Go, lima-vm/lima PR #4967 shape (seed 000): a new file adding the SSH banner probe.
PROBE = "pkg/hostagent/sshprobe.go"
PROBE_HEAD = read("sshprobe.go.txt")
PROBE_TREES: tuple[dict[str, list[str]], dict[str, list[str]]] = ({}, {PROBE: PROBE_HEAD})
P_READ = at(PROBE_HEAD, "banner, err := bufio.NewReader(conn).ReadString")
P_RFC = at(PROBE_HEAD, "// RFC4253")
P_PREFIX = at(PROBE_HEAD, 'if !strings.HasPrefix(banner, "SSH-2.0-")')
P_ADDR = at(PROBE_HEAD, 'addr := fmt.Sprintf("127.0.0.1:%d", port)')
P_DEFER = at(PROBE_HEAD, "defer conn.Close()")
P_DEADLINE = at(PROBE_HEAD, "if err := conn.SetReadDeadline")
P_HINT = at(PROBE_HEAD, "debugHint: `The host agent")
P_SERIAL = at(PROBE_HEAD, "Check the serial log")

# Go, rancher-desktop-daemon PR #280 shape (seed 004): a new host-switch file.
HS = "pkg/controllers/hostswitch_windows.go"
HS_HEAD = read("hostswitch_windows.go.txt")
HS_TREES: tuple[dict[str, list[str]], dict[str, list[str]]] = ({}, {HS: HS_HEAD})
H_MAP = at(HS_HEAD, "r.hostSwitchStates[name] = &hostSwitchState{")
H_UNLOCK = at(HS_HEAD, "r.hostSwitchMu.Unlock()")
H_WITHCANCEL = at(HS_HEAD, "hsCtx, hsCancel := context.WithCancel(ctx)")
H_LN = at(HS_HEAD, "ln, err := vsockHandshake(ctx, logger)")
H_VN = at(HS_HEAD, "vn, err := virtualnetwork.New(&cfg)")
H_LISTEN = at(HS_HEAD, 'vnLn, err := vn.Listen("tcp", apiAddr)')
H_SERVE = at(HS_HEAD, "err := s.Serve(vnLn)")
H_FILTER = at(HS_HEAD, "if err != nil && !errors.Is(err, http.ErrServerClosed)")
H_CLOSE = at(HS_HEAD, "return vnLn.Close()")
H_WAIT = at(HS_HEAD, "if err := g.Wait(); err != nil {")

# Python, CPython http.server.send_head adapted into a project; the change drops two closes.
HANDLER = "webserve/handler.py"
HANDLER_BASE = read("handler.py.txt")
HANDLER_HEAD = edit(
    HANDLER_BASE,
    "                            self.end_headers()\n                            f.close()\n",
    "                            self.end_headers()\n",
)
HANDLER_HEAD = edit(
    HANDLER_HEAD,
    "        except:\n            f.close()\n            raise",
    "        except OSError:\n"
    '            self.send_error(HTTPStatus.INTERNAL_SERVER_ERROR, "Cannot stat file")\n'
    "            return None",
)
HANDLER_TREES = ({HANDLER: HANDLER_BASE}, {HANDLER: HANDLER_HEAD})
W_OPEN = at(HANDLER_HEAD, "f = open(path, 'rb')")
W_304 = at(HANDLER_HEAD, "self.send_response(HTTPStatus.NOT_MODIFIED)")
W_304_RET = W_304 + 2
W_EXCEPT = at(HANDLER_HEAD, "except OSError:", 2)
W_CLEN = at(HANDLER_HEAD, 'self.send_header("Content-Length", str(fs[6]))')

# Python, CPython zipfile._extract_member; the change drops the ".." filtering (zip slip).
EXTRACT = "archive/extract.py"
EXTRACT_BASE = read("extract.py.txt")
EXTRACT_HEAD = edit(
    EXTRACT_BASE,
    "        arcname = os.path.splitdrive(arcname)[1]\n"
    "        invalid_path_parts = ('', os.path.curdir, os.path.pardir)\n"
    "        arcname = os.path.sep.join(x for x in arcname.split(os.path.sep)\n"
    "                                   if x not in invalid_path_parts)",
    "        arcname = os.path.splitdrive(arcname)[1].lstrip(os.path.sep)",
)
EXTRACT_TREES = ({EXTRACT: EXTRACT_BASE}, {EXTRACT: EXTRACT_HEAD})
X_STRIP = at(EXTRACT_HEAD, "arcname = os.path.splitdrive(arcname)[1].lstrip(os.path.sep)")
X_COMMENT = at(EXTRACT_HEAD, "# interpret absolute pathname as relative")
X_JOIN = at(EXTRACT_HEAD, "targetpath = os.path.join(targetpath, arcname)")
X_NORM = at(EXTRACT_HEAD, "targetpath = os.path.normpath(targetpath)")

# Python, CPython RotatingFileHandler; the change drops the close and shifts the loop bound.
ROT = "logutil/rotating.py"
ROT_BASE = read("rotating.py.txt")
ROT_HEAD = edit(
    ROT_BASE,
    "        if self.stream:\n            self.stream.close()\n            self.stream = None",
    "        if self.stream:\n            self.stream = None",
)
ROT_HEAD = edit(
    ROT_HEAD,
    "for i in range(self.backupCount - 1, 0, -1):",
    "for i in range(self.backupCount, 0, -1):",
)
ROT_TREES = ({ROT: ROT_BASE}, {ROT: ROT_HEAD})
R_STREAM = at(ROT_HEAD, "if self.stream:")
R_NONE = at(ROT_HEAD, "self.stream = None")
R_LOOP = at(ROT_HEAD, "for i in range(self.backupCount, 0, -1):")
R_RENAME = at(ROT_HEAD, "os.rename(sfn, dfn)")

# Python, a new tool file built around CPython shutil.copyfileobj.
REL = "tools/mkrelease.py"
REL_HEAD = read("mkrelease.py.txt")
REL_TREES: tuple[dict[str, list[str]], dict[str, list[str]]] = ({}, {REL: REL_HEAD})
M_SYS = at(REL_HEAD, "import sys")
M_OS = at(REL_HEAD, "import os")
M_PATHLIB = at(REL_HEAD, "from pathlib import Path")
M_COPYMODE = at(REL_HEAD, "shutil.copymode(build, release)")
M_DEF = at(REL_HEAD, "def copyfileobj(fsrc, fdst, length=0):")


def lines(tree: list[str], start: int, end: int) -> str:
    return "\n".join(tree[start - 1 : end])


PREAMBLE_FIX = """\
-\tbanner, err := bufio.NewReader(conn).ReadString('\\n')
+\treader := bufio.NewReader(conn)
+\tfor range 50 {
+\t\tline, err := reader.ReadString('\\n')
"""


def flat(text: str) -> str:
    """Evidence as a reviewer retypes it: indentation dropped."""
    return "\n".join(line.strip() for line in text.splitlines())


def spaces(text: str) -> str:
    """Evidence as a reviewer retypes Go: tabs become four spaces."""
    return text.replace("\t", "    ")


def rel(path: str, start: int, end: int, note: str) -> dict[str, Any]:
    return {"path": path, "start_line": start, "end_line": end, "note": note}


def one(key: str) -> list[list[str]]:
    return [[key]]


# ============================== grounding keeps true findings ==============================

ELIDED_COMMENTS = (
    "\tif err := conn.SetReadDeadline(time.Now().Add(probeSSHBannerTimeout)); err != nil {\n"
    '\t\treturn fmt.Errorf("set read deadline on %s: %w", addr, err)\n'
    "\t}\n"
    "\tbanner, err := bufio.NewReader(conn).ReadString('\\n')\n"
    "\tif err != nil {"
)
case(
    "blind-go-evidence-skips-comment-block",
    "grounding: elided comment block without `...`, lines off",
    "Evidence that leaves out the four-line RFC comment without an elision mark, cited 12 lines "
    "early, is kept and re-anchored to the quoted span (seed 000 I1 shape).",
    *PROBE_TREES,
    [
        review(
            *CODEX,
            finding(
                "x1",
                PROBE,
                P_DEADLINE - 12,
                P_READ - 11,
                "important",
                "regression",
                "Banner probe treats the first line as the SSH identification string",
                "RFC 4253 §4.2 allows the server to send other lines before the version string; "
                "the probe reads one line and fails on any preamble, so the Ready gate fails "
                "all retries against a compliant server.",
                ELIDED_COMMENTS,
            ),
        )
    ],
    {"groups": one("x1"), "location": {"x1": (PROBE, P_DEADLINE, P_READ + 1)}},
)

LEAK_ANNOTATED = spaces(lines(HS_HEAD, H_LN, H_VN + 3) + "  // ln leaked\n" + "\t}")
case(
    "blind-go-evidence-annotated-leak",
    "grounding: reviewer annotation `// ln leaked`, tabs retyped as spaces, lines past the end",
    "Seed 004 I4 shape: the quoted early-return path carries the reviewer's `// ln leaked` "
    "note, tabs became spaces and the cited lines run past the end of the file; every quoted "
    "line exists, so the finding is kept and moved to the quoted span.",
    *HS_TREES,
    [
        review(
            *CLAUDE,
            finding(
                "c1",
                HS,
                96,
                138,
                "important",
                "regression",
                "Vsock listener leaked on early return in `runHostSwitch`",
                "After `vsockHandshake` returns a listener, the `virtualnetwork.New` failure "
                "returns without closing it; the AF_VSOCK socket stays bound to the VM GUID.",
                LEAK_ANNOTATED,
                fix=(
                    "@@\n \tvn, err := virtualnetwork.New(&cfg)\n \tif err != nil {\n"
                    '+\t\tln.Close()\n \t\tlogger.Error(err, "Failed to create virtual network")\n'
                ),
            ),
        )
    ],
    {"groups": one("c1"), "location": {"c1": (HS, H_LN, H_VN + 4)}},
)

case(
    "blind-python-evidence-line-annotation",
    "grounding: `# line 446` annotation, cited lines past the end of file",
    "A reviewer that read the upstream CPython file cites its line 446 and annotates the quote "
    "with `# line 446: ...`; the quoted lines are in the file, so the finding is kept there.",
    *HANDLER_TREES,
    [
        review(
            *GEMINI,
            finding(
                "g1",
                HANDLER,
                443,
                446,
                "important",
                "regression",
                "File object leaked when answering 304 Not Modified",
                "`send_head` opens `f` and, on the If-Modified-Since fast path, returns None "
                "without closing it. One descriptor leaks per conditional GET.",
                lines(HANDLER_HEAD, W_304 - 1, W_304 + 1)
                + "\n                            return None  # line 446: f is never closed",
            ),
        )
    ],
    {"groups": one("g1"), "location": {"g1": (HANDLER, W_304 - 1, W_304 + 2)}},
)

JOINED = "\n".join(
    [
        "\thsCtx, hsCancel := context.WithCancel(ctx)",
        "\tdone := make(chan struct{})",
        "\tr.hostSwitchMu.Lock()",
        "\tr.hostSwitchStates[name] = &hostSwitchState{",
    ]
)
case(
    "blind-go-evidence-joined-across-blank",
    "grounding: quoted lines joined across a blank line, lines off",
    "The quote drops the blank line between `done := make(...)` and `Lock()` and cites lines "
    "54-58 from another revision; it is kept and re-anchored to where those lines are.",
    *HS_TREES,
    [
        review(
            *CODEX,
            finding(
                "x1",
                HS,
                54,
                58,
                "important",
                "regression",
                "`startHostSwitch` overwrites a running host-switch without cancelling it",
                "The map entry is replaced unconditionally; a second call for the same instance "
                "discards the old cancel func and the old goroutine runs until shutdown.",
                JOINED,
            ),
        )
    ],
    {"groups": one("x1"), "location": {"x1": (HS, H_WITHCANCEL, H_MAP)}},
)

case(
    "blind-python-evidence-flattened-with-elision",
    "grounding: indentation flattened, doubled spaces, `...` elision",
    "Zip-slip finding whose quote lost its indentation, has a doubled space and elides the "
    "Windows branch with `...`: grounds to the quoted span.",
    *EXTRACT_TREES,
    [
        review(
            *CLAUDE,
            finding(
                "c1",
                EXTRACT,
                X_STRIP,
                X_NORM,
                "critical",
                "regression",
                "Archive members with `..` components escape the target directory",
                "The change replaced the component filter with `lstrip(os.path.sep)`; a member "
                "named `../../etc/cron.d/x` now joins onto `targetpath` and `normpath` "
                "resolves it outside the extraction root (zip slip).",
                flat(lines(EXTRACT_HEAD, X_STRIP, X_STRIP))
                + "\n...\n"
                + "targetpath = os.path.join(targetpath,  arcname)\n"
                + flat(lines(EXTRACT_HEAD, X_NORM, X_NORM)),
            ),
        )
    ],
    {
        "groups": one("c1"),
        "location": {"c1": (EXTRACT, X_STRIP, X_NORM)},
        "severity": {"c1": "critical"},
    },
)

case(
    "blind-python-lines-off-by-forty",
    "grounding: cited lines off by tens of lines inside the file",
    "The quote is exact but the cited lines are 40 lines early (inside the docstring): the "
    "whole file is searched and the finding moves to the except clause.",
    *HANDLER_TREES,
    [
        review(
            *CODEX,
            finding(
                "x1",
                HANDLER,
                W_EXCEPT - 40,
                W_EXCEPT - 38,
                "important",
                "regression",
                "`send_head` swallows OSError after opening the file and leaks it",
                "The bare `except: f.close(); raise` became `except OSError: ... return None`: "
                "the file is no longer closed when fstat or sending headers fails.",
                lines(HANDLER_HEAD, W_EXCEPT, W_EXCEPT + 2),
            ),
        )
    ],
    {"groups": one("x1"), "location": {"x1": (HANDLER, W_EXCEPT, W_EXCEPT + 2)}},
)

PREAMBLE_EVIDENCE = lines(PROBE_HEAD, P_READ, P_PREFIX + 2)
case(
    "blind-go-same-quote-one-reviewer-off-by-thirty",
    "grounding+merge: two reviewers, same quote, one cites lines 30 off",
    "Codex cites the right lines; Gemini quotes the same lines but cites 30 lines later (inside "
    "waitForRequirement). Both ground to the same span and merge as one defect.",
    *PROBE_TREES,
    [
        review(
            *CODEX,
            finding(
                "x1",
                PROBE,
                P_READ,
                P_PREFIX + 2,
                "important",
                "regression",
                "Probe does not skip RFC 4253 pre-identification lines",
                "Servers may send lines before `SSH-2.0-`; the probe rejects them and the gate "
                "fails for every retry.",
                PREAMBLE_EVIDENCE,
                fix=PREAMBLE_FIX,
            ),
        ),
        review(
            *GEMINI,
            finding(
                "g1",
                PROBE,
                P_READ + 30,
                P_PREFIX + 32,
                "important",
                "regression",
                "SSH banner check rejects servers that print a preamble",
                "Only the first line is read. A TCP-wrapper or proxy notice before the version "
                "string makes the readiness requirement fail until it times out.",
                PREAMBLE_EVIDENCE,
            ),
        ),
    ],
    {"groups": [["x1", "g1"]], "location": {"g1": (PROBE, P_READ, P_PREFIX + 2)}},
)

case(
    "blind-go-diff-prefixed-annotated-quote",
    "grounding: `+` diff column and trailing `// <-` annotation, wrong line numbers",
    "Evidence copied from the diff view keeps its `+` column and a `// <- ignores "
    "a.instSSHAddress` note, cited at the upstream requirements.go lines 338-344: kept at the "
    "`addr :=` line.",
    *PROBE_TREES,
    [
        review(
            *CLAUDE,
            finding(
                "c1",
                PROBE,
                338,
                344,
                "suggestion",
                "enhancement",
                "Probe hardcodes 127.0.0.1 instead of `a.instSSHAddress`",
                "The script-based ssh requirement dials `a.instSSHAddress`; the new probe "
                "always dials loopback, which diverges for external driver plugins.",
                "+" + lines(PROBE_HEAD, P_ADDR, P_ADDR) + "  // <- ignores a.instSSHAddress",
            ),
        )
    ],
    {"groups": one("c1"), "location": {"c1": (PROBE, P_ADDR, P_ADDR)}},
)

case(
    "blind-go-raw-string-hint-lines-off",
    "grounding: multi-line raw string quoted, cited lines off by 9",
    "The debugHint raw string is quoted whole but cited 9 lines late; kept and re-anchored.",
    *PROBE_TREES,
    [
        review(
            *CLAUDE,
            finding(
                "c1",
                PROBE,
                P_HINT + 9,
                P_SERIAL + 9,
                "suggestion",
                "regression",
                "debugHint points Linux users at a serial log they do not have",
                "Only Darwin guests have serialv.log on the host; Linux guests log to "
                "/var/log/cloud-init-output.log. finalRequirements already branches on the OS.",
                flat(lines(PROBE_HEAD, P_HINT, P_SERIAL)),
            ),
        )
    ],
    {"groups": one("c1"), "location": {"c1": (PROBE, P_HINT, P_SERIAL)}},
)

case(
    "blind-python-upstream-line-numbers",
    "grounding: lines cited from the upstream file (past the end here)",
    "The reviewer cites CPython's logging/handlers.py lines 164-166 for a 48-line file; the "
    "two quoted lines exist, so the finding is kept and moved to them.",
    *ROT_TREES,
    [
        review(
            *GEMINI,
            finding(
                "g1",
                ROT,
                164,
                166,
                "important",
                "regression",
                "doRollover drops the stream without closing it",
                "`self.stream = None` without `close()` leaks the descriptor and, on Windows, "
                "makes the following rename fail because the file is still open.",
                lines(ROT_HEAD, R_STREAM, R_NONE),
            ),
        )
    ],
    {"groups": one("g1"), "location": {"g1": (ROT, R_STREAM, R_NONE)}},
)

# ============================ unlocated goes to the appendix ================================

case(
    "blind-unlocated-paraphrased-code",
    "unlocated: quoted code nowhere in the file, file exists -> appendix, not dropped",
    "Gemini quotes a `conn.Read(buf[:256])` that the probe does not contain; it cannot be "
    "grounded, which is not proof that it is false: appendix (unlocated), never dropped. "
    "Codex's grounded finding is unaffected.",
    *PROBE_TREES,
    [
        review(
            *CODEX,
            finding(
                "x1",
                PROBE,
                P_READ,
                P_PREFIX + 2,
                "important",
                "regression",
                "Probe fails on RFC 4253 preamble lines",
                "Only the first line is read and compared to `SSH-2.0-`.",
                PREAMBLE_EVIDENCE,
            ),
        ),
        review(
            *GEMINI,
            finding(
                "g1",
                PROBE,
                P_READ,
                P_READ + 3,
                "suggestion",
                "regression",
                "Short read can split the banner",
                "A single Read of 256 bytes may return half an identification line.",
                "buf := make([]byte, 256)\n"
                "n, err := conn.Read(buf[:256])\n"
                "banner := string(buf[:n])",
            ),
        ),
    ],
    {"groups": [["x1"], ["g1"]], "appendix": ["g1"]},
)

case(
    "blind-unlocated-no-evidence-past-end",
    "unlocated: no evidence, lines past the end -> appendix, not dropped",
    "A finding with no quote that cites lines 210-214 of a 48-line file cannot be located; it "
    "goes to the appendix with the reviewer's text.",
    *ROT_TREES,
    [
        review(
            *CLAUDE,
            finding(
                "c1",
                ROT,
                R_LOOP,
                R_LOOP,
                "important",
                "regression",
                "Rotation keeps backupCount + 1 backups",
                "The loop now starts at `backupCount`, so `.N` is renamed to `.N+1` and never "
                "removed.",
                lines(ROT_HEAD, R_LOOP, R_LOOP),
            ),
        ),
        review(
            *CODEX,
            finding(
                "x1",
                ROT,
                210,
                214,
                "suggestion",
                "gap",
                "namer/rotator hooks are not exercised by tests",
                "No test covers a custom rotator with the new loop.",
            ),
        ),
    ],
    {"groups": [["c1"], ["x1"]], "appendix": ["x1"]},
)

case(
    "blind-unlocated-function-in-other-file",
    "unlocated: cites a function that lives in another (absent) file, at a file that exists",
    "Seed 004 I1 shape with the wrong path: `handleRestartNeeded` is quoted at "
    "hostswitch_windows.go:329-341, but that code is in limavm_lifecycle.go, which this tree "
    "does not contain. The cited file exists, so this is 'could not locate' -> appendix.",
    *HS_TREES,
    [
        review(
            *CLAUDE,
            finding(
                "c1",
                HS,
                329,
                341,
                "important",
                "gap",
                "Missing `stopHostSwitch` in `handleRestartNeeded` leaks the goroutine on restart",
                "Every other shutdown path calls stopHostSwitch alongside stopWatcher.",
                "case phaseRunning:\n"
                '    logger.Info("Restart needed: stopping running instance")\n'
                "    r.shutdownHostagent(ctx, limaVM.Name, nil)\n"
                "    r.stopWatcher(limaVM.Name)",
            ),
        )
    ],
    {"groups": one("c1"), "appendix": ["c1"]},
)

# =============================== deterministic drops only ===================================

case(
    "blind-drop-file-absent-from-both-trees",
    "dropped: the cited file exists in neither tree",
    "Gemini cites pkg/hostagent/hostagent.go, which is in neither the base nor the head tree: a "
    "deterministic fact, so it is dropped with that reason; Codex's finding stays.",
    *PROBE_TREES,
    [
        review(
            *CODEX,
            finding(
                "x1",
                PROBE,
                P_READ,
                P_PREFIX + 2,
                "important",
                "regression",
                "Preamble lines before the SSH version string fail the probe",
                "RFC 4253 §4.2.",
                PREAMBLE_EVIDENCE,
            ),
        ),
        review(
            *GEMINI,
            finding(
                "g1",
                "pkg/hostagent/hostagent.go",
                427,
                432,
                "important",
                "regression",
                "WSL2 SSH address is not loopback",
                "The hostagent passes a guest-routable IP for WSL2.",
                "sshAddr, err := a.driver.SSHAddress(ctx)",
            ),
        ),
    ],
    {"groups": one("x1"), "dropped": {"g1": "does not exist"}},
)

case(
    "blind-drop-every-cited-file-absent",
    "dropped: reviewers reviewed another checkout, no cited file is in the repo",
    "Both findings cite files that are in neither tree (the reviewers looked at a different "
    "checkout). Each is dropped with the reason; nothing survives. (The verdict must then say "
    "the review could not be checked; the case format cannot express that.)",
    *REL_TREES,
    [
        review(
            *CLAUDE,
            finding(
                "c1",
                "pkg/driver/external/client/methods.go",
                323,
                330,
                "suggestion",
                "gap",
                "External driver SSHAddress may be non-loopback",
                "Plugins can return any host.",
                "func (d *DriverClient) SSHAddress(ctx context.Context) (string, error) {",
            ),
        ),
        review(
            *GEMINI,
            finding(
                "g1",
                "pkg/wsl2/wsl_driver_windows.go",
                325,
                327,
                "important",
                "regression",
                "WSL2 driver returns loopback",
                "SSHAddress returns 127.0.0.1.",
                'return "127.0.0.1", nil',
            ),
        ),
    ],
    {"groups": [], "dropped": {"c1": "does not exist", "g1": "does not exist"}},
)

case(
    "blind-absent-file-vs-unlocated-contrast",
    "dropped vs unlocated in one review",
    "One finding cites a file in neither tree (dropped: does not exist); another cites an "
    "existing file with a quote that is not in it (appendix, not dropped); a third grounds.",
    *HANDLER_TREES,
    [
        review(
            *CLAUDE,
            finding(
                "c1",
                HANDLER,
                W_304 - 1,
                W_304 + 2,
                "important",
                "regression",
                "304 path returns without closing the file",
                "The `f.close()` before `return None` was removed.",
                lines(HANDLER_HEAD, W_304 - 1, W_304 + 2),
            ),
            finding(
                "c2",
                "webserve/range_support.py",
                12,
                20,
                "important",
                "regression",
                "Range header parsed without bounds",
                "A negative start makes seek fail.",
                "start, end = map(int, rng.split('-'))",
            ),
        ),
        review(
            *GEMINI,
            finding(
                "g1",
                HANDLER,
                W_CLEN - 2,
                W_CLEN,
                "suggestion",
                "enhancement",
                "Use shutil.copyfileobj with a larger buffer",
                "Serving large files is slow.",
                "self.copyfile(f, self.wfile)\nbuf = f.read(8192)",
            ),
        ),
    ],
    {
        "groups": [["c1"], ["g1"]],
        "dropped": {"c2": "does not exist"},
        "appendix": ["g1"],
    },
)

# ============================ merging: the same defect merges ===============================

case(
    "blind-merge-preamble-two-phrasings-different-spans",
    "merge: paraphrased duplicates across reviewers, overlapping spans, with fixes",
    "Seed 000 I1: Codex cites the read and prefix check, Gemini the RFC comment and the read; "
    "same defect, different words, overlapping lines: one finding.",
    *PROBE_TREES,
    [
        review(
            *CODEX,
            finding(
                "x1",
                PROBE,
                P_READ,
                P_PREFIX + 2,
                "important",
                "regression",
                "Handle RFC 4253 §4.2 preamble lines before the identification string",
                "The server MAY send other lines first; clients must skip them. The probe "
                "treats line one as the banner and returns `unexpected banner`.",
                PREAMBLE_EVIDENCE,
                fix=PREAMBLE_FIX,
            ),
        ),
        review(
            *GEMINI,
            finding(
                "g1",
                PROBE,
                P_RFC,
                P_READ,
                "important",
                "regression",
                "Readiness gate blocks forever on sshd with a pre-banner message",
                "bufio.ReadString('\\n') returns the first line; a deployment notice printed "
                "before SSH-2.0 makes all 200 attempts fail.",
                lines(PROBE_HEAD, P_RFC, P_READ),
            ),
        ),
    ],
    {"groups": [["x1", "g1"]]},
)

SERVE = lines(HS_HEAD, H_SERVE, H_FILTER + 2)
case(
    "blind-merge-same-lines-different-vocabulary",
    "merge: same lines, same defect, almost no shared words",
    "Seed 004 S1: both cite the Serve call and its filter; one speaks of net.ErrClosed, the "
    "other of 'use of closed network connection' and errgroup. Same claim, same fix: one.",
    *HS_TREES,
    [
        review(
            *CLAUDE,
            finding(
                "c1",
                HS,
                H_SERVE,
                H_FILTER + 2,
                "suggestion",
                "regression",
                "HTTP `Serve` returns a non-`ErrServerClosed` error on clean shutdown",
                "Closing vnLn makes Serve return net.ErrClosed, which passes the filter.",
                SERVE,
                fix=(
                    "-\t\tif err != nil && !errors.Is(err, http.ErrServerClosed) {\n"
                    "+\t\tif err != nil && !errors.Is(err, http.ErrServerClosed) && "
                    "!errors.Is(err, net.ErrClosed) {\n"
                ),
            ),
        ),
        review(
            *GEMINI,
            finding(
                "g1",
                HS,
                H_SERVE - 1,
                H_FILTER,
                "important",
                "regression",
                "Every normal stop is logged as a failure",
                "When the context ends the listener goroutine closes vnLn; http.Server then "
                "yields 'use of closed network connection', the group reports it and "
                "'Host-switch exited with error' appears on each shutdown.",
                spaces(lines(HS_HEAD, H_SERVE - 1, H_FILTER)),
            ),
        ),
    ],
    {"groups": [["c1", "g1"]]},
)

case(
    "blind-merge-three-phrasings-one-with-related",
    "merge: three reviewers, one names a related location (which alone would not merge)",
    "Seed 004 I2: the map overwrite that orphans the previous host-switch, three phrasings at "
    "overlapping spans; Gemini adds stopHostSwitch as related. They merge on the claim.",
    *HS_TREES,
    [
        review(
            *CLAUDE,
            finding(
                "c1",
                HS,
                H_MAP,
                H_MAP + 3,
                "important",
                "regression",
                "startHostSwitch overwrites state without cancelling the existing goroutine",
                "The old cancel func is discarded.",
                lines(HS_HEAD, H_MAP, H_MAP + 3),
            ),
        ),
        review(
            *CODEX,
            finding(
                "x1",
                HS,
                H_WITHCANCEL,
                H_UNLOCK,
                "important",
                "gap",
                "Repeated start for one instance leaks the first host-switch",
                "Nothing stops a previous entry before a new context is stored.",
                lines(HS_HEAD, H_WITHCANCEL, H_UNLOCK),
            ),
        ),
        review(
            *GEMINI,
            finding(
                "g1",
                HS,
                H_MAP - 1,
                H_MAP,
                "critical",
                "regression",
                "Goroutine leak: hostSwitchStates entry replaced",
                "Call stopHostSwitch(name) first to make start idempotent.",
                lines(HS_HEAD, H_MAP - 1, H_MAP),
                related=[
                    rel(
                        HS,
                        at(HS_HEAD, "func (r *LimaVMReconciler) stopHostSwitch"),
                        at(HS_HEAD, "<-state.done"),
                        "the stop that should run first",
                    )
                ],
            ),
        ),
    ],
    {"groups": [["c1", "x1", "g1"]], "severity": {"c1": "important"}},
)

case(
    "blind-merge-python-leak-wide-and-narrow-span",
    "merge: narrow and wide span of one leak, paraphrased",
    "Claude cites the four lines of the 304 branch; Codex cites from `open` to the early return. "
    "Same leak, one finding.",
    *HANDLER_TREES,
    [
        review(
            *CLAUDE,
            finding(
                "c1",
                HANDLER,
                W_304 - 1,
                W_304 + 2,
                "important",
                "regression",
                "File object leaked on 304 Not Modified",
                "The close before `return None` was removed.",
                lines(HANDLER_HEAD, W_304 - 1, W_304 + 2),
            ),
        ),
        review(
            *CODEX,
            finding(
                "x1",
                HANDLER,
                W_OPEN,
                W_304 + 2,
                "suggestion",
                "regression",
                "send_head returns None with `f` still open when the cached copy is fresh",
                "Callers only close what send_head returns, so this descriptor is never closed.",
                lines(HANDLER_HEAD, W_OPEN, W_OPEN)
                + "\n...\n"
                + lines(HANDLER_HEAD, W_304, W_304 + 2),
            ),
        ),
    ],
    {"groups": [["c1", "x1"]], "severity": {"c1": "important"}},
)

ZIP_EVIDENCE = lines(EXTRACT_HEAD, X_STRIP, X_STRIP)
case(
    "blind-merge-zip-slip-severity-disagreement",
    "merge+severity: critical vs important on a grounded security defect",
    "Claude calls the zip slip critical, Codex important with different words; merged, and a "
    "grounded path-traversal claim stays critical.",
    *EXTRACT_TREES,
    [
        review(
            *CLAUDE,
            finding(
                "c1",
                EXTRACT,
                X_STRIP,
                X_JOIN,
                "critical",
                "regression",
                "Path traversal: `..` members write outside the extraction directory",
                "The component filter was replaced by lstrip; `../` survives into targetpath.",
                lines(EXTRACT_HEAD, X_STRIP, X_JOIN),
            ),
        ),
        review(
            *CODEX,
            finding(
                "x1",
                EXTRACT,
                X_STRIP,
                X_STRIP,
                "important",
                "regression",
                "Parent-directory components are no longer stripped from member names",
                "A crafted archive can overwrite arbitrary files the process can write.",
                ZIP_EVIDENCE,
            ),
        ),
    ],
    {"groups": [["c1", "x1"]], "severity": {"c1": "critical"}},
)

case(
    "blind-merge-same-reviewer-restates-claim",
    "merge: one reviewer's two findings that are the same claim",
    "Gemini reports the shifted loop bound once as a title-only finding on the loop line and "
    "again with the rename it causes; it is one claim with one fix: one finding.",
    *ROT_TREES,
    [
        review(
            *GEMINI,
            finding(
                "g1",
                ROT,
                R_LOOP,
                R_LOOP,
                "important",
                "regression",
                "Off-by-one: rotation keeps backupCount + 1 files",
                "range starts at backupCount instead of backupCount - 1.",
                lines(ROT_HEAD, R_LOOP, R_LOOP),
            ),
            finding(
                "g2",
                ROT,
                R_LOOP,
                R_RENAME,
                "important",
                "regression",
                "Loop bound renames the oldest backup to .N+1, which is never deleted",
                "With backupCount=5 the handler leaves app.log.6 behind on every rollover; "
                "the range should start at backupCount - 1.",
                lines(ROT_HEAD, R_LOOP, R_RENAME),
            ),
        )
    ],
    {"groups": [["g1", "g2"]]},
)

# ==================== separate: related, near, ambiguous or false positives =================

case(
    "blind-separate-false-positive-same-location",
    "separate: a false positive sharing lines with a true finding, different defect",
    "Codex's preamble finding is true; Gemini claims the connection is not closed on the read "
    "error path although `defer conn.Close()` is there. They share the read line but claim "
    "different defects: two groups (the false one is for verification, never merged).",
    *PROBE_TREES,
    [
        review(
            *CODEX,
            finding(
                "x1",
                PROBE,
                P_READ,
                P_PREFIX + 2,
                "important",
                "regression",
                "RFC 4253 preamble lines make the probe fail",
                "Read lines until one starts with SSH-.",
                PREAMBLE_EVIDENCE,
                fix=PREAMBLE_FIX,
            ),
        ),
        review(
            *GEMINI,
            finding(
                "g1",
                PROBE,
                P_READ,
                P_READ + 3,
                "important",
                "regression",
                "Connection leaked when reading the banner fails",
                "On the ReadString error path conn is never closed.",
                lines(PROBE_HEAD, P_READ, P_READ + 3),
                fix="\tif err != nil {\n+\t\tconn.Close()\n",
            ),
        ),
    ],
    {"groups": [["x1"], ["g1"]]},
)

case(
    "blind-separate-related-location-only",
    "separate: linked only through a related location",
    "Claude's loopback finding is at the `addr :=` line; Gemini's debugHint finding lists that "
    "line as related. A related location never merges findings on its own.",
    *PROBE_TREES,
    [
        review(
            *CLAUDE,
            finding(
                "c1",
                PROBE,
                P_ADDR,
                P_ADDR,
                "important",
                "regression",
                "Hardcoded 127.0.0.1 breaks WSL2 where SSH is not on loopback",
                "The existing requirement honours a.instSSHAddress.",
                lines(PROBE_HEAD, P_ADDR, P_ADDR),
            ),
        ),
        review(
            *GEMINI,
            finding(
                "g1",
                PROBE,
                P_HINT,
                P_SERIAL,
                "suggestion",
                "regression",
                "Hint mentions 127.0.0.1 and a serial log that Linux guests lack",
                "Build the hint from the guest OS like finalRequirements does.",
                lines(PROBE_HEAD, P_HINT, P_SERIAL),
                related=[rel(PROBE, P_ADDR, P_ADDR, "where 127.0.0.1 is dialled")],
            ),
        ),
    ],
    {"groups": [["c1"], ["g1"]]},
)

case(
    "blind-separate-one-reviewer-two-claims-one-function",
    "separate: one reviewer, two different defects four lines apart in one function",
    "Claude reports the dropped close() and the shifted loop bound in doRollover; both mention "
    "rollover and backups but they are two claims with two fixes.",
    *ROT_TREES,
    [
        review(
            *CLAUDE,
            finding(
                "c1",
                ROT,
                R_STREAM,
                R_NONE,
                "important",
                "regression",
                "doRollover no longer closes the stream before rotating backups",
                "The open handle leaks and the rename of the base file fails on Windows.",
                lines(ROT_HEAD, R_STREAM, R_NONE),
            ),
            finding(
                "c2",
                ROT,
                R_LOOP,
                R_LOOP + 3,
                "important",
                "regression",
                "doRollover keeps one backup too many",
                "Starting the loop at backupCount renames .N to .N+1.",
                lines(ROT_HEAD, R_LOOP, R_LOOP + 3),
            ),
        )
    ],
    {"groups": [["c1"], ["c2"]]},
)

case(
    "blind-separate-one-reviewer-two-leak-paths",
    "separate: one reviewer, the same kind of defect on two different code paths",
    "Codex reports the leaked file on the 304 path and on the swallowed-OSError path. Both are "
    "'file not closed' but different paths needing different fixes: two findings.",
    *HANDLER_TREES,
    [
        review(
            *CODEX,
            finding(
                "x1",
                HANDLER,
                W_304,
                W_304 + 2,
                "important",
                "regression",
                "File left open on the 304 early return",
                "Restore f.close() before returning None.",
                lines(HANDLER_HEAD, W_304, W_304 + 2),
            ),
            finding(
                "x2",
                HANDLER,
                W_EXCEPT,
                W_EXCEPT + 2,
                "important",
                "regression",
                "File left open when fstat or header writing raises",
                "The except clause returns None without closing f and hides the error.",
                lines(HANDLER_HEAD, W_EXCEPT, W_EXCEPT + 2),
            ),
        )
    ],
    {"groups": [["x1"], ["x2"]]},
)

case(
    "blind-separate-false-positive-related-to-true",
    "separate: a false positive whose related location is the true finding's line",
    "Codex's listener leak is true. Gemini's context-lifetime claim (seed 004's invalid "
    "concern) names the `ln, err := vsockHandshake` line as related. Separate groups.",
    *HS_TREES,
    [
        review(
            *CODEX,
            finding(
                "x1",
                HS,
                H_VN,
                H_VN + 3,
                "important",
                "regression",
                "Handshake listener not closed when virtualnetwork.New fails",
                "ln stays bound to the VM GUID.",
                lines(HS_HEAD, H_VN, H_VN + 3),
            ),
        ),
        review(
            *GEMINI,
            finding(
                "g1",
                HS,
                H_WITHCANCEL,
                H_WITHCANCEL,
                "important",
                "regression",
                "Host-switch context is derived from the per-reconcile context",
                "In controller-runtime v0.15+ the reconcile ctx is cancelled when Reconcile "
                "returns, which tears the network down immediately and leaks the handshake "
                "listener.",
                lines(HS_HEAD, H_WITHCANCEL, H_WITHCANCEL),
                related=[rel(HS, H_LN, H_LN, "listener created with this context")],
            ),
        ),
    ],
    {"groups": [["x1"], ["g1"]]},
)

case(
    "blind-separate-ambiguous-overlap-no-lead",
    "separate: ambiguous pair (nested spans, related claims) without a lead stays apart",
    "Claude: Serve's filter misses net.ErrClosed. Gemini: g.Wait reports only the first error, "
    "so a real AcceptVsock failure can be masked by the close error; its span contains "
    "Claude's. Related, not clearly the same defect: precision first, two findings.",
    *HS_TREES,
    [
        review(
            *CLAUDE,
            finding(
                "c1",
                HS,
                H_SERVE,
                H_FILTER + 2,
                "suggestion",
                "regression",
                "Serve error filter does not include net.ErrClosed",
                "Clean shutdown logs an error.",
                SERVE,
            ),
        ),
        review(
            *GEMINI,
            finding(
                "g1",
                HS,
                H_CLOSE - 2,
                H_WAIT + 2,
                "suggestion",
                "enhancement",
                "errgroup surfaces only the first error",
                "When AcceptVsock fails, the listener-close goroutine's error may be the one "
                "reported; log each goroutine's error.",
                lines(HS_HEAD, H_CLOSE - 2, H_CLOSE)
                + "\n...\n"
                + lines(HS_HEAD, H_WAIT, H_WAIT + 2),
            ),
        ),
    ],
    {"groups": [["c1"], ["g1"]]},
)

case(
    "blind-separate-stale-comment-beside-bug",
    "separate: overlapping spans, different defects (security bug vs stale comment)",
    "Claude's zip slip and Codex's 'comment still promises .. removal' overlap on the changed "
    "line but are different claims with different fixes.",
    *EXTRACT_TREES,
    [
        review(
            *CLAUDE,
            finding(
                "c1",
                EXTRACT,
                X_STRIP,
                X_STRIP,
                "critical",
                "regression",
                "Zip slip: `..` no longer removed from member names",
                "Extraction can write outside the target directory.",
                ZIP_EVIDENCE,
            ),
        ),
        review(
            *CODEX,
            finding(
                "x1",
                EXTRACT,
                X_COMMENT,
                X_STRIP,
                "suggestion",
                "enhancement",
                "Comment describes filtering the code no longer does",
                "The comment says '.' and '..' components are removed; update it with the code.",
                lines(EXTRACT_HEAD, X_COMMENT, X_STRIP),
            ),
        ),
    ],
    {"groups": [["c1"], ["x1"]], "severity": {"c1": "critical"}},
)

case(
    "blind-separate-same-words-two-files",
    "separate: the same wording about two different files",
    "Claude reports 'file handle leaked' in the rotating handler and in the static file "
    "handler; the words match, the defects are in different files and code: two findings.",
    ROT_TREES[0] | HANDLER_TREES[0],
    ROT_TREES[1] | HANDLER_TREES[1],
    [
        review(
            *CLAUDE,
            finding(
                "c1",
                ROT,
                R_STREAM,
                R_NONE,
                "important",
                "regression",
                "File handle leaked on rollover",
                "The stream is dropped without close().",
                lines(ROT_HEAD, R_STREAM, R_NONE),
            ),
            finding(
                "c2",
                HANDLER,
                W_304,
                W_304 + 2,
                "important",
                "regression",
                "File handle leaked on 304",
                "The file is dropped without close().",
                lines(HANDLER_HEAD, W_304, W_304 + 2),
            ),
        )
    ],
    {"groups": [["c1"], ["c2"]]},
)

# ============================ analyzers: rule codes never merge =============================

IMPORTS = lines(REL_HEAD, M_SYS, M_PATHLIB)
F401_SYS = finding(
    "r1",
    REL,
    M_SYS,
    M_SYS,
    "suggestion",
    "regression",
    "F401 `sys` imported but unused",
    "Remove unused import: `sys`",
    "import sys",
)
I001 = finding(
    "r2",
    REL,
    M_SYS,
    M_PATHLIB,
    "suggestion",
    "regression",
    "I001 Import block is un-sorted or un-formatted",
    "Organize imports",
    IMPORTS,
)

case(
    "blind-ruff-f401-and-i001-same-line",
    "analyzer: two rule codes starting on the same line of a new file stay two",
    "Issue 11's reproduction on a real-shaped file: a new module with an unused `import sys` "
    "gets F401 and I001, both starting at line 3. Different rule codes never merge.",
    *REL_TREES,
    [review(*RUFF, F401_SYS, I001)],
    {"groups": [["r1"], ["r2"]]},
)

case(
    "blind-ruff-and-model-agree-severity-calibrated",
    "analyzer+model merge on one rule; model's inflated severity calibrated",
    "Claude reports the unused `sys` in its own words and calls it important; it merges with "
    "ruff's F401 (not with I001), and an unused import is a suggestion.",
    *REL_TREES,
    [
        review(*RUFF, F401_SYS, I001),
        review(
            *CLAUDE,
            finding(
                "c1",
                REL,
                M_SYS,
                M_SYS,
                "important",
                "enhancement",
                "Unused import of `sys`",
                "`sys` is imported but never referenced in mkrelease.py.",
                "import sys",
            ),
        ),
    ],
    {"groups": [["r1", "c1"], ["r2"]], "severity": {"c1": "suggestion"}},
)

ANN = [
    finding(
        f"r{i}",
        REL,
        M_DEF,
        M_DEF,
        "suggestion",
        "regression",
        f"ANN001 Missing type annotation for function argument `{arg}`",
        "",
        lines(REL_HEAD, M_DEF, M_DEF),
    )
    for i, arg in ((1, "fsrc"), (2, "fdst"), (3, "length"))
]
case(
    "blind-ruff-same-rule-same-line-three-arguments",
    "analyzer: one rule, one line, three different arguments -> three findings",
    "ANN001 fires three times on the `def copyfileobj` line, once per argument. Each is its own "
    "diagnostic; merging them would lose two.",
    *REL_TREES,
    [review(*RUFF, *ANN)],
    {"groups": [["r1"], ["r2"], ["r3"]]},
)

case(
    "blind-ruff-and-model-same-line-different-defect",
    "analyzer vs model: same line, different defects",
    "ruff's ANN201 on `def copyfileobj` and Claude's 'this re-implements shutil.copyfileobj' "
    "share the line but not the defect: two findings.",
    *REL_TREES,
    [
        review(
            *RUFF,
            finding(
                "r1",
                REL,
                M_DEF,
                M_DEF,
                "suggestion",
                "regression",
                "ANN201 Missing return type annotation for public function `copyfileobj`",
                "Add return type annotation: `None`",
                lines(REL_HEAD, M_DEF, M_DEF),
            ),
        ),
        review(
            *CLAUDE,
            finding(
                "c1",
                REL,
                M_DEF,
                M_DEF + 11,
                "suggestion",
                "enhancement",
                "copyfileobj duplicates shutil.copyfileobj",
                "The module already imports shutil; call shutil.copyfileobj and drop the copy.",
                lines(REL_HEAD, M_DEF, M_DEF + 11),
            ),
        ),
    ],
    {"groups": [["r1"], ["c1"]]},
)

case(
    "blind-ruff-two-rules-each-with-a-model-twin",
    "analyzer+models: two rules, each paraphrased by a different model, plus a third rule",
    "F401 `sys` (Claude agrees), I001 (Gemini: 'imports not sorted: sys before os') and "
    "ANN201: three problems; each model finding joins its own rule, never the other.",
    *REL_TREES,
    [
        review(
            *RUFF,
            F401_SYS,
            I001,
            finding(
                "r3",
                REL,
                M_DEF,
                M_DEF,
                "suggestion",
                "regression",
                "ANN201 Missing return type annotation for public function `copyfileobj`",
                "",
                lines(REL_HEAD, M_DEF, M_DEF),
            ),
        ),
        review(
            *CLAUDE,
            finding(
                "c1",
                REL,
                M_SYS,
                M_SYS,
                "suggestion",
                "enhancement",
                "`sys` is never used",
                "Drop the import.",
                "import sys",
            ),
        ),
        review(
            *GEMINI,
            finding(
                "g1",
                REL,
                M_SYS,
                M_OS,
                "suggestion",
                "enhancement",
                "Imports are not in isort order",
                "`sys` is imported before `os`; run the import sorter.",
                "import sys\nimport os",
            ),
        ),
    ],
    {"groups": [["r1", "c1"], ["r2", "g1"], ["r3"]]},
)

REL_TWO_UNUSED = edit(REL_HEAD, "import shutil\n", "import shutil\nimport tarfile\n")
case(
    "blind-ruff-same-rule-two-names",
    "analyzer: the same rule for two different names in one import block",
    "F401 for `sys` (line 3) and for `tarfile` (line 6), plus I001 over the block: three "
    "diagnostics, three findings.",
    {},
    {REL: REL_TWO_UNUSED},
    [
        review(
            *RUFF,
            F401_SYS,
            finding(
                "r2",
                REL,
                6,
                6,
                "suggestion",
                "regression",
                "F401 `tarfile` imported but unused",
                "Remove unused import: `tarfile`",
                "import tarfile",
            ),
            finding(
                "r3",
                REL,
                3,
                7,
                "suggestion",
                "regression",
                "I001 Import block is un-sorted or un-formatted",
                "Organize imports",
                lines(REL_TWO_UNUSED, 3, 7),
            ),
        )
    ],
    {"groups": [["r1"], ["r2"], ["r3"]]},
)

# ================================ severity calibration =====================================

case(
    "blind-severity-hangs-wording-not-critical",
    "severity: a 'hangs' critical merged with an important; the claim is a startup failure",
    "Issue 12's word-list failure: Gemini calls the preamble problem critical because the gate "
    "'hangs'. The claim is a readiness failure with a clear error after retries, not data loss "
    "or a security hole: the merged finding is important.",
    *PROBE_TREES,
    [
        review(
            *CODEX,
            finding(
                "x1",
                PROBE,
                P_READ,
                P_PREFIX + 2,
                "important",
                "regression",
                "Preamble lines before the identification string fail the probe",
                "RFC 4253 §4.2 lets servers send lines first.",
                PREAMBLE_EVIDENCE,
            ),
        ),
        review(
            *GEMINI,
            finding(
                "g1",
                PROBE,
                P_READ,
                P_READ + 3,
                "critical",
                "regression",
                "Ready gate hangs on servers that send a pre-banner line",
                "The start hangs for ~10 minutes (200 retries) and then fails with "
                "'unexpected banner' when sshd prints a notice before SSH-2.0-.",
                lines(PROBE_HEAD, P_READ, P_READ + 3),
            ),
        ),
    ],
    {"groups": [["x1", "g1"]], "severity": {"x1": "important"}},
)

case(
    "blind-severity-leak-on-error-path-critical-alone",
    "severity: a lone critical for a leak on an error path is calibrated to important",
    "Gemini alone calls the listener leak on the vn.Listen failure path critical ('resource "
    "exhaustion'); an ordinary leak on an error path is important.",
    *HS_TREES,
    [
        review(
            *GEMINI,
            finding(
                "g1",
                HS,
                H_LISTEN,
                H_LISTEN + 3,
                "critical",
                "regression",
                "Resource exhaustion: handshake listener leaked when vn.Listen fails",
                "Each failed start leaks an AF_VSOCK socket; repeated failures exhaust them.",
                lines(HS_HEAD, H_LISTEN, H_LISTEN + 3),
            ),
        )
    ],
    {"groups": one("g1"), "severity": {"g1": "important"}},
)

# ================================ outside the diff ==========================================

APP = "webserve/app.py"
APP_LINES = read("app.py.txt")
case(
    "blind-outside-diff-preexisting-unrelated",
    "outside diff: a pre-existing, unrelated claim in an unchanged file -> appendix",
    "Claude's 304 leak is in the change; Gemini's 'copyfile has no write timeout' is about "
    "unchanged code in app.py that the change does not touch: outside the diff, appendix.",
    {HANDLER: HANDLER_BASE, APP: APP_LINES},
    {HANDLER: HANDLER_HEAD, APP: APP_LINES},
    [
        review(
            *CLAUDE,
            finding(
                "c1",
                HANDLER,
                W_304 - 1,
                W_304 + 2,
                "important",
                "regression",
                "f leaks on the 304 path",
                "close() was removed.",
                lines(HANDLER_HEAD, W_304 - 1, W_304 + 2),
            ),
        ),
        review(
            *GEMINI,
            finding(
                "g1",
                APP,
                24,
                26,
                "suggestion",
                "enhancement",
                "copyfile has no write timeout",
                "A slow client holds the handler thread indefinitely.",
                lines(APP_LINES, 24, 26),
            ),
        ),
    ],
    {"groups": [["c1"], ["g1"]], "outside_diff": ["g1"], "appendix": ["g1"]},
)

LIFE = "pkg/controllers/limavm_lifecycle.go"
LIFE_LINES = read("limavm_lifecycle.go.txt")
L_STOPWATCH = at(LIFE_LINES, "r.stopWatcher(limaVM.Name)")
case(
    "blind-outside-diff-path-the-change-forgot",
    "outside diff: unchanged code that must change because of the change -> kept, marked",
    "Seed 004 I1: handleRestartNeeded predates the change, but the stopHostSwitch pattern the "
    "change introduced must be applied there. Kept in the main list, marked outside the diff.",
    {LIFE: LIFE_LINES},
    {LIFE: LIFE_LINES, HS: HS_HEAD},
    [
        review(
            *CLAUDE,
            finding(
                "c1",
                LIFE,
                L_STOPWATCH - 3,
                L_STOPWATCH,
                "important",
                "gap",
                "Missing `stopHostSwitch` in `handleRestartNeeded` leaks the host-switch",
                "Every shutdown path this change touched calls stopHostSwitch alongside "
                "stopWatcher; the restart path does not, and the next startHostSwitch "
                "overwrites the running entry.",
                lines(LIFE_LINES, L_STOPWATCH - 3, L_STOPWATCH),
                related=[
                    rel(
                        HS,
                        at(HS_HEAD, "func (r *LimaVMReconciler) stopHostSwitch"),
                        at(HS_HEAD, "<-state.done") + 1,
                        "added by this change",
                    )
                ],
                fix="\t\tr.stopWatcher(limaVM.Name)\n+\t\tr.stopHostSwitch(limaVM.Name)\n",
            ),
        )
    ],
    {"groups": one("c1"), "outside_diff": ["c1"]},
)

# ======================= more grounding shapes (Python) =====================================

W_LASTMOD = at(HANDLER_HEAD, "last_modif = datetime.datetime.fromtimestamp(")
SKIPPED = "\n".join(
    [
        HANDLER_HEAD[W_LASTMOD - 1],
        HANDLER_HEAD[W_LASTMOD],
        # the '# remove microseconds' comment and the blank line are left out, no '...'
        HANDLER_HEAD[W_LASTMOD + 2],
        HANDLER_HEAD[W_304 - 2],
        HANDLER_HEAD[W_304 - 1],
        HANDLER_HEAD[W_304],
        HANDLER_HEAD[W_304 + 1],
    ]
)
case(
    "blind-python-evidence-skips-comment-and-blank",
    "grounding: a comment line and a blank line left out of the quote without `...`",
    "The quote runs from the fromtimestamp call to `return None` but silently omits the "
    "'# remove microseconds' comment and the blank line; kept at the quoted span.",
    *HANDLER_TREES,
    [
        review(
            *CODEX,
            finding(
                "x1",
                HANDLER,
                W_LASTMOD + 20,
                W_LASTMOD + 28,
                "important",
                "regression",
                "Conditional GET leaks the opened file",
                "On `last_modif <= ims` the handler answers 304 and returns without closing f.",
                SKIPPED,
            ),
        )
    ],
    {"groups": one("x1"), "location": {"x1": (HANDLER, W_LASTMOD, W_304 + 2)}},
)

case(
    "blind-python-evidence-is-a-diff-with-removed-line",
    "grounding: the quote is the diff itself, including a line that exists only in the base",
    "Claude quotes the hunk with its `-self.stream.close()` line; the context and the removed "
    "line are real (head and base), so the finding is kept at the head lines it names.",
    *ROT_TREES,
    [
        review(
            *CLAUDE,
            finding(
                "c1",
                ROT,
                R_STREAM,
                R_NONE,
                "important",
                "regression",
                "Removed close() leaks the log stream on every rollover",
                "The stream is dropped without being closed.",
                " "
                + ROT_HEAD[R_STREAM - 1]
                + "\n-            self.stream.close()\n "
                + ROT_HEAD[R_NONE - 1],
            ),
        )
    ],
    {"groups": one("c1"), "location": {"c1": (ROT, R_STREAM, R_NONE)}},
)

# ============================ min_severity and unlocated ====================================

case(
    "blind-appendix-min-severity-and-unlocated",
    "appendix: below min_severity, and unlocated, both to the appendix; nothing dropped",
    "With min_severity=important: Codex's important is kept, Claude's grounded suggestion goes "
    "to the appendix (below the threshold), Gemini's important with a quote that is not in "
    "the file goes to the appendix (unlocated). No finding is dropped.",
    *EXTRACT_TREES,
    [
        review(
            *CODEX,
            finding(
                "x1",
                EXTRACT,
                X_STRIP,
                X_STRIP,
                "important",
                "regression",
                "`..` components survive into the target path",
                "Zip slip.",
                ZIP_EVIDENCE,
            ),
        ),
        review(
            *CLAUDE,
            finding(
                "c1",
                EXTRACT,
                X_STRIP,
                X_STRIP,
                "suggestion",
                "enhancement",
                "Split the chained splitdrive/lstrip call",
                "Two transformations on one line are hard to review; name the intermediate.",
                ZIP_EVIDENCE,
            ),
        ),
        review(
            *GEMINI,
            finding(
                "g1",
                EXTRACT,
                X_STRIP + 2,
                X_STRIP + 3,
                "important",
                "regression",
                "Symlink members are followed on extraction",
                "A member that is a symlink is written through.",
                "if member.is_symlink():\n    os.symlink(source.read(), targetpath)",
            ),
        ),
    ],
    {"groups": [["x1"], ["c1"], ["g1"]], "appendix": ["c1", "g1"]},
    {"min_severity": "important"},
)

# ============================ whole panels: conservation ====================================

case(
    "blind-panel-probe-seed000",
    "conservation: a whole seed-000-shaped panel; each input lands in exactly one place",
    "Codex and Gemini on the preamble (merged; Gemini's quote skips the comment and is cited "
    "off); Claude's loopback, hint and ctx findings (each separate, the ctx one overlaps the "
    "preamble span); Gemini's false 'conn not closed' at the read line (separate); Gemini's "
    "finding in a test file that is in neither tree (dropped).",
    *PROBE_TREES,
    [
        review(
            *CODEX,
            finding(
                "x1",
                PROBE,
                P_READ,
                P_PREFIX + 2,
                "important",
                "regression",
                "Probe treats the first line as the SSH identification string",
                "RFC 4253 §4.2 allows other lines before the version string.",
                PREAMBLE_EVIDENCE,
                fix=PREAMBLE_FIX,
            ),
        ),
        review(
            *CLAUDE,
            finding(
                "c1",
                PROBE,
                P_ADDR,
                P_ADDR,
                "important",
                "regression",
                "Hardcoded 127.0.0.1 ignores a.instSSHAddress (WSL2 regression)",
                "WSL2's getSSHAddress returns a guest IP.",
                lines(PROBE_HEAD, P_ADDR, P_ADDR),
            ),
            finding(
                "c2",
                PROBE,
                P_HINT,
                P_SERIAL,
                "suggestion",
                "regression",
                "debugHint mentions a serial log only Darwin guests have",
                "Build the hint per guest OS.",
                lines(PROBE_HEAD, P_HINT, P_SERIAL),
            ),
            finding(
                "c3",
                PROBE,
                P_DEADLINE,
                P_READ,
                "suggestion",
                "enhancement",
                "Banner read ignores ctx cancellation",
                "Only the 5 s deadline bounds the read; wire ctx with context.AfterFunc.",
                lines(PROBE_HEAD, P_DEADLINE, P_DEADLINE + 2),
                fix=(
                    "\tdefer conn.Close()\n"
                    "+\tstop := context.AfterFunc(ctx, func() { _ = conn.Close() })\n"
                    "+\tdefer stop()\n"
                ),
            ),
        ),
        review(
            *GEMINI,
            finding(
                "g1",
                PROBE,
                P_READ - 20,
                P_READ - 14,
                "important",
                "regression",
                "Pre-identification lines from sshd make the readiness gate fail",
                "RFC 4253 permits them; loop until a line starts with SSH-.",
                lines(PROBE_HEAD, P_DEADLINE, P_DEADLINE + 2)
                + "\n"
                + lines(PROBE_HEAD, P_READ, P_READ + 3),
            ),
            finding(
                "g2",
                PROBE,
                P_READ,
                P_READ + 3,
                "suggestion",
                "regression",
                "conn is not closed if ReadString fails",
                "Close the connection on the error path.",
                lines(PROBE_HEAD, P_READ, P_READ + 3),
            ),
            finding(
                "g3",
                "pkg/hostagent/requirements_test.go",
                212,
                240,
                "important",
                "regression",
                "HungWrite test deadlocks if the dial fails",
                "The accept goroutine never unblocks.",
                "accepted := make(chan net.Conn, 1)",
            ),
        ),
    ],
    {
        "groups": [["x1", "g1"], ["c1"], ["c2"], ["c3"], ["g2"]],
        "dropped": {"g3": "does not exist"},
    },
)

case(
    "blind-panel-hostswitch-seed004",
    "conservation: a whole seed-004-shaped panel with merge, separate, unlocated and dropped",
    "Overwrite (Claude+Codex, merged); listener leak (Claude, annotated quote cited past the "
    "end); Serve shutdown error (Claude suggestion + Gemini important, merged); Gemini's "
    "context-lifetime false positive (separate); Codex's quote of a dial goroutine that is not "
    "in this file (appendix, unlocated); Gemini's finding in a file in neither tree (dropped).",
    *HS_TREES,
    [
        review(
            *CLAUDE,
            finding(
                "c1",
                HS,
                H_MAP,
                H_MAP + 3,
                "important",
                "regression",
                "startHostSwitch overwrites state without cancelling the existing goroutine",
                "The previous cancel is lost.",
                lines(HS_HEAD, H_MAP, H_MAP + 3),
            ),
            finding(
                "c2",
                HS,
                96,
                138,
                "important",
                "regression",
                "Vsock listener leaked on early return in runHostSwitch",
                "Two error paths return without ln.Close().",
                LEAK_ANNOTATED,
            ),
            finding(
                "c3",
                HS,
                H_SERVE,
                H_FILTER + 2,
                "suggestion",
                "regression",
                "Serve returns net.ErrClosed on clean shutdown",
                "Filter net.ErrClosed too.",
                SERVE,
            ),
        ),
        review(
            *CODEX,
            finding(
                "x1",
                HS,
                H_WITHCANCEL,
                H_UNLOCK,
                "important",
                "gap",
                "Second start for an instance orphans the running host-switch",
                "Stop the existing entry before storing the new one.",
                lines(HS_HEAD, H_WITHCANCEL, H_UNLOCK),
            ),
            finding(
                "x2",
                HS,
                289,
                327,
                "important",
                "regression",
                "Unbounded detached dial goroutines in attemptHandshake",
                "A goroutine per GUID per second, never joined.",
                "case <-ticker.C:\n"
                "    go func() {\n"
                "        conn, err := getVsockConnection(vmGUID, vsockHandshakePort)",
            ),
        ),
        review(
            *GEMINI,
            finding(
                "g1",
                HS,
                H_SERVE - 1,
                H_FILTER + 2,
                "important",
                "regression",
                "Shutdown is reported as 'Host-switch exited with error'",
                "Closing the listener makes Serve fail with a closed-connection error.",
                spaces(lines(HS_HEAD, H_SERVE - 1, H_FILTER + 2)),
            ),
            finding(
                "g2",
                HS,
                H_WITHCANCEL,
                H_WITHCANCEL,
                "important",
                "regression",
                "Reconcile context is per-request; host-switch dies when Reconcile returns",
                "Use the manager's context.",
                lines(HS_HEAD, H_WITHCANCEL, H_WITHCANCEL),
            ),
            finding(
                "g3",
                "pkg/controllers/hostswitch.go",
                20,
                34,
                "suggestion",
                "gap",
                "validateSubnet has no tests",
                "Add table-driven tests.",
                "func validateSubnet(subnet string) (*net.IPNet, error) {",
            ),
        ),
    ],
    {
        "groups": [["c1", "x1"], ["c2"], ["c3", "g1"], ["g2"], ["x2"]],
        "appendix": ["x2"],
        "dropped": {"g3": "does not exist"},
        "location": {"c2": (HS, H_LN, H_VN + 4)},
    },
)

case(
    "blind-panel-handler-python",
    "conservation: a Python panel with a paraphrased pair, a sibling path, a false positive "
    "and an unlocated quote",
    "Claude and Codex on the 304 leak (merged; Codex annotates its quote); Codex's swallowed "
    "OSError leak (separate: another path); Gemini's false 'HTTPStatus has no "
    "INTERNAL_SERVER_ERROR' on that except clause (separate: another claim); Gemini's quote "
    "of a Range parser the file does not have (appendix).",
    *HANDLER_TREES,
    [
        review(
            *CLAUDE,
            finding(
                "c1",
                HANDLER,
                W_304 - 1,
                W_304 + 2,
                "important",
                "regression",
                "304 branch returns without closing f",
                "The removed f.close() leaks a descriptor per conditional GET.",
                lines(HANDLER_HEAD, W_304 - 1, W_304 + 2),
            ),
        ),
        review(
            *CODEX,
            finding(
                "x1",
                HANDLER,
                W_304 + 30,
                W_304 + 32,
                "important",
                "regression",
                "Descriptor leak on Not Modified responses",
                "send_head's contract says the caller closes only what it returns.",
                flat(lines(HANDLER_HEAD, W_304, W_304 + 2)) + "  # <- f still open",
            ),
            finding(
                "x2",
                HANDLER,
                W_EXCEPT,
                W_EXCEPT + 2,
                "important",
                "regression",
                "Errors after open() are swallowed and f leaks",
                "Restore the bare except that closes and re-raises.",
                lines(HANDLER_HEAD, W_EXCEPT, W_EXCEPT + 2),
            ),
        ),
        review(
            *GEMINI,
            finding(
                "g1",
                HANDLER,
                W_EXCEPT + 1,
                W_EXCEPT + 1,
                "important",
                "regression",
                "HTTPStatus has no INTERNAL_SERVER_ERROR member",
                "This raises AttributeError inside the error path; use 500.",
                lines(HANDLER_HEAD, W_EXCEPT + 1, W_EXCEPT + 1),
            ),
            finding(
                "g2",
                HANDLER,
                W_CLEN - 3,
                W_CLEN + 1,
                "suggestion",
                "gap",
                "Range requests are parsed without validating the bounds",
                "A negative start raises.",
                "rng = self.headers.get('Range')\nstart, end = rng[6:].split('-')",
            ),
        ),
    ],
    {"groups": [["c1", "x1"], ["x2"], ["g1"], ["g2"]], "appendix": ["g2"]},
)


# ============================ more variants of each kind ====================================

case(
    "blind-merge-same-reviewer-go-restated",
    "merge: one reviewer states one claim twice at overlapping lines",
    "Codex files the shutdown error once at the Serve call and again at the filter line with "
    "the same fix: one claim, one finding.",
    *HS_TREES,
    [
        review(
            *CODEX,
            finding(
                "x1",
                HS,
                H_SERVE,
                H_FILTER + 2,
                "suggestion",
                "regression",
                "Serve's closed-listener error is treated as a failure",
                "Filter net.ErrClosed as well as http.ErrServerClosed.",
                SERVE,
            ),
            finding(
                "x2",
                HS,
                H_FILTER,
                H_FILTER + 1,
                "suggestion",
                "regression",
                "ErrServerClosed filter misses net.ErrClosed on shutdown",
                "Add `&& !errors.Is(err, net.ErrClosed)`.",
                lines(HS_HEAD, H_FILTER, H_FILTER + 1),
            ),
        )
    ],
    {"groups": [["x1", "x2"]]},
)

case(
    "blind-separate-false-positive-same-line-python",
    "separate: a false claim on the exact line of a true one",
    "Codex: the new `except OSError` leaks f (true). Gemini: 'a ValueError from the date "
    "parsing escapes this handler' (false: parsing has its own try). Same line, different "
    "defects: two groups.",
    *HANDLER_TREES,
    [
        review(
            *CODEX,
            finding(
                "x1",
                HANDLER,
                W_EXCEPT,
                W_EXCEPT + 2,
                "important",
                "regression",
                "f is not closed when the except clause returns",
                "Close it or restore the re-raise.",
                lines(HANDLER_HEAD, W_EXCEPT, W_EXCEPT + 2),
            ),
        ),
        review(
            *GEMINI,
            finding(
                "g1",
                HANDLER,
                W_EXCEPT,
                W_EXCEPT,
                "important",
                "regression",
                "`except OSError` lets ValueError from If-Modified-Since parsing escape",
                "A malformed header crashes the request.",
                lines(HANDLER_HEAD, W_EXCEPT, W_EXCEPT),
            ),
        ),
    ],
    {"groups": [["x1"], ["g1"]]},
)

case(
    "blind-min-severity-merge-before-threshold",
    "appendix: a merged group takes its calibrated severity before the threshold applies",
    "min_severity=important; Claude calls the rotation leak a suggestion, Gemini important, "
    "same defect: the merged finding is important and stays in the main list.",
    *ROT_TREES,
    [
        review(
            *CLAUDE,
            finding(
                "c1",
                ROT,
                R_STREAM,
                R_NONE,
                "suggestion",
                "regression",
                "Stream not closed before rollover",
                "Call close() first.",
                lines(ROT_HEAD, R_STREAM, R_NONE),
            ),
        ),
        review(
            *GEMINI,
            finding(
                "g1",
                ROT,
                R_STREAM,
                R_NONE + 1,
                "important",
                "regression",
                "doRollover leaks the open log file",
                "On Windows the rename of the base file then fails with PermissionError.",
                lines(ROT_HEAD, R_STREAM, R_NONE + 1),
            ),
        ),
    ],
    {"groups": [["c1", "g1"]], "appendix": [], "severity": {"g1": "important"}},
    {"min_severity": "important"},
)

case(
    "blind-separate-contradicting-claims-one-line",
    "separate: two reviewers make opposite claims about the same check",
    "Claude says the prefix check is too lax (accepts SSH-1.99); Gemini says it is too strict. "
    "Same lines, incompatible claims and fixes: never one finding.",
    *PROBE_TREES,
    [
        review(
            *CLAUDE,
            finding(
                "c1",
                PROBE,
                P_PREFIX,
                P_PREFIX + 2,
                "suggestion",
                "enhancement",
                "Probe accepts SSH-1.99 banners",
                "Protocol-1 compatible servers should not count as ready; require SSH-2.0-.",
                lines(PROBE_HEAD, P_PREFIX, P_PREFIX + 2),
            ),
        ),
        review(
            *GEMINI,
            finding(
                "g1",
                PROBE,
                P_PREFIX,
                P_PREFIX + 1,
                "suggestion",
                "regression",
                "Banner prefix check rejects valid vendor banners",
                "Accept any `SSH-` line; the version is negotiated later.",
                lines(PROBE_HEAD, P_PREFIX, P_PREFIX + 1),
            ),
        ),
    ],
    {"groups": [["c1"], ["g1"]]},
)

case(
    "blind-merge-go-wide-and-narrow-leak",
    "merge: one reviewer covers both early returns, another only one; retyped whitespace",
    "Seed 004 I4: Claude's span covers the handshake through vn.Listen (tabs retyped as spaces, "
    "cited 20 lines off); Codex reports only the vn.Listen path. Same leak of ln: one finding.",
    *HS_TREES,
    [
        review(
            *CLAUDE,
            finding(
                "c1",
                HS,
                H_LN + 20,
                H_LISTEN + 23,
                "important",
                "regression",
                "Vsock listener leaked on early returns after the handshake",
                "Neither the virtualnetwork.New nor the vn.Listen failure closes ln.",
                spaces(lines(HS_HEAD, H_LN, H_LISTEN + 4)),
            ),
        ),
        review(
            *CODEX,
            finding(
                "x1",
                HS,
                H_LISTEN,
                H_LISTEN + 3,
                "important",
                "regression",
                "ln not closed when the API listener cannot be created",
                "Close the handshake listener before returning.",
                lines(HS_HEAD, H_LISTEN, H_LISTEN + 3),
            ),
        ),
    ],
    {"groups": [["c1", "x1"]]},
)

case(
    "blind-panel-rotating-python",
    "conservation: two paraphrased pairs, a hallucinated module, an unlocated quote",
    "Claude+Gemini on the dropped close (Gemini cites upstream line numbers and annotates); "
    "Codex+Gemini on the loop bound; Claude's finding in logutil/__init__.py (in neither "
    "tree: dropped); Codex's quote of a gzip rotator this file does not have (appendix).",
    *ROT_TREES,
    [
        review(
            *CLAUDE,
            finding(
                "c1",
                ROT,
                R_STREAM,
                R_NONE,
                "important",
                "regression",
                "Rollover no longer closes the current stream",
                "Leaks a descriptor per rollover.",
                lines(ROT_HEAD, R_STREAM, R_NONE),
            ),
            finding(
                "c2",
                "logutil/__init__.py",
                1,
                12,
                "suggestion",
                "gap",
                "RotatingFileHandler is not exported",
                "Add it to __all__.",
                '__all__ = ["TimedRotatingFileHandler"]',
            ),
        ),
        review(
            *CODEX,
            finding(
                "x1",
                ROT,
                R_LOOP,
                R_LOOP + 2,
                "important",
                "regression",
                "range(self.backupCount, 0, -1) shifts every backup one too far",
                "app.log.N becomes app.log.N+1 and is never deleted.",
                lines(ROT_HEAD, R_LOOP, R_LOOP + 2),
            ),
            finding(
                "x2",
                ROT,
                R_LOOP,
                R_LOOP + 2,
                "suggestion",
                "enhancement",
                "Compress rotated files",
                "The rotator writes uncompressed backups.",
                "with open(source, 'rb') as sf, gzip.open(dest, 'wb') as df:\n"
                "    df.writelines(sf)",
            ),
        ),
        review(
            *GEMINI,
            finding(
                "g1",
                ROT,
                164,
                165,
                "important",
                "regression",
                "Open handle dropped in doRollover",
                "Windows cannot rename an open file.",
                flat(lines(ROT_HEAD, R_STREAM, R_NONE)) + "  # close() removed here",
            ),
            finding(
                "g2",
                ROT,
                168,
                168,
                "important",
                "regression",
                "One extra backup file is kept",
                "The loop should start at backupCount - 1.",
                lines(ROT_HEAD, R_LOOP, R_LOOP),
            ),
        ),
    ],
    {
        "groups": [["c1", "g1"], ["x1", "g2"], ["x2"]],
        "appendix": ["x2"],
        "dropped": {"c2": "does not exist"},
        "location": {"g1": (ROT, R_STREAM, R_NONE)},
    },
)


case(
    "blind-appendix-min-severity-python-handler",
    "appendix: min_severity sends a grounded suggestion and an unlocated finding to the appendix",
    "min_severity=important: Claude's 304 leak stays; Gemini's grounded suggestion on the new "
    "error message goes to the appendix; Codex's important whose quote is not in the file "
    "goes to the appendix as unlocated. Nothing is dropped.",
    *HANDLER_TREES,
    [
        review(
            *CLAUDE,
            finding(
                "c1",
                HANDLER,
                W_304,
                W_304 + 2,
                "important",
                "regression",
                "File not closed before the 304 return",
                "Restore f.close().",
                lines(HANDLER_HEAD, W_304, W_304 + 2),
            ),
        ),
        review(
            *GEMINI,
            finding(
                "g1",
                HANDLER,
                W_EXCEPT + 1,
                W_EXCEPT + 1,
                "suggestion",
                "enhancement",
                "Error text 'Cannot stat file' is vaguer than the cause",
                "Include the errno description in the log, not in the response.",
                lines(HANDLER_HEAD, W_EXCEPT + 1, W_EXCEPT + 1),
            ),
        ),
        review(
            *CODEX,
            finding(
                "x1",
                HANDLER,
                W_EXCEPT,
                W_EXCEPT + 2,
                "important",
                "regression",
                "Symlinks outside the served directory are followed",
                "open() follows links; check realpath against the root.",
                "real = os.path.realpath(path)\nf = open(real, 'rb')",
            ),
        ),
    ],
    {"groups": [["c1"], ["g1"], ["x1"]], "appendix": ["g1", "x1"]},
    {"min_severity": "important"},
)

case(
    "blind-merge-python-three-reviewers-messy-quotes",
    "merge: three reviewers, one exact, one annotated, one flattened and 20 lines off",
    "The swallowed-OSError leak three ways: Claude's exact quote, Codex's with `# <- f leaks`, "
    "Gemini's flattened and cited 20 lines late. One defect, one finding.",
    *HANDLER_TREES,
    [
        review(
            *CLAUDE,
            finding(
                "c1",
                HANDLER,
                W_EXCEPT,
                W_EXCEPT + 2,
                "important",
                "regression",
                "except OSError returns None without closing f",
                "The old bare except closed f and re-raised.",
                lines(HANDLER_HEAD, W_EXCEPT, W_EXCEPT + 2),
            ),
        ),
        review(
            *CODEX,
            finding(
                "x1",
                HANDLER,
                W_EXCEPT - 1,
                W_EXCEPT + 2,
                "important",
                "regression",
                "Descriptor leaked when fstat or header writing fails",
                "Close f in the handler or use try/finally.",
                lines(HANDLER_HEAD, W_EXCEPT - 1, W_EXCEPT)
                + "  # <- f still open\n"
                + lines(HANDLER_HEAD, W_EXCEPT + 1, W_EXCEPT + 2),
            ),
        ),
        review(
            *GEMINI,
            finding(
                "g1",
                HANDLER,
                W_EXCEPT - 20,
                W_EXCEPT - 18,
                "suggestion",
                "regression",
                "Error path no longer releases the file object",
                "send_error then return None leaves f for the garbage collector.",
                flat(lines(HANDLER_HEAD, W_EXCEPT, W_EXCEPT + 2)),
            ),
        ),
    ],
    {"groups": [["c1", "x1", "g1"]], "location": {"g1": (HANDLER, W_EXCEPT, W_EXCEPT + 2)}},
)

case(
    "blind-merge-rotation-bound-upstream-lines",
    "merge: same defect, one reviewer cites upstream line numbers past the end",
    "Codex cites the loop where it is; Claude quotes the same line but cites CPython's line 168. "
    "Both ground to the loop and merge.",
    *ROT_TREES,
    [
        review(
            *CODEX,
            finding(
                "x1",
                ROT,
                R_LOOP,
                R_LOOP,
                "important",
                "regression",
                "Loop bound keeps backupCount + 1 backups",
                "Start the range at backupCount - 1 as before.",
                lines(ROT_HEAD, R_LOOP, R_LOOP),
            ),
        ),
        review(
            *CLAUDE,
            finding(
                "c1",
                ROT,
                168,
                171,
                "important",
                "regression",
                "An extra, never-deleted backup accumulates",
                "The oldest file is renamed to .N+1 instead of being overwritten.",
                lines(ROT_HEAD, R_LOOP, R_LOOP + 3),
            ),
        ),
    ],
    {"groups": [["x1", "c1"]], "location": {"c1": (ROT, R_LOOP, R_LOOP + 3)}},
)

case(
    "blind-merge-zip-slip-pair-beside-other-claim",
    "merge + separate: a paraphrased pair and another claim inside their span",
    "Claude and Gemini report the zip slip (merged); Codex's note on the private "
    "_sanitize_windows_name call sits inside Claude's span but is another claim: kept apart.",
    *EXTRACT_TREES,
    [
        review(
            *CLAUDE,
            finding(
                "c1",
                EXTRACT,
                X_STRIP,
                X_NORM,
                "critical",
                "regression",
                "Zip slip: member names with `..` escape the destination",
                "The filter of '..' components was removed.",
                lines(EXTRACT_HEAD, X_STRIP, X_NORM),
            ),
        ),
        review(
            *GEMINI,
            finding(
                "g1",
                EXTRACT,
                X_STRIP,
                X_STRIP + 1,
                "critical",
                "regression",
                "Directory traversal through crafted archive entries",
                "`lstrip` removes only leading separators; `a/../../x` still climbs out.",
                lines(EXTRACT_HEAD, X_STRIP, X_STRIP + 1),
            ),
        ),
        review(
            *CODEX,
            finding(
                "x1",
                EXTRACT,
                X_STRIP + 1,
                X_STRIP + 3,
                "suggestion",
                "enhancement",
                "Subclass relies on the private `ZipFile._sanitize_windows_name`",
                "A private helper can change between Python versions; copy the logic.",
                lines(EXTRACT_HEAD, X_STRIP + 1, X_STRIP + 3),
            ),
        ),
    ],
    {"groups": [["c1", "g1"], ["x1"]], "severity": {"c1": "critical"}},
)


def main() -> None:
    """Write every case into its half; print the kind table the README carries."""
    names = [c["case"]["name"] for c in CASES]
    assert len(names) == len(set(names)), "case names must be unique"
    for half_dir in ("tune", "frozen"):
        for old in (HERE / half_dir).glob("*.json"):
            old.unlink()
    for entry in CASES:
        body = entry["case"]
        target = HERE / half(body["name"]) / f"{body['name']}.json"
        target.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
    for entry in sorted(CASES, key=lambda e: (half(e["case"]["name"]), e["case"]["name"])):
        name = entry["case"]["name"]
        print(f"| `{name}` | {half(name)} | {entry['kind']} |")


if __name__ == "__main__":
    main()
