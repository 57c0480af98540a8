"""Forms of the supplier-facing pages and of the staff admin, one module per concern."""
