"""Home, health check and the static assets that come from Python packages."""
