import { z } from "zod";
import { welcomeSettingsSchema } from "../domain/welcome.ts";
import { documentId } from "./common.ts";

/** Welcome notices: "send a test to me" from the settings page, with the settings being edited. */

/** POST /api/connections/:id/welcome/test. */
export const welcomeTestSchema = z
  .object({
    /** The welcome settings as edited, saved or not. */
    welcome: welcomeSettingsSchema,
    /** A synced profile whose values fill the placeholders; without it, the admin's own name. */
    profileId: documentId("profile").optional(),
  })
  .strict()
  // Saved settings need a mailbox only once notices are on; a test email needs one whatever the switch says.
  .refine((t) => t.welcome.channel !== "email" || Boolean(t.welcome.mailbox), {
    path: ["welcome", "mailbox"],
    message: "name the mailbox the test email is sent from",
  });
export type WelcomeTest = z.input<typeof welcomeTestSchema>;

const welcomeTestResultSchema = z.object({
  /** Where the test went: the admin's address (email) or the admin's Teams chat. */
  to: z.string(),
  subject: z.string(),
  body: z.string(),
});
export type WelcomeTestResult = z.infer<typeof welcomeTestResultSchema>;
