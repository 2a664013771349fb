"""docs/protocol.schema.json and frontend/shared/protocol.gen.ts are what server/protocol/ generates."""

import shutil
import subprocess
from pathlib import Path

import pytest

from server.protocol import schema

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
GENERATED_TS = FRONTEND / "shared" / "protocol.gen.ts"


def test_the_schema_file_is_fresh():
    """The committed JSON Schema is what the models say."""
    written = schema.SCHEMA_PATH.read_text(encoding="utf-8")
    assert written == schema.render(), (
        "docs/protocol.schema.json is stale: run python -m server.protocol.schema"
    )


def test_check_exits_1_when_stale(tmp_path, monkeypatch, capsys):
    """`python -m server.protocol.schema --check` fails on a stale file and says how to fix it."""
    stale = tmp_path / "protocol.schema.json"
    stale.write_text("{}\n", encoding="utf-8")
    monkeypatch.setattr(schema, "SCHEMA_PATH", stale)
    assert schema.main(["--check"]) == 1
    assert "run python -m server.protocol.schema" in capsys.readouterr().err
    assert schema.main([]) == 0
    assert schema.main(["--check"]) == 0


def test_every_model_has_its_own_definition():
    """Each frame, object and HTTP body is a `$defs` entry of its name, the four unions too."""
    defs = schema.build_schema()["$defs"]
    for name in ("VisitorClientFrame", "AgentClientFrame", "VisitorServerFrame", "AgentServerFrame"):
        assert "oneOf" in defs[name]
    for name in ("Hello", "VisitorMessageSend", "AgentMessageSend", "MessageNew", "MessageAck", "ErrorFrame"):
        assert defs[name]["title"] == name
    for name in ("VisitorReady", "AgentReady", "ConversationOpened", "InboxUpdate", "Message", "HttpError"):
        assert defs[name]["additionalProperties"] is False


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_typescript_types_are_fresh(tmp_path):
    """The committed protocol.gen.ts is what `npm run gen:protocol` writes from the schema."""
    if not (FRONTEND / "node_modules" / "json-schema-to-typescript").exists():
        pytest.skip("frontend dependencies are not installed (cd frontend && npm ci)")
    out = tmp_path / "protocol.gen.ts"
    subprocess.run(
        ["node", "scripts/gen-protocol.mjs", "--out", str(out)], cwd=FRONTEND, check=True, timeout=60
    )
    assert GENERATED_TS.read_text(encoding="utf-8") == out.read_text(encoding="utf-8"), (
        "frontend/shared/protocol.gen.ts is stale: run python -m server.protocol.schema, then "
        "cd frontend && npm run gen:protocol"
    )
