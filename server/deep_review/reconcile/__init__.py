"""reconcile stage."""
