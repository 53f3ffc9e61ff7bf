"""CRM records (accounts, contacts, interactions, service cases, opportunities) and their import."""
