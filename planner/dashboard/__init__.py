"""The executive dashboard: every project a sponsor (or manager, or administrator) follows, with
its stage, health and reasons, pending sign-offs, cost against benefits and adoption trends."""
