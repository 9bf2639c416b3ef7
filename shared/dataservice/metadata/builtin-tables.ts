import { ACTIVE_INACTIVE, col, defineTable, stateColumns } from "./define";
import type { TableDefinition } from "./tables";

/**
 * The tables every organization has: the system tables the pipeline needs, with the column names and
 * option values of shared/spec/dataverse-reference.md (§B step/image, §D serviceendpoint, §F asyncoperation),
 * and the sample business tables account and contact.
 */

const REQUIRED = { systemRequired: true } as const;

const organization = defineTable(
  { logicalName: "organization", entitySetName: "organizations", displayName: "Organization", primaryNameAttribute: "name", ownership: "OrganizationOwned" },
  [col.string("name", 160), col.picklist("plugintracelogsetting", { 0: "Off", 1: "Exception", 2: "All" })],
);

const businessunit = defineTable(
  { logicalName: "businessunit", entitySetName: "businessunits", displayName: "Business Unit", primaryNameAttribute: "name", ownership: "OrganizationOwned" },
  [col.string("name", 160), col.lookup("parentbusinessunitid", ["businessunit"])],
);

const systemuser = defineTable(
  { logicalName: "systemuser", entitySetName: "systemusers", displayName: "User", primaryNameAttribute: "fullname", ownership: "OrganizationOwned" },
  [
    col.string("fullname", 200, { composedOf: ["firstname", "lastname"] }),
    col.string("firstname", 64),
    col.string("lastname", 64),
    col.string("domainname", 1024),
    col.string("internalemailaddress", 100),
    col.guid("azureactivedirectoryobjectid"),
    col.lookup("businessunitid", ["businessunit"]),
    col.boolean("isdisabled"),
  ],
);

/**
 * `privileges` is this service's stand-in for Dataverse's role privileges: a comma-separated list of
 * privilege names (`prvCreateAccount`, `prvReadContact`, `prvActOnBehalfOfAnotherUser`, …) or `*` for all.
 */
const role = defineTable(
  { logicalName: "role", entitySetName: "roles", displayName: "Security Role", primaryNameAttribute: "name", ownership: "OrganizationOwned" },
  [col.string("name", 100), col.lookup("businessunitid", ["businessunit"]), col.memo("privileges", 100000)],
);

/** Dataverse's intersect table between users and their security roles. */
const systemuserroles = defineTable(
  { logicalName: "systemuserroles", entitySetName: "systemuserrolescollection", displayName: "User Roles", primaryNameAttribute: "name", ownership: "OrganizationOwned" },
  [col.string("name", 100), col.lookup("systemuserid", ["systemuser"]), col.lookup("roleid", ["role"])],
);

const plugintype = defineTable(
  { logicalName: "plugintype", entitySetName: "plugintypes", displayName: "Plug-in Type", primaryNameAttribute: "name", ownership: "OrganizationOwned" },
  [
    col.string("name", 256),
    col.string("typename", 256),
    col.string("friendlyname", 256),
    col.string("assemblyname", 100),
    col.string("description", 256),
  ],
);

const sdkmessage = defineTable(
  { logicalName: "sdkmessage", entitySetName: "sdkmessages", displayName: "Sdk Message", primaryNameAttribute: "name", ownership: "OrganizationOwned" },
  [col.string("name", 256)],
);

const sdkmessagefilter = defineTable(
  { logicalName: "sdkmessagefilter", entitySetName: "sdkmessagefilters", displayName: "Sdk Message Filter", primaryNameAttribute: "name", ownership: "OrganizationOwned" },
  [col.string("name", 256), col.lookup("sdkmessageid", ["sdkmessage"]), col.string("primaryobjecttypecode", 128)],
);

const sdkmessageprocessingstep = defineTable(
  { logicalName: "sdkmessageprocessingstep", entitySetName: "sdkmessageprocessingsteps", displayName: "Sdk Message Processing Step", primaryNameAttribute: "name", ownership: "UserOwned" },
  [
    col.string("name", 256),
    col.string("description", 256),
    col.string("category", 100),
    col.picklist("stage", { 10: "Pre-validation", 20: "Pre-operation", 30: "Main Operation", 40: "Post-operation", 50: "Post-operation (Deprecated)" }),
    col.picklist("mode", { 0: "Synchronous", 1: "Asynchronous" }),
    col.integer("rank"),
    col.memo("filteringattributes", 100000),
    col.boolean("asyncautodelete"),
    col.picklist("supporteddeployment", { 0: "Server Only", 1: "Microsoft Dynamics 365 Client for Outlook Only", 2: "Both" }),
    col.picklist("invocationsource", { [-1]: "Internal", 0: "Parent", 1: "Child" }),
    col.memo("configuration", 1073741823),
    // Dataverse keeps the secure configuration in sdkmessageprocessingstepsecureconfig; here it is a
    // write-only column of the step: accepted, handed to the plug-in's constructor, never returned.
    col.memo("secureconfig", 1073741823, { writeOnly: true }),
    col.lookup("impersonatinguserid", ["systemuser"]),
    // Relationship serviceendpoint_sdkmessageprocessingstep cascades deletes (§B.2): deleting an endpoint deletes its steps.
    col.lookup("eventhandler", ["plugintype", "serviceendpoint"], { cascadeDelete: ["serviceendpoint"] }),
    col.lookup("sdkmessageid", ["sdkmessage"]),
    col.lookup("sdkmessagefilterid", ["sdkmessagefilter"]),
    // Not in Dataverse: the order of registration (createdon keeps whole seconds), which orders steps of equal rank.
    col.bigint("registrationsequence", { readOnly: true }),
    col.boolean("canbebypassed"),
    col.boolean("canusereadonlyconnection"),
    ...stateColumns({ states: { 0: ["Enabled", 1], 1: ["Disabled", 2] }, statuses: { 1: ["Enabled", 0], 2: ["Disabled", 1] } }),
  ],
);

const sdkmessageprocessingstepimage = defineTable(
  { logicalName: "sdkmessageprocessingstepimage", entitySetName: "sdkmessageprocessingstepimages", displayName: "Sdk Message Processing Step Image", primaryNameAttribute: "name", ownership: "OrganizationOwned" },
  [
    col.string("name", 256),
    col.string("description", 256),
    col.picklist("imagetype", { 0: "PreImage", 1: "PostImage", 2: "Both" }),
    col.string("entityalias", 256),
    col.memo("attributes", 100000),
    col.string("messagepropertyname", 256),
    col.string("relatedattributename", 256),
    col.lookup("sdkmessageprocessingstepid", ["sdkmessageprocessingstep"]),
  ],
);

// SystemRequired as in §D.4: name, userclaim, connectionmode, path, solutionnamespace.
const serviceendpoint = defineTable(
  { logicalName: "serviceendpoint", entitySetName: "serviceendpoints", displayName: "Service Endpoint", primaryNameAttribute: "name", ownership: "OrganizationOwned" },
  [
    col.string("name", 256, REQUIRED),
    col.memo("description", 2000),
    col.picklist("contract", {
      1: "OneWay", 2: "Queue", 3: "Rest", 4: "TwoWay", 5: "Topic", 6: "Queue (Persistent)", 7: "Event Hub", 8: "Webhook", 9: "Event Grid", 10: "Managed Data Lake",
    }),
    col.picklist("messageformat", { 1: "Binary XML", 2: "Json", 3: "Text XML" }),
    col.picklist("authtype", {
      1: "ACS", 2: "SAS Key", 3: "SAS Token", 4: "Webhook Key", 5: "Http Header", 6: "Http Query String", 7: "Connection String", 8: "Access Key", 9: "Managed Identity",
    }),
    col.picklist("userclaim", { 1: "None", 2: "UserId", 3: "UserInfo" }, REQUIRED),
    col.picklist("namespaceformat", { 1: "Namespace Name", 2: "Namespace Address" }),
    col.picklist("connectionmode", { 1: "Normal", 2: "Federated" }, REQUIRED),
    col.picklist("messagecharset", { 0: "Default", 1: "UTF8" }),
    col.picklist("schematype", { 1: "Event Grid", 2: "Cloud Events" }),
    col.string("path", 160, REQUIRED),
    col.string("solutionnamespace", 160, REQUIRED),
    col.string("namespaceaddress", 255),
    col.string("url", 2000),
    col.string("saskeyname", 256),
    col.string("saskey", 256, { writeOnly: true }),
    col.string("sastoken", 256, { writeOnly: true }),
    col.string("authvalue", 2048, { writeOnly: true }),
    col.boolean("isauthvalueset", { readOnly: true }),
    col.boolean("issaskeyset", { readOnly: true }),
    col.boolean("issastokenset", { readOnly: true }),
    col.boolean("usekeyvaultconfiguration"),
    col.string("runtimeintegrationproperties", 512),
    // This project's own (README "Service endpoints and listeners"): auth type 7, the webhook signature key
    // (each with its is…set flag, as Dataverse's secrets have), the retry policy.
    col.string("connectionstring", 2048, { writeOnly: true }),
    col.string("signingsecret", 256, { writeOnly: true }),
    col.boolean("isconnectionstringset", { readOnly: true }),
    col.boolean("issigningsecretset", { readOnly: true }),
    col.string("retrypolicy", 512),
  ],
);

const asyncoperation = defineTable(
  { logicalName: "asyncoperation", entitySetName: "asyncoperations", displayName: "System Job", primaryNameAttribute: "name", ownership: "UserOwned" },
  [
    col.string("name", 256),
    col.picklist("operationtype", { 1: "System Event", 10: "Workflow", 13: "Bulk Delete", 54: "Execute Async Request", 92: "Event Expander Operation" }),
    ...stateColumns({
      states: { 0: ["Ready", 0], 1: ["Suspended", 10], 2: ["Locked", 20], 3: ["Completed", 30] },
      statuses: {
        0: ["Waiting For Resources", 0], 10: ["Waiting", 1], 20: ["In Progress", 2], 21: ["Pausing", 2], 22: ["Canceling", 2],
        30: ["Succeeded", 3], 31: ["Failed", 3], 32: ["Canceled", 3],
      },
    }),
    col.integer("retrycount", { minValue: 0 }),
    col.dateTime("postponeuntil"),
    col.integer("errorcode"),
    col.memo("message", 100000),
    col.memo("friendlymessage", 100000),
    col.integer("depth", { minValue: 0 }),
    col.guid("correlationid"),
    col.dateTime("correlationupdatedtime"),
    col.lookup("owningextensionid", ["sdkmessageprocessingstep"]),
    col.string("messagename", 160),
    col.string("primaryentitytype", 128),
    col.lookup("regardingobjectid", ["account", "contact"]),
    col.guid("requestid"),
    col.string("dependencytoken", 256),
    col.bigint("sequence"),
    col.memo("data", 1073741823),
    col.dateTime("startedon"),
    col.dateTime("completedon"),
    col.double("executiontimespan"),
    col.boolean("iswaitingforevent"),
  ],
);

const plugintracelog = defineTable(
  { logicalName: "plugintracelog", entitySetName: "plugintracelogs", displayName: "Plug-in Trace Log", primaryNameAttribute: "typename", ownership: "OrganizationOwned" },
  [
    col.string("typename", 1024),
    col.string("messagename", 1024),
    col.string("primaryentity", 1024),
    col.memo("messageblock", 1073741823),
    col.memo("exceptiondetails", 1073741823),
    col.picklist("mode", { 0: "Synchronous", 1: "Asynchronous" }),
    col.picklist("operationtype", { 0: "Unknown", 1: "Plug-in", 2: "Workflow Activity" }),
    col.integer("depth"),
    col.guid("correlationid"),
    col.guid("requestid"),
    col.guid("pluginstepid"),
    col.dateTime("performanceexecutionstarttime"),
    col.integer("performanceexecutionduration"),
  ],
);

const INDUSTRIES = {
  1: "Accounting", 2: "Agriculture and Non-petrol Natural Resource Extraction", 3: "Broadcasting Printing and Publishing",
  4: "Brokers", 5: "Building Supply Retail", 6: "Business Services", 7: "Consulting", 8: "Consumer Services",
  9: "Design, Direction and Creative Management", 10: "Distributors, Dispatchers and Processors", 11: "Doctor's Offices and Clinics",
  12: "Durable Manufacturing", 13: "Eating and Drinking Places", 14: "Entertainment Retail", 15: "Equipment Rental and Leasing",
  16: "Financial", 17: "Food and Tobacco Processing", 18: "Inbound Capital Intensive Processing", 19: "Inbound Repair and Services",
  20: "Insurance", 21: "Legal Services", 22: "Non-Durable Merchandise Retail", 23: "Outbound Consumer Service",
  24: "Petrochemical Extraction and Distribution", 25: "Service Retail", 26: "SIG Affiliations", 27: "Social Services",
  28: "Special Outbound Trade Contractors", 29: "Specialty Realty", 30: "Transportation", 31: "Utility Creation and Distribution",
  32: "Vehicle Retail", 33: "Wholesale",
};

const account = defineTable(
  { logicalName: "account", entitySetName: "accounts", displayName: "Account", displayCollectionName: "Accounts", primaryNameAttribute: "name", ownership: "UserOwned" },
  [
    col.string("name", 160),
    col.string("accountnumber", 20),
    col.string("emailaddress1", 100),
    col.string("telephone1", 50),
    col.string("websiteurl", 200),
    col.memo("description", 2000),
    col.money("revenue", { minValue: -922337203685477, maxValue: 922337203685477 }),
    col.integer("numberofemployees", { minValue: 0, maxValue: 1000000000 }),
    col.picklist("industrycode", INDUSTRIES),
    col.boolean("creditonhold"),
    col.lookup("parentaccountid", ["account"]),
    col.lookup("primarycontactid", ["contact"]),
    ...stateColumns(ACTIVE_INACTIVE),
  ],
);

const contact = defineTable(
  { logicalName: "contact", entitySetName: "contacts", displayName: "Contact", displayCollectionName: "Contacts", primaryNameAttribute: "fullname", ownership: "UserOwned" },
  [
    col.string("fullname", 160, { composedOf: ["firstname", "lastname"] }),
    col.string("firstname", 50),
    col.string("lastname", 50),
    col.string("emailaddress1", 100),
    col.string("telephone1", 50),
    col.string("mobilephone", 50),
    col.string("jobtitle", 100),
    col.dateTime("birthdate"),
    col.memo("description", 2000),
    col.lookup("parentcustomerid", ["account", "contact"]),
    ...stateColumns(ACTIVE_INACTIVE),
  ],
);

export const BUILTIN_TABLES: readonly TableDefinition[] = [
  organization, businessunit, systemuser, role, systemuserroles, plugintype, sdkmessage, sdkmessagefilter,
  sdkmessageprocessingstep, sdkmessageprocessingstepimage, serviceendpoint, asyncoperation, plugintracelog, account, contact,
];
