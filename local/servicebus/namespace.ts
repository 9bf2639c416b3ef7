import type { BrokerConfig } from "./config";
import { defaultReceivableProperties, defaultSendableProperties, type ReceivableProperties, type SendableProperties } from "./entity-properties";
import { BrokerError, Condition } from "./errors";
import type { Journal } from "./journal";
import { MessageState, requestedSchedule, viewOf, type IncomingMessage, type StoredMessage } from "./message";
import { createRule, defaultRuleName, type Rule, type RuleFilter } from "./rules";
import { MessageStore } from "./store";

const deadLetterSuffix = "/$deadletterqueue";
const scheduledSuffix = "/$Scheduled";
const maxForwardHops = 4;

/** The queue or topic whose sequence numbers a journal path's messages carry (a subscription's are its topic's). */
export function entityOf(journalPath: string): string {
  return journalPath.split("/")[0];
}

/** A queue or topic: what senders address. Owns sequence numbers, duplicate detection and scheduled messages. */
export class SendTarget {
  nextSequenceNumber = 1;
  private readonly recentMessageIds = new Map<string, number>();
  readonly scheduled = new Map<number, StoredMessage>();

  constructor(
    readonly name: string,
    readonly properties: SendableProperties,
    readonly route: (message: StoredMessage) => MessageStore[],
    private readonly journal: Journal,
  ) {}

  private stamp(incoming: IncomingMessage, now: number): StoredMessage {
    return {
      sequenceNumber: this.nextSequenceNumber++,
      enqueuedTimeUtc: now,
      deliveryCount: 0,
      state: MessageState.active,
      sections: incoming.sections,
      header: incoming.header,
    };
  }

  private isDuplicate(message: StoredMessage, now: number): boolean {
    if (!this.properties.requiresDuplicateDetection) return false;
    const messageId = viewOf(message).messageId;
    if (messageId === undefined) return false;
    const seen = this.recentMessageIds.get(messageId);
    if (seen !== undefined && now - seen < this.properties.duplicateDetectionHistoryTimeWindowInMs) return true;
    this.recentMessageIds.set(messageId, now);
    return false;
  }

  /** Accepts messages from a sender; those with a scheduled enqueue time wait until it. Returns sequence numbers. */
  accept(messages: IncomingMessage[], scheduleAtUtc?: number): number[] {
    const now = Date.now();
    const stamped = messages.map((incoming) => this.stamp(incoming, now));
    const sequenceNumbers: number[] = [];
    for (const message of stamped) {
      sequenceNumbers.push(message.sequenceNumber);
      if (this.isDuplicate(message, now)) continue;
      const scheduledAt = scheduleAtUtc ?? requestedSchedule(message);
      if (scheduledAt !== undefined && scheduledAt > now) {
        message.state = MessageState.scheduled;
        message.scheduledEnqueueTimeUtc = scheduledAt;
        this.scheduled.set(message.sequenceNumber, message);
        this.journal.putMessage(this.name + scheduledSuffix, message);
        continue;
      }
      if (scheduledAt !== undefined) message.scheduledEnqueueTimeUtc = scheduledAt;
      this.deliverToStores(message);
    }
    return sequenceNumbers;
  }

  /** Takes a message auto-forwarded from a queue or subscription: it gets a sequence number here. */
  forwarded(message: StoredMessage): void {
    const now = Date.now();
    this.deliverToStores({ ...message, sequenceNumber: this.nextSequenceNumber++, enqueuedTimeUtc: now, expiresAtUtc: undefined, state: MessageState.active });
  }

  private deliverToStores(message: StoredMessage): void {
    for (const store of this.route(message)) store.add({ ...message });
  }

  cancelScheduled(sequenceNumbers: number[]): void {
    for (const sequenceNumber of sequenceNumbers) {
      if (this.scheduled.delete(sequenceNumber)) this.journal.removeMessage(this.name + scheduledSuffix, sequenceNumber);
    }
  }

  sweep(now: number): void {
    for (const [sequenceNumber, message] of this.scheduled) {
      if ((message.scheduledEnqueueTimeUtc ?? 0) > now) continue;
      this.scheduled.delete(sequenceNumber);
      this.journal.removeMessage(this.name + scheduledSuffix, sequenceNumber);
      this.deliverToStores({ ...message, state: MessageState.active, enqueuedTimeUtc: now });
    }
    for (const [messageId, seen] of this.recentMessageIds) {
      if (now - seen >= this.properties.duplicateDetectionHistoryTimeWindowInMs) this.recentMessageIds.delete(messageId);
    }
  }
}

interface Subscription {
  name: string;
  store: MessageStore;
  rules: Map<string, Rule>;
}

interface Topic {
  target: SendTarget;
  subscriptions: Map<string, Subscription>;
}

/** All entities of the broker's one namespace, addressed as the SDK addresses them. */
export class Namespace {
  private readonly queues = new Map<string, { target: SendTarget; store: MessageStore }>();
  private readonly topics = new Map<string, Topic>();

  constructor(
    private readonly config: BrokerConfig,
    private readonly journal: Journal,
  ) {
    for (const queue of config.queues) this.addQueue(queue.name, queue.receivable, queue.sendable);
    for (const topic of config.topics) {
      this.addTopic(topic.name, topic.sendable);
      for (const subscription of topic.subscriptions) this.addSubscription(topic.name, subscription.name, subscription.receivable, subscription.rules);
    }
  }

  addQueue(name: string, receivable: ReceivableProperties = defaultReceivableProperties, sendable: SendableProperties = defaultSendableProperties): void {
    const store = new MessageStore(name, { ...receivable, defaultMessageTimeToLiveInMs: Math.min(receivable.defaultMessageTimeToLiveInMs, sendable.defaultMessageTimeToLiveInMs) }, this.journal, this.forward);
    this.queues.set(name.toLowerCase(), { target: new SendTarget(name, sendable, () => [store], this.journal), store });
  }

  addTopic(name: string, sendable: SendableProperties = defaultSendableProperties): void {
    const subscriptions = new Map<string, Subscription>();
    const route = (message: StoredMessage) => {
      const stores: MessageStore[] = [];
      for (const subscription of subscriptions.values()) {
        for (const rule of subscription.rules.values()) {
          if (rule.matches(message)) {
            stores.push(subscription.store);
            break;
          }
        }
      }
      return stores;
    };
    this.topics.set(name.toLowerCase(), { target: new SendTarget(name, sendable, route, this.journal), subscriptions });
  }

  addSubscription(topicName: string, name: string, receivable: ReceivableProperties = defaultReceivableProperties, rules: { name: string; filter: RuleFilter }[] = []): void {
    const topic = this.topics.get(topicName.toLowerCase());
    if (!topic) throw new BrokerError(Condition.notFound, `The messaging entity '${topicName}' could not be found.`);
    const ruleMap = new Map<string, Rule>();
    const effective = rules.length ? rules : [{ name: defaultRuleName, filter: { kind: "true" } as RuleFilter }];
    for (const rule of effective) ruleMap.set(rule.name, createRule(rule.name, rule.filter));
    const store = new MessageStore(`${topic.target.name}/Subscriptions/${name}`, receivable, this.journal, this.forward);
    topic.subscriptions.set(name.toLowerCase(), { name, store, rules: ruleMap });
  }

  /** Auto-forwarding between entities; like Service Bus, a message is forwarded at most 4 times. */
  private readonly forward = (address: string, message: StoredMessage): void => {
    const hops = (message.forwardHops ?? 0) + 1;
    if (hops > maxForwardHops) {
      console.warn(`[servicebus] dropping message ${message.sequenceNumber}: forwarded more than ${maxForwardHops} times (a ForwardTo loop?)`);
      return;
    }
    this.sendTarget(address).forwarded({ ...message, forwardHops: hops });
  };

  private notFound(address: string): BrokerError {
    return new BrokerError(Condition.notFound, `The messaging entity 'sb://${this.config.namespace}/${address}' could not be found. To know more visit https://aka.ms/sbResourceMgrExceptions.`);
  }

  /** The queue or topic a sender's target address names. */
  sendTarget(address: string): SendTarget {
    const key = address.toLowerCase();
    const found = this.queues.get(key)?.target ?? this.topics.get(key)?.target;
    if (found) return found;
    if (this.config.autoCreateEntities && !key.includes("/")) {
      this.addQueue(address);
      return this.sendTarget(address);
    }
    throw this.notFound(address);
  }

  /** The store a receiver's source address (or a management address's entity) names. */
  store(address: string): MessageStore {
    const key = address.toLowerCase();
    const deadLetter = key.endsWith(deadLetterSuffix);
    const base = deadLetter ? key.slice(0, -deadLetterSuffix.length) : key;
    const store = this.baseStore(base, address.slice(0, base.length));
    if (!deadLetter) return store;
    if (!store.deadLetter) throw this.notFound(address);
    return store.deadLetter;
  }

  private baseStore(key: string, original: string): MessageStore {
    const parts = key.split("/");
    if (parts.length === 1) {
      const queue = this.queues.get(key);
      if (queue) return queue.store;
      if (this.config.autoCreateEntities && !this.topics.has(key)) {
        this.addQueue(original);
        return this.baseStore(key, original);
      }
    } else if (parts.length === 3 && parts[1] === "subscriptions") {
      const topic = this.topics.get(parts[0]);
      const subscription = topic?.subscriptions.get(parts[2]);
      if (subscription) return subscription.store;
      if (this.config.autoCreateEntities) {
        const [topicName, , subscriptionName] = original.split("/");
        if (!topic) this.addTopic(topicName);
        this.addSubscription(topicName, subscriptionName);
        return this.baseStore(key, original);
      }
    }
    throw this.notFound(original);
  }

  /** Peek as Service Bus shows it: a queue's scheduled messages appear among its messages, in sequence order. */
  peek(path: string, fromSequenceNumber: number, count: number, sessionId?: string): StoredMessage[] {
    const stored = this.store(path).peek(fromSequenceNumber, count, sessionId);
    const queue = this.queues.get(path.toLowerCase());
    if (!queue || queue.target.scheduled.size === 0) return stored;
    const scheduled = [...queue.target.scheduled.values()].filter((message) => message.sequenceNumber >= fromSequenceNumber && (sessionId === undefined || viewOf(message).sessionId === sessionId));
    return [...stored, ...scheduled].sort((a, b) => a.sequenceNumber - b.sequenceNumber).slice(0, count);
  }

  subscriptionRules(topicName: string, subscriptionName: string): Map<string, Rule> {
    const subscription = this.topics.get(topicName.toLowerCase())?.subscriptions.get(subscriptionName.toLowerCase());
    if (!subscription) throw this.notFound(`${topicName}/Subscriptions/${subscriptionName}`);
    return subscription.rules;
  }

  *stores(): IterableIterator<MessageStore> {
    for (const queue of this.queues.values()) yield queue.store;
    for (const topic of this.topics.values()) for (const subscription of topic.subscriptions.values()) yield subscription.store;
  }

  *targets(): IterableIterator<SendTarget> {
    for (const queue of this.queues.values()) yield queue.target;
    for (const topic of this.topics.values()) yield topic.target;
  }

  sweep(now = Date.now()): void {
    for (const target of this.targets()) target.sweep(now);
    for (const store of this.stores()) store.sweep(now);
  }

  /** Puts back a journaled message on recovery (path may be a store, a dead-letter subqueue or a scheduled set). */
  restore(path: string, message: StoredMessage): void {
    if (path.endsWith(scheduledSuffix)) {
      this.sendTarget(path.slice(0, -scheduledSuffix.length)).scheduled.set(message.sequenceNumber, message);
      return;
    }
    this.store(path).add(message, true);
  }

  /** On recovery: a queue or topic goes on numbering after the highest number it ever gave, deleted messages' included. */
  restoreSequenceNumber(entity: string, highest: number): void {
    const target = this.sendTarget(entity);
    target.nextSequenceNumber = Math.max(target.nextSequenceNumber, highest + 1);
  }
}
