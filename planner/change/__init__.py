"""Change-management tasks and the quick-win register."""
