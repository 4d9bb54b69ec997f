/** An error raised by the simulated directory; HTTP layers turn it into the matching service error shape. */
export class SimError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "SimError";
  }
}

export const notFound = (id: string) =>
  new SimError(
    404,
    "Request_ResourceNotFound",
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
