"""Scheduled reports and reminders: the monthly status report and the annual report (PDF and
XLSX, built from a stored roll-up run and emailed to staff), the reminders to suppliers, and the
logged sending of every email these jobs write."""
