"""Simplified Chinese number format: Django's own groups digits by four with no separator, so
12345678 shows as one run of digits; Chinese business documents group by three with commas."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
