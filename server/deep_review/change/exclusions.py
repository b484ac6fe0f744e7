"""Which changed files are left out of the review, and why (never silently)."""

from __future__ import annotations

from deep_review.change.globs import first_match
from deep_review.config import ChangeConfig

LOCKFILES = (
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lockb",
    "bun.lock",
    "poetry.lock",
    "uv.lock",
    "Pipfile.lock",
    "pdm.lock",
    "Cargo.lock",
    "go.sum",
    "Gemfile.lock",
    "composer.lock",
    "mix.lock",
    "pubspec.lock",
    "Podfile.lock",
    "packages.lock.json",
    "flake.lock",
    "gradle.lockfile",
    "conda-lock.yml",
)

GENERATED = (
    "vendor/",
    "node_modules/",
    "third_party/",
    "dist/",
    "build/",
    "*.min.js",
    "*.min.css",
    "*.map",
    "*_pb2.py",
    "*_pb2.pyi",
    "*_pb2_grpc.py",
    "*.pb.go",
    "*.pb.cc",
    "*.pb.h",
    "*.generated.*",
    "*.g.dart",
)

SECRETS = (
    ".env",
    ".env.*",
    "*.env",
    "*.pem",
    "*.key",
    "*.p12",
    "*.pfx",
    "*.jks",
    "*.keystore",
    "id_rsa*",
    "id_dsa*",
    "id_ecdsa*",
    "id_ed25519*",
    ".npmrc",
    ".pypirc",
    ".netrc",
    ".pgpass",
    ".git-credentials",
    ".htpasswd",
    "credentials",
    "credentials*.json",
    "*credentials.json",
    "service-account*.json",
    "secrets.y*ml",
    "*.tfvars",
    "*.tfstate",
)

# Templates that document variables without values are ordinary, reviewable files.
SECRET_TEMPLATES = (".env.example", ".env.sample", ".env.template", ".env.dist", "*.pub")

GENERATED_MARKERS = ("@generated", "DO NOT EDIT")
_HEADER_LINES = 10
_HEADER_CHARS = 4096


def secret_reason(path: str) -> str | None:
    """Why a path is treated as secret-bearing (its content is never read), if it is."""
    if first_match(SECRET_TEMPLATES, path):
        return None
    pattern = first_match(SECRETS, path)
    if pattern is None:
        return None
    return f"may hold secrets (matches {pattern}); content not read"


def path_reason(path: str, config: ChangeConfig) -> str | None:
    """Why a path is excluded by name alone: configured globs, lockfiles, generated/vendored."""
    custom = first_match(config.exclude, path)
    if custom is not None:
        return f"excluded by configuration ({custom})"
    if first_match(config.include, path):
        return None
    lock = first_match(LOCKFILES, path)
    if lock is not None:
        return "lockfile"
    generated = first_match(GENERATED, path)
    if generated is not None:
        return f"generated or vendored (matches {generated})"
    return None


def size_reason(size: int, config: ChangeConfig) -> str | None:
    """Why a file is too large to review, if it is."""
    if size <= config.max_file_bytes:
        return None
    return f"larger than the {_kib(config.max_file_bytes)} cap ({_kib(size)})"


def header_reason(path: str, text: str, config: ChangeConfig) -> str | None:
    """Why a file is generated according to its own header, if it says so."""
    if first_match(config.include, path):
        return None
    head = "\n".join(text[:_HEADER_CHARS].split("\n", _HEADER_LINES)[:_HEADER_LINES])
    for marker in GENERATED_MARKERS:
        if marker in head:
            return f"generated (header says {marker!r})"
    return None


def _kib(size: int) -> str:
    return f"{size / 1024:.0f} KiB" if size >= 1024 else f"{size} B"
