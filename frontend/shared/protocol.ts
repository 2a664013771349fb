// The protocol's frames and objects (docs/protocol.md, v1), as generated from docs/protocol.schema.json
// into protocol.gen.ts (`npm run gen:protocol`): clients import them from here, so a protocol change
// they do not follow fails `tsc`. Below: only what the schema has no name for.

import type { AgentClientFrame, AgentServerFrame, Message, VisitorClientFrame, VisitorServerFrame } from "./protocol.gen";

export type * from "./protocol.gen";

/** Who wrote a message. */
export type Author = Message["author"];

/** Every frame a client sends, discriminated by `type`. */
export type ClientFrame = VisitorClientFrame | AgentClientFrame;

/** Every frame the server sends, discriminated by `type`. */
export type ServerFrame = VisitorServerFrame | AgentServerFrame;
