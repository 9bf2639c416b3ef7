export * from "./endpoint-options";
export * from "./endpoint";
export { parseAuthValue, type HttpAuth } from "./auth-value";
export * from "./claims";
export * from "./signature";
export { brokerConnectionFor, type BrokerConnection } from "./connection";
export * from "./poster";
