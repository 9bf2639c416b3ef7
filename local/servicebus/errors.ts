/** AMQP error conditions the broker sends; the SDKs map each one to their own error code. */
export const Condition = {
  notFound: "amqp:not-found",
  unauthorized: "amqp:unauthorized-access",
  notImplemented: "amqp:not-implemented",
  invalidField: "amqp:invalid-field",
  internalError: "amqp:internal-error",
  messageSizeExceeded: "amqp:link:message-size-exceeded",
  argumentError: "com.microsoft:argument-error",
  messageLockLost: "com.microsoft:message-lock-lost",
  sessionLockLost: "com.microsoft:session-lock-lost",
  sessionCannotBeLocked: "com.microsoft:session-cannot-be-locked",
  messageNotFound: "com.microsoft:message-not-found",
  timeout: "com.microsoft:timeout",
  deadLetter: "com.microsoft:dead-letter",
  entityAlreadyExists: "com.microsoft:entity-already-exists",
} as const;
export type ConditionName = (typeof Condition)[keyof typeof Condition];

const statusOf: Record<ConditionName, number> = {
  [Condition.notFound]: 404,
  [Condition.unauthorized]: 401,
  [Condition.notImplemented]: 501,
  [Condition.invalidField]: 400,
  [Condition.internalError]: 500,
  [Condition.messageSizeExceeded]: 413,
  [Condition.argumentError]: 400,
  [Condition.messageLockLost]: 410,
  [Condition.sessionLockLost]: 410,
  [Condition.sessionCannotBeLocked]: 410,
  [Condition.messageNotFound]: 404,
  [Condition.timeout]: 408,
  [Condition.deadLetter]: 400,
  [Condition.entityAlreadyExists]: 409,
};

/** A refusal the broker sends to the client as an AMQP error (or a management status code). */
export class BrokerError extends Error {
  override readonly name = "BrokerError";
  constructor(
    readonly condition: ConditionName,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return statusOf[this.condition];
  }

  toAmqp(): { condition: string; description: string } {
    return { condition: this.condition, description: this.message };
  }
}

export function toBrokerError(error: unknown): BrokerError {
  if (error instanceof BrokerError) return error;
  return new BrokerError(Condition.internalError, error instanceof Error ? error.message : String(error));
}
