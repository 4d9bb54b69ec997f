import { describe, expect, it } from "vitest";
import { describeProblems, isEmail, isGuid, parseLines } from "../../tab/src/app/lines.ts";

describe("one value per line", () => {
  it("keeps valid emails, lower-cased, skipping blank lines and duplicates", () => {
    const parsed = parseLines(" Adele@Contoso.com \n\nalex@contoso.com\nadele@contoso.com\r\n", "email");
    expect(parsed.values).toEqual(["adele@contoso.com", "alex@contoso.com"]);
    expect(parsed.problems).toEqual([]);
    expect(parsed.duplicates).toBe(1);
  });

  it("names the line of every bad value", () => {
    const parsed = parseLines("ok@contoso.com\nbob@\n\nnot an email\na@b.c", "email");
    expect(parsed.values).toEqual(["ok@contoso.com"]);
    expect(parsed.problems.map((p) => p.line)).toEqual([2, 4, 5]);
    expect(parsed.problems[1]?.message).toBe("put one value on each line");
    expect(describeProblems(parsed.problems)).toBe(
      "Line 2: not an email address (bob@); Line 4: put one value on each line (not an email); Line 5: not an email address (a@b.c)",
    );
  });

  it("asks for one value per line when several are pasted on one", () => {
    const parsed = parseLines("a@contoso.com, b@contoso.com", "email");
    expect(parsed.problems[0]).toMatchObject({ line: 1, message: "put one value on each line" });
  });

  it("checks group ids as GUIDs", () => {
    const parsed = parseLines("11111111-2222-4333-8444-555555555555\nSales\n", "guid");
    expect(parsed.values).toEqual(["11111111-2222-4333-8444-555555555555"]);
    expect(parsed.problems).toEqual([{ line: 2, text: "Sales", message: "not an Entra object id (a GUID)" }]);
    expect(isGuid("AAAAAAAA-2222-4333-8444-555555555555")).toBe(true);
    expect(isGuid("aaaa")).toBe(false);
  });

  it("enforces the limit", () => {
    const parsed = parseLines("a@x.io\nb@x.io\nc@x.io", "email", 2);
    expect(parsed.problems).toEqual([{ line: 0, text: "", message: "at most 2 values are allowed" }]);
  });

  it("summarises long lists of problems", () => {
    const parsed = parseLines(Array.from({ length: 8 }, (_, i) => `bad${i}`).join("\n"), "email");
    expect(describeProblems(parsed.problems)).toMatch(/; and 3 more$/);
  });

  it("accepts the emails admins actually use", () => {
    for (const ok of [
      "first.last@contoso.com",
      "o'brien@contoso.ie",
      "a+tag@sub.contoso.co.uk",
      "x_y-z@c.io",
    ])
      expect(isEmail(ok), ok).toBe(true);
    for (const bad of [".a@contoso.com", "a..b@contoso.com", "a@contoso", "@contoso.com", "a@-x.com"])
      expect(isEmail(bad), bad).toBe(false);
  });
});
