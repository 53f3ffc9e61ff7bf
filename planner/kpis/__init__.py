"""Success measures computed from the CRM records: definitions, values, baselines and targets."""
