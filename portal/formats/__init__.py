"""Overrides of Django's locale formats (FORMAT_MODULE_PATH); only the settings named are changed."""
