import type { ProxiedRequest, ProxyAction } from "../../local/storage/table-proxy";

/**
 * A storage fault for a table proxy: while armed with a value, refuses (503, nothing written) every request
 * `matches` picks for that value, and counts them; disarmed, it forwards everything.
 */
export function refusingRequests<T>(matches: (request: ProxiedRequest, armedWith: T) => boolean) {
  let armedWith: T | undefined;
  let refused = 0;
  const decide = (request: ProxiedRequest): ProxyAction => {
    if (armedWith === undefined || !matches(request, armedWith)) return "forward";
    refused++;
    return "refuse";
  };
  return { decide, arm: (value: T) => void (armedWith = value), disarm: () => void (armedWith = undefined), refused: () => refused };
}
