// Frames from the agent socket, routed by `type` to one handler each; unknown types are ignored.

import type { AgentServerFrame } from "../shared/protocol";

export type FrameType = AgentServerFrame["type"];
export type FrameOf<T extends FrameType> = Extract<AgentServerFrame, { type: T }>;

/** A handler per frame type (`pong` is answered inside the connection). */
export type FrameHandlers = { [T in Exclude<FrameType, "pong">]: (frame: FrameOf<T>) => void };

/** Calls the handler of the frame's type; returns whether there was one. */
export function dispatch(handlers: FrameHandlers, frame: { type: string }): boolean {
  if (!Object.prototype.hasOwnProperty.call(handlers, frame.type)) return false;
  const handler = handlers[frame.type as keyof FrameHandlers] as (frame: unknown) => void;
  handler(frame);
  return true;
}
