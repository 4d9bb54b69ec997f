import { describe, expect, it } from "vitest";
import { normalize, parseCommand } from "../../bot/commands/parse.ts";

describe("command parsing", () => {
  it.each([
    ["sync now", "sync now"],
    ["SYNC NOW", "sync now"],
    ["  Sync   Users ", "sync users"],
    ["sync lists", "sync lists"],
    ["Preview", "preview"],
    ["status", "status"],
    ["pause", "pause"],
    ["Resume!", "resume"],
    ["set channel", "set channel"],
    ["help", "help"],
    ["help?", "help"],
  ])("%j is %s", (text, name) => {
    expect(parseCommand(text)).toMatchObject({ kind: "command", name });
  });

  it("strips the mention Teams puts in front of channel messages", () => {
    expect(parseCommand("<at>Directory Sync</at> sync&nbsp;now")).toEqual({
      kind: "command",
      name: "sync now",
    });
    expect(normalize("<at>Directory Sync</at>&nbsp;status")).toBe("status");
  });

  it("reads history with and without a count, capped", () => {
    expect(parseCommand("history")).toEqual({ kind: "command", name: "history", count: 5 });
    expect(parseCommand("History 12")).toEqual({ kind: "command", name: "history", count: 12 });
    expect(parseCommand("history 500")).toEqual({ kind: "command", name: "history", count: 20 });
    expect(parseCommand("history lots")).toMatchObject({ kind: "invalid", name: "history" });
    expect(parseCommand("history 0")).toMatchObject({ kind: "invalid", name: "history" });
  });

  it("reads why with an email, also when Teams turned it into a mailto link", () => {
    expect(parseCommand("why adele.vance@contoso.com")).toEqual({
      kind: "command",
      name: "why",
      who: "adele.vance@contoso.com",
    });
    expect(
      parseCommand('<at>Directory Sync</at> WHY <a href="mailto:AdeleV@contoso.com">AdeleV@contoso.com</a>'),
    ).toEqual({ kind: "command", name: "why", who: "AdeleV@contoso.com" });
    expect(parseCommand("why")).toMatchObject({ kind: "invalid", name: "why" });
  });

  it("suggests the commands a typo was probably meant to be", () => {
    expect(parseCommand("staus")).toMatchObject({ kind: "unknown", suggestions: ["status"] });
    expect(parseCommand("sync nwo")).toMatchObject({ kind: "unknown", suggestions: ["sync now"] });
    expect(parseCommand("hsitory 3")).toMatchObject({ kind: "unknown", suggestions: ["history"] });
    expect(parseCommand("resme")).toMatchObject({ kind: "unknown", suggestions: ["resume"] });
    const sync = parseCommand("sync");
    expect(sync.kind).toBe("unknown");
    expect(sync.kind === "unknown" && sync.suggestions).toEqual(
      expect.arrayContaining(["sync now", "sync users", "sync lists"]),
    );
    expect(parseCommand("make me a sandwich")).toEqual({
      kind: "unknown",
      input: "make me a sandwich",
      suggestions: [],
    });
  });

  it("treats extra words after a plain command as a typo, not as the command", () => {
    expect(parseCommand("pause everything")).toMatchObject({ kind: "unknown", suggestions: ["pause"] });
  });

  it("answers an empty message (just the mention) with help", () => {
    expect(parseCommand("<at>Directory Sync</at>")).toEqual({ kind: "empty" });
  });
});
