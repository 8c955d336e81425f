"""Service clients: internal services (and organizers' own integrations) that call the API with a token."""
