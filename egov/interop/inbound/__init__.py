"""Inbound calls from connected systems: OAuth2 client credentials, scopes per service, the
message log, `Idempotency-Key` replays and rate limits, errors in the LGSP style."""
