"""Writes docs/protocol.schema.json, every protocol model under `$defs` (`--check`: is it fresh?)."""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter
from pydantic.json_schema import DefsRef, GenerateJsonSchema

from server.protocol import frames, objects

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "protocol.schema.json"
REGENERATE = "python -m server.protocol.schema"

# Named unions: each a `$defs` entry of its own (a TypeScript union type), besides its members.
UNIONS: dict[str, Any] = {
    "VisitorClientFrame": frames.VisitorClientFrame,
    "AgentClientFrame": frames.AgentClientFrame,
    "VisitorServerFrame": frames.VisitorServerFrame,
    "AgentServerFrame": frames.AgentServerFrame,
}
MODELS: list[type[Any]] = [
    objects.Message,
    objects.Conversation,
    objects.ConversationSummary,
    objects.VisitorInfo,
    objects.SiteInfo,
    frames.SessionRequest,
    frames.SessionResponse,
    frames.WidgetConfig,
    frames.HttpError,
]


class _Generator(GenerateJsonSchema):
    """Pydantic's generator without per-field titles, which TypeScript generators turn into extra types."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        """Never: a field is named by its key."""
        return False


def build_schema() -> dict[str, Any]:
    """The protocol's JSON Schema document."""
    inputs = [(name, "validation", TypeAdapter(union).core_schema) for name, union in UNIONS.items()]
    inputs += [(model.__name__, "validation", TypeAdapter(model).core_schema) for model in MODELS]
    refs, defs = _Generator(ref_template="#/$defs/{model}").generate_definitions(inputs)  # type: ignore[arg-type]
    for name in UNIONS:
        defs[DefsRef(name)] = {"title": name, **refs[(name, "validation")]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Parley wire protocol v1",
        "description": f"Generated from server/protocol/ by `{REGENERATE}`; docs/protocol.md explains it.",
        "$defs": dict(sorted(defs.items())),
    }


def render() -> str:
    """The schema document as written to docs/protocol.schema.json."""
    return json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the schema, or with --check say whether the written one is stale (exit 1)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 when the file is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if not SCHEMA_PATH.exists() or SCHEMA_PATH.read_text(encoding="utf-8") != text:
            print(f"{SCHEMA_PATH.name} is stale: run {REGENERATE}", file=sys.stderr)
            return 1
        return 0
    SCHEMA_PATH.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
