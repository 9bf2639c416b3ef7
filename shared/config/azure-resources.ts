/**
 * The names the app and its Azure deployment share: connection settings, app settings, Service Bus and
 * Event Hubs entities and tables. This file is their one source: code imports names from here, the local
 * runtime creates the same entities, and `infra/check` fails CI when the Bicep in `infra/` does not
 * declare, set or grant what this file (or any code in `functions/` and `shared/`) uses.
 */

/**
 * A Service Bus queue. Durations are whole seconds, because Azure stores them as ISO 8601 durations
 * with second precision.
 */
export interface QueueDefinition {
  readonly name: string;
  /** Service Bus drops a second message with the same MessageId inside the window. */
  readonly requiresDuplicateDetection: boolean;
  readonly duplicateDetectionWindowInSeconds?: number;
  readonly requiresSession: boolean;
  readonly lockDurationInSeconds: number;
  /** Deliveries after which a message goes to the dead-letter queue. */
  readonly maxDeliveryCount: number;
  readonly defaultMessageTimeToLiveInSeconds: number;
  /** Expired messages go to the dead-letter queue instead of vanishing. */
  readonly deadLetteringOnMessageExpiration: boolean;
}

export interface SubscriptionDefinition {
  readonly name: string;
  readonly requiresSession: boolean;
  readonly lockDurationInSeconds: number;
  readonly maxDeliveryCount: number;
  readonly defaultMessageTimeToLiveInSeconds: number;
  readonly deadLetteringOnMessageExpiration: boolean;
}

export interface TopicDefinition {
  readonly name: string;
  readonly requiresDuplicateDetection: boolean;
  readonly duplicateDetectionWindowInSeconds?: number;
  readonly defaultMessageTimeToLiveInSeconds: number;
  readonly subscriptions: Readonly<Record<string, SubscriptionDefinition>>;
}

export interface EventHubDefinition {
  readonly name: string;
  readonly partitionCount: number;
}

export interface AzureResourcesDefinition {
  /**
   * Connection setting names, as used in trigger options (`connection:`) and read by SDK clients.
   * Locally each is a connection string; in Azure each is identity-based:
   * `<name>__fullyQualifiedNamespace` (Service Bus, Event Hubs) or `<name>__{blob,queue,table}ServiceUri`
   * (storage), plus `<name>__credential=managedidentity` and `<name>__clientId`.
   */
  readonly connections: {
    readonly storage: string;
    readonly serviceBus: string;
    readonly eventHubs: string;
  };
  /** Plain app settings the app reads. */
  readonly appSettings: Readonly<Record<string, string>>;
  /**
   * Settings code may read that no deployment sets: `platform` ones Azure provides by itself,
   * `localOnly` ones the local runtime and tests use (in Azure they are absent and the code must cope).
   */
  readonly settingsNotDeployed: {
    readonly platform: readonly string[];
    readonly localOnly: readonly string[];
  };
  /** Names of the local-only settings (each also listed in `settingsNotDeployed.localOnly`). */
  readonly localSettings: Readonly<Record<string, string>>;
  readonly serviceBus: {
    readonly queues: Readonly<Record<string, QueueDefinition>>;
    readonly topics: Readonly<Record<string, TopicDefinition>>;
  };
  readonly eventHubs: {
    readonly hubs: Readonly<Record<string, EventHubDefinition>>;
  };
  /** Table Storage tables the app uses, created up front by the deployment (letters and digits only). */
  readonly tables: Readonly<Record<string, string>>;
}

const MINUTE = 60;
const DAY = 24 * 60 * MINUTE;

export const azureResources = {
  connections: {
    /** Functions runtime, Durable Functions (Azure Storage backend) and the project's tables. */
    storage: "AzureWebJobsStorage",
    serviceBus: "ServiceBusConnection",
    eventHubs: "EventHubConnection",
  },
  appSettings: {
    /** Organizations to serve, comma-separated (`contoso,fabrikam`); each gets `/{org}/api/data/v9.2/`. */
    organizations: "Organizations",
    /**
     * Entra ID object ID given to each organization's administrator `systemuser`
     * (`azureactivedirectoryobjectid`) when the organization is provisioned, so the deployer can call the
     * Web API at once. Empty: no one is mapped.
     */
    administratorObjectId: "AdministratorObjectId",
    /** Time limit of one plug-in step in seconds (Dataverse: 120); past it the operation fails and rolls back. */
    pluginStepTimeoutSeconds: "PluginStepTimeoutSeconds",
    /** How long a system job waits for a two-way or one-way listener's answer, in seconds (default 60). */
    serviceEndpointReplyTimeoutSeconds: "ServiceEndpointReplyTimeoutSeconds",
    /**
     * How long after its row was last written the system-job sweep leaves an open job to its orchestration,
     * in seconds (default 60; jobs written before the process started are looked at at once).
     */
    systemJobSweepGraceSeconds: "SystemJobSweepGraceSeconds",
    /**
     * Domain the organizations are reached under (e.g. `crm.contoso.com`): webhooks carry
     * `x-ms-dynamics-organization: {organization}.{domain}`, as Dataverse's `contoso.crm.dynamics.com`.
     * Empty: the organization's name.
     */
    organizationDomain: "OrganizationDomain",
    applicationInsightsConnectionString: "APPLICATIONINSIGHTS_CONNECTION_STRING",
    /** `ClientId=<identity>;Authorization=AAD`: telemetry is sent with Entra ID, the resource has local auth off. */
    applicationInsightsAuthenticationString: "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
    /** Client id of the app's user-assigned identity, for `DefaultAzureCredential` in SDK clients. */
    managedIdentityClientId: "AZURE_CLIENT_ID",
  },
  settingsNotDeployed: {
    platform: [
      "WEBSITE_HOSTNAME",
      "WEBSITE_SITE_NAME",
      "WEBSITE_INSTANCE_ID",
      "WEBSITE_RESOURCE_GROUP",
      "REGION_NAME",
      "AZURE_FUNCTIONS_ENVIRONMENT",
      "FUNCTIONS_WORKER_RUNTIME",
    ],
    localOnly: ["AllowAnonymousAsAdmin"],
  },
  localSettings: {
    /** Local runtime only: `true` maps calls without `x-ms-client-principal-id` to the organization's administrator. */
    allowAnonymousAsAdmin: "AllowAnonymousAsAdmin",
  },
  serviceBus: {
    queues: {
      /** Where queue endpoints (contracts 2 and 6) post; MessageId = the post's identity (postMessageId), so a repeated post is dropped. */
      events: {
        name: "dataverse-events",
        requiresDuplicateDetection: true,
        duplicateDetectionWindowInSeconds: 10 * MINUTE,
        requiresSession: false,
        lockDurationInSeconds: MINUTE,
        maxDeliveryCount: 10,
        defaultMessageTimeToLiveInSeconds: 14 * DAY,
        deadLetteringOnMessageExpiration: true,
      },
      /** Two-way replies from listeners; the reply's session id is the request's message id. */
      replies: {
        name: "dataverse-replies",
        requiresDuplicateDetection: false,
        requiresSession: true,
        lockDurationInSeconds: 30,
        maxDeliveryCount: 5,
        defaultMessageTimeToLiveInSeconds: 5 * MINUTE,
        deadLetteringOnMessageExpiration: true,
      },
    },
    topics: {
      /** Where topic endpoints (contract 5) post; the sample listener reads subscription `listener`. */
      events: {
        name: "dataverse-topic",
        requiresDuplicateDetection: true,
        duplicateDetectionWindowInSeconds: 10 * MINUTE,
        defaultMessageTimeToLiveInSeconds: 14 * DAY,
        subscriptions: {
          listener: {
            name: "listener",
            requiresSession: false,
            lockDurationInSeconds: MINUTE,
            maxDeliveryCount: 10,
            defaultMessageTimeToLiveInSeconds: 14 * DAY,
            deadLetteringOnMessageExpiration: true,
          },
        },
      },
    },
  },
  eventHubs: {
    hubs: {
      /** Where Event Hub endpoints (contract 7) post; partition key = the primary record's id. */
      events: { name: "dataverse-events", partitionCount: 4 },
    },
  },
  tables: {
    /** Rows of every organization's tables. */
    records: "Records",
    /** What the sample listener received, one row per message. */
    listenerReceipts: "ListenerReceipts",
  },
} as const satisfies AzureResourcesDefinition;
