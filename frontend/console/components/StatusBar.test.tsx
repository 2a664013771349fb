// @vitest-environment happy-dom
import { render } from "preact";
import { describe, expect, it } from "vitest";
import { consoleOnFakeSocket } from "../testing";
import { StatusBar } from "./StatusBar";

function topbar(ownerUrl: string): HTMLElement {
  const { controller } = consoleOnFakeSocket();
  const root = document.createElement("div");
  render(
    <StatusBar
      state={controller.state}
      agentName="Dana"
      accountUrl="/accounts/email/"
      ownerUrl={ownerUrl}
      logoutForm="logout-form"
      presence="online"
      onPresence={() => {}}
      onSettings={() => {}}
    />,
    root,
  );
  return root;
}

describe("StatusBar", () => {
  it("links the agent's name to the account pages, and an owner to the site settings", () => {
    const owner = topbar("/owner/");
    expect(owner.querySelector('[data-console="agent-name"]')?.getAttribute("href")).toBe("/accounts/email/");
    expect(owner.querySelector('[data-console="owner-link"]')?.getAttribute("href")).toBe("/owner/");
    expect(topbar("").querySelector('[data-console="owner-link"]')).toBeNull();
  });
});
