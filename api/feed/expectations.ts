import type { DirectoryEventType } from "../domain/event-types.ts";
import type { DirectoryEventDoc, EventExpectation } from "../store/documents.ts";

const CONTAINER_OF = { profile: "profiles", list: "lists", membership: "memberships" } as const;

/**
 * What almost every event expects of the directory, read from the event itself: its object's document, in
 * that object's container, present after the change, or gone after a removal or purge. Events store an
 * expectation only when it differs from this one, which keeps a field off every event document (and out of
 * every write's request units).
 */
function usualExpectation(
  object: DirectoryEventDoc["object"],
  eventType: DirectoryEventType,
): EventExpectation | undefined {
  if (object.kind === "connection") return undefined;
  const gone = eventType === "membership.removed" || eventType.endsWith(".purged");
  return { container: CONTAINER_OF[object.kind], id: object.id, present: !gone };
}

/** How to tell whether the event's change landed; undefined: it is not tied to a stored document. */
export function expectationOf(event: DirectoryEventDoc): EventExpectation | undefined {
  return event.expect ?? usualExpectation(event.object, event.eventType);
}

/** Whether `expect` says no more than the usual expectation, so the event need not store it. */
export function isUsual(
  expect: EventExpectation,
  object: DirectoryEventDoc["object"],
  type: DirectoryEventType,
) {
  const usual = usualExpectation(object, type);
  return (
    usual !== undefined &&
    expect.hash === undefined &&
    expect.container === usual.container &&
    expect.id === usual.id &&
    expect.present === usual.present
  );
}
