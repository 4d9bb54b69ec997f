import type { WhyAnswer } from "../ports.ts";
import { type AdaptiveCard, adaptiveCard, bullets, heading, plain, text } from "./card.ts";

export function whyCard(who: string, answer: WhyAnswer): AdaptiveCard {
  return adaptiveCard([
    heading(`Why: ${plain(who)}`),
    text(answer.verdict, { weight: "Bolder" }),
    ...(answer.details.length > 0 ? [bullets(answer.details)] : []),
  ]);
}
