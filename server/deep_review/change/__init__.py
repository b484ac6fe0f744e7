"""change stage."""
