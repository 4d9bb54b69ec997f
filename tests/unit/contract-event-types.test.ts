import { describe, expect, it } from "vitest";
import { DIRECTORY_EVENT_TYPES } from "../../api/contract/event-types.ts";
import { eventTypeSchema } from "../../api/feed/public-shapes.ts";

describe("the change feed's event types", () => {
  it("the tab offers exactly the types the Directory API validates, in the same order", () => {
    expect([...DIRECTORY_EVENT_TYPES]).toEqual(eventTypeSchema.options);
  });
});
