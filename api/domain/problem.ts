/** What a person is told when something goes wrong: the cause, and what to do about it. */
export interface Problem {
  code: string;
  message: string;
  remedy: string;
}
