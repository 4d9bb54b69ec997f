import type { WhyAnswer } from "../ports.ts";
import { type AdaptiveCard, adaptiveCard, bullets, heading, plain, text } from "./card.ts";
import { when } from "./format.ts";

const ISO_TIME = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})\b/g;

/** The service's reasons carry stored timestamps; a person reads them as the other cards show times. */
const readableTimes = (line: string) => line.replace(ISO_TIME, (iso) => when(iso) ?? iso);

export function whyCard(who: string, answer: WhyAnswer): AdaptiveCard {
  return adaptiveCard([
    heading(`Why: ${plain(who)}`),
    text(readableTimes(answer.verdict), { weight: "Bolder" }),
    ...(answer.details.length > 0 ? [bullets(answer.details.map(readableTimes))] : []),
  ]);
}
