"""The three-year total cost of ownership and return on investment model of a project."""
