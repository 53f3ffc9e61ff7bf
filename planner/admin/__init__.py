"""Administration: user accounts and their global roles."""
