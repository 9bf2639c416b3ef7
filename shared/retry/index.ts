export * from "./retry-policy";
export * from "./backoff";
