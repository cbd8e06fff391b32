"""Adapters: one module per outside system, the only code that talks HTTP to the outside
(ruff's banned-api keeps `httpx` and friends out of every other module). They build and read
the partner's payloads and call `http.call`; they never write our tables — the services that
call them do (`egov.interop.services.delivery` says which adapter delivers each topic)."""
