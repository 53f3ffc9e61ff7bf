"""Implementation projects, their members and project-level roles, and per-project access."""
