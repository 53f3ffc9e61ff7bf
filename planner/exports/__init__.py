"""Exports: a project's data as CSV and XLSX in the reader's language, and a private iCalendar feed
of stage dates and task due dates for each member's calendar app."""
