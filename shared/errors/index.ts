export * from "./pipeline-error";
export * from "./dataverse-codes";
export * from "./http";
