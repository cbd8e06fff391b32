"""Stand-ins for four national systems that MotCua talks to, on one small HTTP server.

- DVCQG: the National Public Service Portal (dossier sync, OAuth2 client credentials).
- CSDLDC: the National Population Database (citizen lookup, API key).
- HOTICH: the Ministry of Justice civil-status software (registration, HTTP Basic).
- THUE: the tax authority's financial obligations for land dossiers (OAuth2).

Beside them the demo's own stand-ins: VNeID sign-in, an SMS gateway, Zalo ZNS and MAIL, the
mailbox that shows the site's e-mail in `make demo` (page "Hộp thư demo").

Standard library only, state in memory. Start it with `python -m sims`, or from tests with
`sims.server.start_in_thread()`. Every endpoint, credential and knob is in `sims/README.md`.
"""
