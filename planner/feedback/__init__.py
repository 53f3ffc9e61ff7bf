"""Staff adoption feedback: ADKAR ratings from members and anonymous survey links, and their results."""
