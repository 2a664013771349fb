// Writes shared/protocol.gen.ts, the protocol's TypeScript types, from docs/protocol.schema.json (which
// `python -m server.protocol.schema` writes from server/protocol/): `npm run gen:protocol`.
// `node scripts/gen-protocol.mjs --out FILE` writes elsewhere (the freshness test compares the two).
import { compile } from "json-schema-to-typescript";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const schemaPath = join(root, "..", "docs", "protocol.schema.json");
const outFlag = process.argv.indexOf("--out");
const outPath = outFlag >= 0 ? process.argv[outFlag + 1] : join(root, "shared", "protocol.gen.ts");

const schema = JSON.parse(readFileSync(schemaPath, "utf8"));
const source = await compile(schema, "ParleyProtocol", {
  bannerComment:
    "// Generated from docs/protocol.schema.json by `npm run gen:protocol` (frontend/scripts/gen-protocol.mjs).\n" +
    "// Do not edit: change server/protocol/, run `python -m server.protocol.schema`, then regenerate.",
  // One exported type per $defs entry, named by its title.
  unreachableDefinitions: true,
  // Exact object types: what the schema does not list is not there (client frames may carry no more).
  additionalProperties: false,
  format: true,
  strictIndexSignatures: true,
});
// The document itself is no type: only its definitions are.
const rootDeclaration = /\/\*\*\n(?: \*.*\n)*? \*\/\nexport interface ParleyWireProtocolV1 \{\n[^}]*\}\n/;
if (!rootDeclaration.test(source)) throw new Error("gen-protocol: the schema's root declaration was not found");
const unreferenced = source
  .replace(rootDeclaration, "")
  // json-schema-to-typescript notes in each definition's comment that the (dropped) root refers to it.
  .replace(/(\n \*)?\n \* This interface was referenced by [^\n]*\n \* via the [^\n]*/g, "")
  .replace(/\/\*\*\n \*\/\n/g, "");
writeFileSync(outPath, unreferenced);
