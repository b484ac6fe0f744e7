"""Secret redaction: what a model provider must never see, and ordinary code left alone."""

from __future__ import annotations

import random
import string
import uuid

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from deep_review.model import WithheldSecret
from deep_review.panel.redact import Redactor, looks_random, shannon_entropy

# Fake secrets are assembled at run time so no secret scanner trips over this file.
_rng = random.Random(7)


def token(alphabet: str, length: int) -> str:
    return "".join(_rng.choice(alphabet) for _ in range(length))


ALNUM = string.ascii_letters + string.digits
UPPER_DIGITS = string.ascii_uppercase + string.digits
AWS_ACCESS = "AKIA" + "Q7" + token(UPPER_DIGITS, 14)
AWS_SECRET = token(ALNUM + "/+", 38) + "x9"
GITHUB = "ghp_" + token(ALNUM, 36)
GITHUB_OAUTH = "gho_" + token(ALNUM, 36)
GITHUB_PAT = "github_pat_" + token(ALNUM + "_", 60)
SLACK = "xoxb-" + "1234567890-" + token(ALNUM, 24)
GOOGLE = "AIza" + token(ALNUM + "_-", 35)
ANTHROPIC = "sk-ant-api03-" + token(ALNUM + "_-", 80)
OPENAI = "sk-proj-" + token(ALNUM, 60) + "7"
OPENAI_LEGACY = "sk-" + token(ALNUM, 47) + "3"
STRIPE = "sk_live_" + token(ALNUM, 24)
JWT = "eyJhbGciOiJIUzI1NiJ9." + "eyJzdWIiOiIxMjM0NTY3ODkwIn0." + token(ALNUM + "_-", 43)
HIGH_ENTROPY = token(ALNUM, 20) + "4q"


@pytest.mark.parametrize(
    ("line", "secret", "kind"),
    [
        (f"aws_access_key_id = {AWS_ACCESS}", AWS_ACCESS, "aws-access-key"),
        (f'AWS_SECRET_ACCESS_KEY="{AWS_SECRET}"', AWS_SECRET, "aws-secret-key"),
        (f"token: {GITHUB}", GITHUB, "github-token"),
        (f"GH={GITHUB_OAUTH}", GITHUB_OAUTH, "github-token"),
        (f"auth = '{GITHUB_PAT}'", GITHUB_PAT, "github-token"),
        (f"slack_hook({SLACK!r})", SLACK, "slack-token"),
        (f"const key = '{GOOGLE}';", GOOGLE, "google-api-key"),
        (f"client = Anthropic(api_key='{ANTHROPIC}')", ANTHROPIC, "anthropic-key"),
        (f'OpenAI(api_key="{OPENAI}")', OPENAI, "openai-key"),
        (f"openai.api_key = '{OPENAI_LEGACY}'", OPENAI_LEGACY, "openai-key"),
        (f"stripe.api_key = {STRIPE!r}", STRIPE, "stripe-key"),
        (f"headers = {{'x': '{JWT}'}}", JWT, "jwt"),
        (f"Authorization: Bearer {HIGH_ENTROPY}", HIGH_ENTROPY, "bearer-token"),
        (f"url = 'postgres://app:{HIGH_ENTROPY}@db:5432/app'", HIGH_ENTROPY, "url-password"),
    ],
)
def test_token_formats_are_redacted(line: str, secret: str, kind: str) -> None:
    redactor = Redactor()
    out = redactor.redact(line + "\n", "src/settings.py")
    assert secret not in out
    assert f"[REDACTED:{kind}]" in out
    assert redactor.withheld == [WithheldSecret(path="src/settings.py", line=1, kind=kind)]


@pytest.mark.parametrize(
    "line",
    [
        f"SERVICE_API_KEY = '{HIGH_ENTROPY}'",
        f'export GITLAB_TOKEN="{HIGH_ENTROPY}"',
        f"DEPLOY_TOKEN={HIGH_ENTROPY}",
        f'{{"client_secret": "{HIGH_ENTROPY}"}}',
        f"  signing_secret: {HIGH_ENTROPY}",
        f'config["api_key"] = "{HIGH_ENTROPY}"',
        f'apiKey := "{HIGH_ENTROPY}"',
        f'password: str = "{HIGH_ENTROPY}"',
        f"DB_PASSWORD={HIGH_ENTROPY}",
    ],
)
def test_high_entropy_values_assigned_to_secret_names(line: str) -> None:
    redactor = Redactor()
    out = redactor.redact(line)
    assert HIGH_ENTROPY not in out
    assert "[REDACTED:" in out
    assert len(redactor.withheld) == 1


def test_password_literals_with_mixed_characters_are_redacted() -> None:
    redactor = Redactor()
    out = redactor.redact('db_password = "Tr0ub4dor&3"\nPASSWD: "hunter22"\n', "cfg.py")
    assert "Tr0ub4dor" not in out and "hunter22" not in out
    assert [w.line for w in redactor.withheld] == [1, 2]
    assert {w.kind for w in redactor.withheld} == {"password"}


def test_multiline_private_key_block_is_redacted_line_by_line() -> None:
    body = [token(ALNUM + "/+", 64) for _ in range(3)]
    text = (
        "\n".join(
            [
                "key = '''",
                "-----BEGIN RSA PRIVATE KEY-----",
                *body,
                "-----END RSA PRIVATE KEY-----",
                "'''",
                "after = 1",
            ]
        )
        + "\n"
    )
    redactor = Redactor()
    out = redactor.redact(text, "keys.py", first_line=10)
    assert not any(chunk in out for chunk in body)
    assert out.count("\n") == text.count("\n")
    assert "-----BEGIN RSA PRIVATE KEY-----" in out and "after = 1" in out
    assert redactor.withheld == [WithheldSecret(path="keys.py", line=11, kind="private-key")]


def test_private_key_in_a_diff_keeps_the_diff_shape() -> None:
    body = token(ALNUM, 64)
    diff = (
        "diff --git a/deploy/key.txt b/deploy/key.txt\n"
        "--- a/deploy/key.txt\n+++ b/deploy/key.txt\n@@ -1,1 +1,4 @@\n context\n"
        f"+-----BEGIN OPENSSH PRIVATE KEY-----\n+{body}\n+-----END OPENSSH PRIVATE KEY-----\n"
    )
    redactor = Redactor()
    out = redactor.redact_diff(diff)
    assert body not in out
    assert out.splitlines()[6] == "+[REDACTED:private-key]"
    assert redactor.withheld == [WithheldSecret(path="deploy/key.txt", line=2, kind="private-key")]


def test_escaped_single_line_private_key_is_redacted() -> None:
    body = token(ALNUM, 40)
    line = f'PEM = "-----BEGIN PRIVATE KEY-----\\n{body}\\n-----END PRIVATE KEY-----\\n"'
    out = Redactor().redact(line)
    assert body not in out and "[REDACTED:private-key]" in out


def test_diff_secrets_are_recorded_at_file_lines() -> None:
    diff = (
        "diff --git a/app/config.py b/app/config.py\n"
        "--- a/app/config.py\n+++ b/app/config.py\n@@ -10,3 +10,4 @@ class Settings:\n"
        " a = 1\n"
        "-old = 2\n"
        f"+GITHUB = '{GITHUB}'\n"
        " b = 3\n"
        "diff --git a/b.py b/b.py\nnew file mode 100644\n--- /dev/null\n+++ b/b.py\n"
        f"@@ -0,0 +1,2 @@\n+x = 1\n+STRIPE = '{STRIPE}'\n"
    )
    redactor = Redactor()
    out = redactor.redact_diff(diff)
    assert GITHUB not in out and STRIPE not in out
    assert redactor.withheld == [
        WithheldSecret(path="app/config.py", line=11, kind="github-token"),
        WithheldSecret(path="b.py", line=2, kind="stripe-key"),
    ]


def test_repeated_reads_record_each_secret_once() -> None:
    redactor = Redactor()
    for _ in range(3):
        redactor.redact(f"GH = '{GITHUB}'\n", "a.py")
    assert len(redactor.withheld) == 1


ORDINARY_CODE = f"""
import hashlib
from typing import Any

API_KEY_ENV = "ANTHROPIC_API_KEY"
token = os.environ.get("GITHUB_TOKEN")
password = getpass.getpass("Password: ")
secret_key = settings.SECRET_KEY
access_token = self.refresh_access_token()
PASSWORD_FIELD = "password_field"
password = ""
pwd = os.getcwd()
TOKEN_TTL_SECONDS = 3600
api_key: str | None = None
commit = "{"a1" * 20}"
base_sha = "0123456789abcdef0123456789abcdef01234567"
request_id = "{uuid.UUID(int=_rng.getrandbits(128))}"
url = "https://example.com/api/v1/users?page=2"
skip_learning_rate_scheduler_flag = True
def get_secret_from_vault(name: str) -> Any: ...
checksum = hashlib.sha256(data).hexdigest()
password = "changeme"
DATABASE_URL = "postgres://app@localhost:5432/app"
"""


def test_ordinary_code_is_left_alone() -> None:
    redactor = Redactor()
    assert redactor.redact(ORDINARY_CODE, "app.py") == ORDINARY_CODE
    assert redactor.withheld == []


def test_blame_style_lines_with_shas_are_left_alone() -> None:
    sha = "9fceb02d0ae598e95dc970b74767f19372d61af8"
    line = f"{sha[:12]} Ada Author 2024-01-02    12 | return compute(x)"
    assert Redactor().redact(line) == line
    assert Redactor().redact(f"commit {sha}\n") == f"commit {sha}\n"


def test_uuid_is_secret_only_when_assigned_to_a_secret_name() -> None:
    value = str(uuid.UUID(int=_rng.getrandbits(128)))
    redactor = Redactor()
    assert redactor.redact(f"trace_id = '{value}'") == f"trace_id = '{value}'"
    assert value not in redactor.redact(f"API_TOKEN = '{value}'")


def test_entropy_helpers() -> None:
    assert shannon_entropy("aaaa") == 0.0
    assert shannon_entropy("abcd") == 2.0
    assert looks_random(HIGH_ENTROPY)
    assert not looks_random("get_password_from_vault")
    assert not looks_random("/usr/local/lib/python3.11")
    assert not looks_random("short1A")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=string.ascii_letters + string.digits + " _.,()=:'\"\n", max_size=300))
def test_redaction_is_idempotent_and_keeps_line_count(text: str) -> None:
    once = Redactor().redact(text)
    assert Redactor().redact(once) == once
    assert once.count("\n") == text.count("\n")


@settings(max_examples=100, deadline=None)
@given(
    name=st.sampled_from(["API_KEY", "auth_token", "clientSecret", "DB_PASSWORD", "stripe_key"]),
    value=st.text(alphabet=ALNUM, min_size=24, max_size=64).filter(
        lambda v: (
            any(c.isdigit() for c in v)
            and any(c.isalpha() for c in v)
            and shannon_entropy(v) >= 3.6
        )
    ),
    style=st.sampled_from(['{n} = "{v}"', "{n}={v}", '"{n}": "{v}"', "{n}: {v}", "{n} := '{v}'"]),
)
# Found by this test: a password that reads partly like words.
@example(name="DB_PASSWORD", value="0000112AAaABBCCDEFGHIJ12", style="{n}={v}")
def test_random_values_assigned_to_secret_names_never_leak(
    name: str, value: str, style: str
) -> None:
    out = Redactor().redact(style.format(n=name, v=value))
    assert value not in out


def test_documentation_examples_and_code_references_are_left_alone() -> None:
    text = (
        "e.g. `pass` in `https://user:pass@host:port/path?query#fragment`\n"
        "our_role: If you're implementing a client, pass :data:`h11.CLIENT`.\n"
        "RegEnumKey = win32api.RegEnumKey\n"
        "url = 'https://${USER}:${PASSWORD}@example.com'\n"
    )
    redactor = Redactor()
    assert redactor.redact(text) == text
    assert redactor.withheld == []


def test_a_pem_marker_constant_alone_redacts_nothing() -> None:
    text = (
        '_SK_START = b"-----BEGIN OPENSSH PRIVATE KEY-----"\n'
        "def load_private_key_from_somewhere(data):\n"
        "    return parse_structure(data)\n"
        '_SK_END = b"-----END OPENSSH PRIVATE KEY-----"\n'
    )
    redactor = Redactor()
    assert redactor.redact(text) == text
    assert redactor.withheld == []


def test_encrypted_pem_headers_do_not_end_the_block() -> None:
    body = [token(ALNUM, 64), token(ALNUM, 12) + "=="]
    text = (
        "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00FF\n\n"
        f"{body[0]}\n{body[1]}\n-----END RSA PRIVATE KEY-----\n"
    )
    out = Redactor().redact(text)
    assert body[0] not in out and body[1] not in out
    assert "Proc-Type: 4,ENCRYPTED" in out


@settings(max_examples=200, deadline=None)
@given(
    secret=st.sampled_from(
        [
            AWS_ACCESS,
            GITHUB,
            GITHUB_OAUTH,
            GITHUB_PAT,
            SLACK,
            GOOGLE,
            ANTHROPIC,
            OPENAI,
            OPENAI_LEGACY,
            STRIPE,
            JWT,
        ]
    ),
    before=st.text(alphabet=" \t\"'=:,;({[<>\n#", max_size=8),
    after=st.text(alphabet=" \t\"',;)}]>\n#", max_size=8),
    context=st.sampled_from(["", "x = ", "key: ", "+", "-  ", "export T=", "url?token="]),
)
def test_token_shaped_secrets_never_leak_whatever_surrounds_them(
    secret: str, before: str, after: str, context: str
) -> None:
    text = f"{context}{before}{secret}{after}"
    assert secret not in Redactor().redact(text)
    assert secret not in Redactor().redact_diff(text)
