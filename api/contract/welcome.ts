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
  .strict();
export type WelcomeTest = z.input<typeof welcomeTestSchema>;

const welcomeTestResultSchema = z.object({
  /** Where the test went: the admin's address (email) or the admin's Teams chat. */
  to: z.string(),
  subject: z.string(),
  body: z.string(),
});
export type WelcomeTestResult = z.infer<typeof welcomeTestResultSchema>;
