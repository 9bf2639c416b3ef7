export * from "./pipeline-error";
export * from "./dataverse-codes";
export * from "./http";
export * from "./log-text";
export * from "./correlation";
export * from "./cause-chain";
