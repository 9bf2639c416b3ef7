import { message as amqpMessage, type Connection, type Delivery, type Receiver, type Sender } from "rhea";

/**
 * The few rhea 3.0.5 internals the broker relies on (rhea is pinned exactly for this reason).
 */
interface SenderInternals {
  session: { outgoing: { next_delivery_id: number; next_pending_delivery: number } };
  _draining?: boolean;
}

/** Deliveries handed to rhea on this sender's session but not yet transferred (they do not use credit yet). */
export function queuedDeliveries(sender: Sender): number {
  const outgoing = (sender as unknown as SenderInternals).session.outgoing;
  return outgoing.next_delivery_id - outgoing.next_pending_delivery;
}

export function isDraining(sender: Sender): boolean {
  return (sender as unknown as SenderInternals)._draining === true;
}

export function flush(connection: Connection): void {
  (connection as unknown as { _register(): void })._register();
}

/** The peer will not settle after us (rcv-settle-mode second); without this rhea keeps the delivery forever. */
export function markRemotelySettled(delivery: Delivery): void {
  (delivery as unknown as { remote_settled: boolean }).remote_settled = true;
}

/** Holds back the attach answer rhea prepared, to give it later (waiting for a session) or not at all. */
export function holdAttach(sender: Sender): void {
  const state = (sender as unknown as { state: { local_open: boolean; open_requests: number } }).state;
  state.local_open = false;
  state.open_requests = 0;
}


interface Outcomes {
  accepted(): { described(): unknown };
  rejected(fields: { error?: { condition: string; description: string } }): { described(): unknown };
}

/** Disposition states, built with rhea's own outcome types (untyped in its typings). */
export const outcome = {
  accepted: () => (amqpMessage as unknown as Outcomes).accepted().described(),
  rejected: (error?: { condition: string; description: string }) => (amqpMessage as unknown as Outcomes).rejected(error ? { error } : {}).described(),
};

/** Sets a link's local source (e.g. to echo the locked session id back in the session filter). */
export function setSource(sender: Sender, source: Record<string, unknown>): void {
  (sender as unknown as { set_source(fields: Record<string, unknown>): void }).set_source(source);
}

export interface AttachFields {
  source?: unknown;
  target?: unknown;
  snd_settle_mode?: number;
  rcv_settle_mode?: number;
  max_message_size?: number;
  properties?: Record<string, unknown>;
}

interface LinkState {
  local: { attach: AttachFields };
  remote: { attach?: AttachFields };
  credit: number;
}

/** Attach frames (ours and the peer's) and credit, which rhea's typings leave out. */
export function linkState(link: Sender | Receiver): LinkState {
  return link as unknown as LinkState;
}
