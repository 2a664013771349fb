"""Write a VAPID key pair for Web Push into a directory, once (`make run` calls it for var/vapid/)."""

import base64
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from django.core.management.base import BaseCommand, CommandParser
from py_vapid import Vapid  # type: ignore[import-untyped]


class Command(BaseCommand):
    """Generate private_key.pem and public_key.txt (the key browsers subscribe with) unless present."""

    help = "Write a VAPID key pair (private_key.pem, public_key.txt) into a directory unless it holds one."

    def add_arguments(self, parser: CommandParser) -> None:
        """The directory to write into."""
        parser.add_argument("directory", type=Path)

    def handle(self, *args: Any, directory: Path, **options: Any) -> None:
        """Write the pair; keep an existing one (subscriptions made with it stay valid)."""
        private, public = directory / "private_key.pem", directory / "public_key.txt"
        if private.exists() and public.exists():
            return
        directory.mkdir(parents=True, exist_ok=True)
        vapid = Vapid()
        vapid.generate_keys()
        raw = vapid.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        private.touch(mode=0o600)
        private.write_bytes(vapid.private_pem())
        public.write_text(base64.urlsafe_b64encode(raw).decode().rstrip("=") + "\n")
        self.stdout.write(f"Wrote a VAPID key pair for Web Push into {directory}/")
