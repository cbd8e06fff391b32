"""Inbound calls from connected systems: OAuth2 client credentials, scopes per service, the
message log, `Idempotency-Key` replays and rate limits, errors in the LGSP style.

`urls` mounts the token endpoint (`views.token`, django-oauth-toolkit's) and the API
(`api`, a Ninja API of its own) under /lgsp/; `views.logged` logs every call of the API;
`auth` checks the token, the account, its rate and the scope; `errors` lists the codes;
`services` writes (the log row, the tax payment, the accounts); `selectors` reads;
`scopes` gives django-oauth-toolkit the registry's scopes.
"""
