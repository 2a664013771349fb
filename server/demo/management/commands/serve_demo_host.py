"""Serve the demo shop: a page on a second origin that embeds the widget with the public embed code."""

from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.template.loader import render_to_string

from server.demo.selectors import demo_site
from server.sites.identity import sign_user_id
from server.sites.selectors import embed_code


class DemoShopHandler(BaseHTTPRequestHandler):
    """Answers the shop page and its stylesheet, under a strict Content-Security-Policy."""

    def __init__(self, *args: Any, pages: dict[str, tuple[str, bytes]], csp: str, **kwargs: Any) -> None:
        self.pages = pages
        self.csp = csp
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        """Serve a page, or 404."""
        path = self.path.split("?", 1)[0]
        page = self.pages.get(path)
        if page is None:
            self.send_error(404)
            return
        content_type, body = page
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", self.csp)
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the terminal for the server's own log."""


class Command(BaseCommand):
    help = "Serve the demo shop page (which embeds the Parley widget) on a second origin."

    def add_arguments(self, parser: CommandParser) -> None:
        """Declare the options."""
        parser.add_argument("--port", type=int, default=8001)
        parser.add_argument("--bind", default="127.0.0.1")

    def handle(self, *args: Any, **options: Any) -> None:
        """Render the shop once and serve it until interrupted."""
        server_url = settings.PARLEY_PUBLIC_URL
        socket_url = "ws" + server_url[len("http") :]
        site = demo_site()
        code = embed_code(site=site, server_url=server_url)
        # The demo's signed-in customer, verified as a shop's server would (docs/identity.md).
        account = {"user_id": "demo-ann", "name": "Ann Example", "email": "ann@example.com"}
        account["user_hash"] = sign_user_id(secret=site.identity_secret, user_id=account["user_id"])

        def shop(**context: object) -> tuple[str, bytes]:
            html = render_to_string("demo/shop.html", {"embed_code": code, **context})
            return ("text/html; charset=utf-8", html.encode())

        pages = {
            "/": shop(),
            "/account/": shop(account=account),
            "/signed-out/": shop(signed_out=True),
            "/shop.css": ("text/css; charset=utf-8", render_to_string("demo/shop.css").encode()),
            "/identity.js": ("text/javascript; charset=utf-8", render_to_string("demo/identity.js").encode()),
        }
        # The widget must work on sites with a strict CSP: no inline script or style anywhere.
        csp = (
            f"default-src 'self'; script-src 'self' {server_url}; style-src 'self'; img-src 'self' data:; "
            f"connect-src 'self' {server_url} {socket_url}; base-uri 'none'; frame-ancestors 'none'"
        )
        handler = partial(DemoShopHandler, pages=pages, csp=csp)
        httpd = ThreadingHTTPServer((options["bind"], options["port"]), handler)
        self.stdout.write(
            f"Demo shop on http://localhost:{options['port']}/ (embeds the widget from {server_url})"
        )
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            httpd.server_close()
