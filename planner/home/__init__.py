"""A member's own page ("My work"): the feedback wanted from them for the stage their team is in,
their open tasks, and the quick wins to celebrate. Staff land on it after signing in."""
