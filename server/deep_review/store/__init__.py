"""The review store ``.deep-review/``: reviews, raw agent reviews, cache, dismissals."""

from deep_review.store.atomic import WriteFailed
from deep_review.store.fingerprint import finding_fingerprint
from deep_review.store.store import (
    Dismissal,
    ReviewStore,
    StoreOutsideRepository,
    StoreVersionError,
    cache_key,
)
from deep_review.store.trust import StoreTrust

__all__ = [
    "Dismissal",
    "ReviewStore",
    "StoreOutsideRepository",
    "StoreTrust",
    "StoreVersionError",
    "WriteFailed",
    "cache_key",
    "finding_fingerprint",
]
