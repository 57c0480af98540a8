"""Views of the supplier-facing pages, one module per concern; each view is thin."""
