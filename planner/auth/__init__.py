"""Sign-in, sign-out, sessions and the user's own account settings."""
