import { describe, expect, it } from "vitest";
import { chooseTheme } from "../../tab/src/app/theme.ts";

describe("theme choice", () => {
  it("follows the Teams theme inside Teams", () => {
    expect(chooseTheme({ query: null, teams: "default", prefersDark: true })).toBe("teams-light");
    expect(chooseTheme({ query: null, teams: "dark", prefersDark: false })).toBe("teams-dark");
    expect(chooseTheme({ query: null, teams: "contrast", prefersDark: false })).toBe("teams-contrast");
  });

  it("follows the system preference standalone", () => {
    expect(chooseTheme({ query: null, teams: null, prefersDark: false })).toBe("web-light");
    expect(chooseTheme({ query: null, teams: null, prefersDark: true })).toBe("web-dark");
  });

  it("lets ?theme= override both", () => {
    expect(chooseTheme({ query: "dark", teams: null, prefersDark: false })).toBe("web-dark");
    expect(chooseTheme({ query: "light", teams: "dark", prefersDark: true })).toBe("teams-light");
    expect(chooseTheme({ query: "contrast", teams: null, prefersDark: false })).toBe("teams-contrast");
    expect(chooseTheme({ query: "purple", teams: null, prefersDark: true })).toBe("web-dark");
  });
});
