/** The behaviour-relevant settings of a queue or subscription, with durations in milliseconds. */
export interface ReceivableProperties {
  lockDurationInMs: number;
  maxDeliveryCount: number;
  defaultMessageTimeToLiveInMs: number;
  deadLetteringOnMessageExpiration: boolean;
  requiresSession: boolean;
  /** Queue or topic that every arriving message is moved to (auto-forwarding). */
  forwardTo?: string;
  /** Queue or topic that dead-lettered messages go to instead of the dead-letter subqueue. */
  forwardDeadLetteredMessagesTo?: string;
}

/** The settings of something that can be sent to: a queue or a topic. */
export interface SendableProperties {
  requiresDuplicateDetection: boolean;
  duplicateDetectionHistoryTimeWindowInMs: number;
  defaultMessageTimeToLiveInMs: number;
}

/** Service Bus defaults (Standard tier). */
export const defaultReceivableProperties: ReceivableProperties = {
  lockDurationInMs: 60_000,
  maxDeliveryCount: 10,
  defaultMessageTimeToLiveInMs: 14 * 86_400_000,
  deadLetteringOnMessageExpiration: false,
  requiresSession: false,
};

export const defaultSendableProperties: SendableProperties = {
  requiresDuplicateDetection: false,
  duplicateDetectionHistoryTimeWindowInMs: 10 * 60_000,
  defaultMessageTimeToLiveInMs: 14 * 86_400_000,
};
