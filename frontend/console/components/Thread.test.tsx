// @vitest-environment happy-dom
import { act } from "preact/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { message, mountConsole, ready, summary } from "../testing";

let unmount = (): void => {};
afterEach(() => unmount());

describe("Thread", () => {
  it("builds http(s) and mailto links as elements, and leaves markup and other schemes as text", () => {
    const setup = mountConsole();
    unmount = setup.unmount;
    const { root, socket } = setup;
    const body = 'Docs: https://x.test/a_(b). Mail mailto:help@x.test or <a href="javascript:alert(1)">javascript:alert(1)</a>';
    const first = message({ seq: 1, body });
    act(() => socket.receive(ready(summary({ last_seq: 1, last_message: first }))));
    act(() => root.querySelector<HTMLButtonElement>('[data-console="conversation"]')!.click());
    act(() =>
      socket.receive({ type: "conversation.opened", conversation: summary({ last_seq: 1, last_message: first }), messages: [first], has_more: false, activity: [] }),
    );
    const bodyNode = root.querySelector('[data-console="thread"] [data-seq="1"] .message-body')!;
    expect(bodyNode.textContent).toBe(body);
    const anchors = [...bodyNode.querySelectorAll("a")];
    expect(anchors.map((a) => [a.getAttribute("href"), a.textContent, a.getAttribute("rel"), a.getAttribute("target")])).toEqual([
      ["https://x.test/a_(b)", "https://x.test/a_(b)", "noopener noreferrer nofollow", "_blank"],
      ["mailto:help@x.test", "mailto:help@x.test", "noopener noreferrer nofollow", null],
    ]);
  });
});
