import { z } from "zod";
import {
  DEFAULT_WELCOME_BODY,
  DEFAULT_WELCOME_SUBJECT,
  templateProblem,
  usesPlaceholder,
  WELCOME_CHANNELS,
} from "./welcome-template.ts";

/**
 * Welcome notices per connection: whether people a sync creates hear about the application, through which
 * channel, and what the notice says. Off by default (api/welcome/ sends them).
 */

const SUBJECT_MAX = 255;
const BODY_MAX = 8000;

export const welcomeSettingsSchema = z
  .object({
    enabled: z.boolean().default(false),
    channel: z.enum(WELCOME_CHANNELS).default("email"),
    /** The mailbox email notices are sent from (an application access policy should allow only it). */
    mailbox: z
      .string()
      .trim()
      .toLowerCase()
      .max(320)
      .refine((v) => v === "" || z.string().email().safeParse(v).success, "must be an email address")
      .default(""),
    /**
     * The first-sync choice: people the connection already has when notices are switched on (and everyone
     * a connection's first sync imports) are welcomed too, or only people created from then on.
     */
    existingPeople: z.enum(["skip", "welcome"]).default("skip"),
    guests: z.enum(["skip", "include"]).default("skip"),
    /** What {appLink} becomes: where the welcomed person opens the application. */
    appLink: z
      .string()
      .trim()
      .max(2000)
      .refine((v) => v === "" || /^https:\/\/\S+$/.test(v), "must be an https:// link")
      .default(""),
    subject: z
      .string()
      .trim()
      .max(SUBJECT_MAX, `at most ${SUBJECT_MAX} characters`)
      .default(DEFAULT_WELCOME_SUBJECT),
    body: z.string().trim().max(BODY_MAX, `at most ${BODY_MAX} characters`).default(DEFAULT_WELCOME_BODY),
  })
  .strict()
  .superRefine((w, ctx) => {
    for (const field of ["subject", "body"] as const) {
      const problem = templateProblem(w[field]);
      if (problem) ctx.addIssue({ code: "custom", path: [field], message: problem });
      else if (w[field] === "")
        ctx.addIssue({ code: "custom", path: [field], message: `enter the notice's ${field}` });
      else if (w.enabled && usesPlaceholder(w[field], "appLink") && !w.appLink)
        ctx.addIssue({
          code: "custom",
          path: ["appLink"],
          message: `the ${field} uses {appLink}: enter the link people open the application with`,
        });
    }
    if (w.enabled && w.channel === "email" && !w.mailbox)
      ctx.addIssue({
        code: "custom",
        path: ["mailbox"],
        message: "name the mailbox email notices are sent from",
      });
  });

export type WelcomeSettings = z.infer<typeof welcomeSettingsSchema>;
