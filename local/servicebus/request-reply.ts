import type { Connection, Message } from "rhea";

/**
 * Answers a request/response exchange ($cbs, $management): the reply goes to the link the client named in
 * `reply_to` (its receiver's name or target address), correlated by the request's message id.
 */
export function reply(connection: Connection, request: Message, applicationProperties: Record<string, unknown>, body?: unknown): void {
  const replyTo = request.reply_to;
  const sender = connection.find_sender((candidate: { name: string; remote: { attach?: { target?: { address?: string } } } }) => candidate.name === replyTo || candidate.remote.attach?.target?.address === replyTo);
  if (!sender) return;
  sender.send({ correlation_id: request.message_id ?? request.correlation_id, to: replyTo, application_properties: applicationProperties, body });
}
