import { type AdaptiveCard, CARD_CONTENT_TYPE } from "./card.ts";

/** A message activity carrying one card, in the shape the Activity protocol defines. */
export function cardMessage(card: AdaptiveCard, summary?: string) {
  return {
    type: "message" as const,
    ...(summary ? { summary } : {}),
    attachments: [{ contentType: CARD_CONTENT_TYPE, content: card }],
  };
}

/** The Universal Actions reply to an `adaptiveCard/action` invoke: the card to show instead. */
export function cardActionResponse(card: AdaptiveCard) {
  return { statusCode: 200, type: CARD_CONTENT_TYPE, value: card as unknown as Record<string, unknown> };
}
