"""Create the demo site and demo agent, and print how to reach them."""

import secrets
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from server.demo.actions import do_set_up_demo
from server.sites.selectors import embed_code


class Command(BaseCommand):
    help = "Create (or refresh) the demo site and demo agent, and print the console URL and credentials."

    def add_arguments(self, parser: CommandParser) -> None:
        """Declare the options."""
        parser.add_argument(
            "--host-origin",
            action="append",
            dest="host_origins",
            help="Origin of the page that embeds the widget (repeatable). Default: the demo shop, port 8001.",
        )
        parser.add_argument("--username", default="demo")
        parser.add_argument("--password", default=None, help="Default: a new random password, printed.")

    def handle(self, *args: Any, **options: Any) -> None:
        """Set up the demo and print its URLs and credentials."""
        host_origins = options["host_origins"] or ["http://localhost:8001", "http://127.0.0.1:8001"]
        password = options["password"] or secrets.token_urlsafe(9)
        demo = do_set_up_demo(host_origins=host_origins, username=options["username"], password=password)
        public = settings.PARLEY_PUBLIC_URL
        lines = [
            ("Demo shop (a second origin)", f"{host_origins[0]}/"),
            ("Agent console", f"{public}/console/"),
            ("Agent login", f"{options['username']} / {password}"),
            ("Site settings and team", f"{public}/owner/ (same login: the demo agent owns the demo site)"),
            ("Admin (sites, agents)", f"{public}/admin/ (same login)"),
            ("Site key", demo.site.public_key),
            ("Embed code", embed_code(site=demo.site, server_url=public)),
        ]
        width = max(len(label) for label, _ in lines) + 2
        self.stdout.write(
            "\n".join(
                [
                    "",
                    "Parley demo is ready.",
                    # A value of several lines (the embed code) keeps its column.
                    *(
                        f"  {label + ':':<{width}}" + value.replace("\n", "\n" + " " * (width + 2))
                        for label, value in lines
                    ),
                    "",
                ]
            )
        )
