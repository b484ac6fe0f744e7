"""Deep Review: a panel of AI reviewers over the local branch diff, reconciled into one list."""

__version__ = "0.1.0"
