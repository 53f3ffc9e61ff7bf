"""The staged rollout: stages, stage gates and executive sign-off."""
