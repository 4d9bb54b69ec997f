import { describe, expect, it } from "vitest";
import { matcher, parseFilter, quoteBareValues } from "../../api/scim/filter.ts";

const person = {
  userName: "OMalley",
  name: { familyName: "Employee" },
  emails: [
    { type: "work", value: "anna@example.com" },
    { type: "home", value: "anna@gmail.com" },
  ],
  meta: { created: "2026-01-01T00:00:00Z" },
};
const matches = (filter: string) => matcher(parseFilter(filter))(person);

describe("SCIM filters as clients send them", () => {
  it("quotes bare values after an operator and leaves quoted strings alone", () => {
    expect(quoteBareValues("userName sw O")).toBe('userName sw "O"');
    expect(quoteBareValues('displayName eq "a eq b" and active eq true')).toBe(
      'displayName eq "a eq b" and active eq true',
    );
    expect(quoteBareValues("meta.created gt 2015-10-10T14:38:21-07:00")).toBe(
      'meta.created gt "2015-10-10T14:38:21-07:00"',
    );
  });

  it("matches attribute names and values without regard to case, across multi-valued attributes", () => {
    expect(matches('USERNAME eq "omalley"')).toBe(true);
    expect(
      matches("name.FamilyName eq Employee and (emails.Value co example.com or emails.Value co example.org)"),
    ).toBe(true);
    expect(matches('emails[type eq "home" and value ew "gmail.com"]')).toBe(true);
    expect(matches("userName sw X")).toBe(false);
    expect(matches("meta.Created gt 2015-10-10T14:38:21.8617979-07:00")).toBe(true);
  });

  it("refuses a filter it cannot parse with invalidFilter", () => {
    expect(() => parseFilter('userName eq "unclosed')).toThrow(
      expect.objectContaining({ status: 400, scimType: "invalidFilter" }),
    );
  });
});
