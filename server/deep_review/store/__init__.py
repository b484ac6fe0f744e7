"""The review store ``.deep-review/``: reviews, raw agent reviews, cache, dismissals."""

from deep_review.store.fingerprint import finding_fingerprint
from deep_review.store.store import (
    Dismissal,
    ReviewStore,
    StoreOutsideRepository,
    StoreVersionError,
    cache_key,
)

__all__ = [
    "Dismissal",
    "ReviewStore",
    "StoreOutsideRepository",
    "StoreVersionError",
    "cache_key",
    "finding_fingerprint",
]
