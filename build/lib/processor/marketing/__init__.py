"""Marketing to organizers only: recorded opt-in consent, an audience of those who opted in, unsubscribe links."""
