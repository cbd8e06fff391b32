"""The Content-Security-Policy and the Permissions-Policy, on every response of the site.

Django 5.2 has neither, so this middleware sets both from the settings (`MOTCUA_CSP`,
`MOTCUA_PERMISSIONS_POLICY`; the README's table): pages, their htmx partials, the admin at
/quan-tri/, the API's JSON and its docs at /api/v1/docs, the error pages and, as the first
middleware, the static files WhiteNoise answers before any other middleware runs. A response
that already carries a header keeps it. An empty setting sends no header (for a reverse proxy
that sets its own). `SecurityMiddleware` sends the others: X-Content-Type-Options: nosniff,
Referrer-Policy: same-origin, Cross-Origin-Opener-Policy; X-Frame-Options: DENY comes from
`XFrameOptionsMiddleware`.

What the default policy allows, and why that is enough:

- scripts only from our own static files (`script-src 'self'`): no inline <script>, no on*=
  attributes, no javascript: addresses, no eval. Templates mark what a script should do with
  data attributes (`data-confirm`, `data-print`, `data-fill` ...) and core/site.js or the
  page's own file acts on them; tests/core/test_security_headers.py fails on a template that
  brings an inline script or handler back. htmx runs with `allowEval` off and its indicator
  <style> left out (the `htmx-config` meta element in base.html; site.css has the indicator's
  rules). The API docs are Ninja's Swagger page, which keeps its settings in a JSON data block
  and starts from a static file (ninja/swagger-ui-init.js), so it needs nothing more.
- styles only from our own static files (`style-src 'self'`, no 'unsafe-inline'): the few
  style="..." attributes the pages had became classes in the apps' CSS. A script may still set
  `element.style` (the CSS object model is not what CSP blocks), which Swagger UI and the
  admin's widgets do. The printable forms (dossiers/templates/dossiers/forms/) keep their
  <style> and style attributes: WeasyPrint renders them to PDF, no browser ever loads them as
  a page. The admin's change list adds a <style> only for a model admin that turns off both
  `actions_on_top` and `actions_on_bottom`, which none of ours does.
- images from us and `data:` addresses (the icons Pico, the admin and Swagger UI draw in their
  CSS); fonts, fetches (htmx, Swagger's openapi.json) and form posts to us alone. Signing in
  with VNeID leaves by a link and a redirect, never a form, so `form-action 'self'` holds.
- the PDFs the site prints open in the browser's own viewer under this same policy (tried by
  hand with Chromium 156). Older Chrome refused its viewer's <embed> under `object-src
  'none'` (crbug.com/271452); should a browser still do so, the PDF responses need a policy
  of their own, set where they are made (a response's own header wins, see above).
- nothing may frame a page (`frame-ancestors 'none'`, as X-Frame-Options: DENY says to older
  browsers), `<base>` may not move relative addresses elsewhere, and no plug-ins.

The Permissions-Policy turns off the browser features no page uses (no page scans with the
camera or asks where the person is), so a script that got in anyway could not use them.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

CSP_HEADER = "Content-Security-Policy"
PERMISSIONS_HEADER = "Permissions-Policy"


class SecurityHeadersMiddleware:
    """Adds the site's Content-Security-Policy and Permissions-Policy to each response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.headers = {
            CSP_HEADER: settings.MOTCUA_CSP.strip(),
            PERMISSIONS_HEADER: settings.MOTCUA_PERMISSIONS_POLICY.strip(),
        }

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        for name, value in self.headers.items():
            if value and not response.has_header(name):
                response[name] = value
        return response
