/**
 * How a welcome reaches a person in Teams once the app is installed for them: a 1:1 message from the bot.
 * The composition root implements it over the Bot Framework adapter, so this folder never imports botbuilder.
 */
export interface PersonalMessenger {
  /** Throws with a reader's message when the message could not be posted. */
  sendPersonal(tenantId: string, userObjectId: string, text: string): Promise<void>;
}
