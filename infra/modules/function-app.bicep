metadata description = 'The Function App on Flex Consumption: Node 22, its package deployed from a blob container read with the user-assigned identity, scale settings, and app settings with identity-based connections only (no connection strings, no keys).'

@description('Name of the Function App.')
param name string

@description('Name of the Flex Consumption plan.')
param planName string

@description('Azure region of the plan and the app.')
param location string

@description('Tags applied to the plan and the app; the app also gets `azd-service-name`.')
param tags object = {}

@description('Service name in azure.yaml that azd deploys to this app.')
param serviceName string = 'api'

@description('Resource ID of the user-assigned identity.')
param identityId string

@description('Client ID of the user-assigned identity.')
param identityClientId string

@description('Storage account of the runtime, Durable Functions, the package and the tables.')
param storageAccountName string

@description('Blob container holding the deployment package.')
param deploymentContainerName string

@description('Application Insights component for telemetry.')
param applicationInsightsName string

@description('Host name of the Service Bus namespace.')
param serviceBusFullyQualifiedNamespace string

@description('Host name of the Event Hubs namespace; empty when Event Hubs is not deployed.')
param eventHubsFullyQualifiedNamespace string = ''

@description('Endpoint of the Durable Task Scheduler; empty when Durable Functions uses the Azure Storage backend.')
param durableTaskSchedulerEndpoint string = ''

@description('Task hub of the Durable Task Scheduler.')
param durableTaskHubName string = ''

@description('Organizations the app serves, comma-separated (app setting `Organizations`).')
param organizations string

@description('Entra ID object ID mapped to each organization\'s administrator when it is provisioned; empty for none.')
param administratorObjectId string = ''

@description('Time limit of one plug-in step in seconds (app setting `PluginStepTimeoutSeconds`; Dataverse allows 120).')
@minValue(1)
param pluginStepTimeoutSeconds int = 120

@description('How long a system job waits for a two-way or one-way listener, in seconds (app setting `ServiceEndpointReplyTimeoutSeconds`).')
@minValue(1)
param serviceEndpointReplyTimeoutSeconds int = 60

@description('How long after its row was last written the system-job sweep leaves an open job to its orchestration, in seconds (app setting `SystemJobSweepGraceSeconds`).')
@minValue(0)
param systemJobSweepGraceSeconds int = 60

@description('Domain the organizations are reached under, e.g. crm.contoso.com (app setting `OrganizationDomain`): webhooks carry `x-ms-dynamics-organization: {organization}.{domain}`; empty for the organization\'s name.')
param organizationDomain string = ''

@description('Node.js version of the Functions runtime.')
@allowed([
  '20'
  '22'
])
param nodeVersion string = '22'

@description('Upper bound of instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Memory of each instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Instances kept warm for the Durable Functions group (orchestrators, activities, entities); 0 for none.')
@minValue(0)
@maxValue(20)
param alwaysReadyDurableInstances int = 1

@description('Concurrent HTTP requests one instance handles before the platform adds another.')
@minValue(1)
@maxValue(1000)
param httpPerInstanceConcurrency int = 16

@description('Share of traces the app keeps, from 0 to 1: Application Insights fixed-percentage sampling on the trace id (app setting OTEL_TRACES_SAMPLER_ARG).')
param telemetrySamplingRatio string = '1'

resource storageAccount 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-11-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    publicNetworkAccess: 'Enabled'
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageAccount.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        alwaysReady: alwaysReadyDurableInstances > 0
          ? [
              {
                name: 'durable'
                instanceCount: alwaysReadyDurableInstances
              }
            ]
          : []
        triggers: {
          http: {
            perInstanceConcurrency: httpPerInstanceConcurrency
          }
        }
      }
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
  }
}

// Deployment uses Entra ID (azd), so basic-auth publishing stays off.
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

// Flex Consumption takes the runtime from functionAppConfig: FUNCTIONS_WORKER_RUNTIME,
// FUNCTIONS_EXTENSION_VERSION and WEBSITE_RUN_FROM_PACKAGE must not be set.
var eventHubsSettings = empty(eventHubsFullyQualifiedNamespace)
  ? {}
  : {
      EventHubConnection__fullyQualifiedNamespace: eventHubsFullyQualifiedNamespace
      EventHubConnection__credential: 'managedidentity'
      EventHubConnection__clientId: identityClientId
    }

// The scheduler authenticates the identity: its "connection string" names an endpoint and a client ID, no key.
var durableTaskSchedulerSettings = empty(durableTaskSchedulerEndpoint)
  ? {}
  : {
      DURABLE_TASK_SCHEDULER_CONNECTION_STRING: 'Endpoint=${durableTaskSchedulerEndpoint};Authentication=ManagedIdentity;ClientID=${identityClientId}'
      TASKHUB_NAME: durableTaskHubName
    }

resource appSettings 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: union(
    {
      AzureWebJobsStorage__blobServiceUri: storageAccount.properties.primaryEndpoints.blob
      AzureWebJobsStorage__queueServiceUri: storageAccount.properties.primaryEndpoints.queue
      AzureWebJobsStorage__tableServiceUri: storageAccount.properties.primaryEndpoints.table
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identityClientId
      ServiceBusConnection__fullyQualifiedNamespace: serviceBusFullyQualifiedNamespace
      ServiceBusConnection__credential: 'managedidentity'
      ServiceBusConnection__clientId: identityClientId
      // The connection string of a component with local auth off only locates it; ingestion needs the token.
      APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
      // Read by the Azure Monitor OpenTelemetry distro: a trace is kept or dropped whole, by its id.
      OTEL_TRACES_SAMPLER: 'microsoft.fixed_percentage'
      OTEL_TRACES_SAMPLER_ARG: telemetrySamplingRatio
      AZURE_CLIENT_ID: identityClientId
      Organizations: organizations
      AdministratorObjectId: administratorObjectId
      PluginStepTimeoutSeconds: string(pluginStepTimeoutSeconds)
      ServiceEndpointReplyTimeoutSeconds: string(serviceEndpointReplyTimeoutSeconds)
      SystemJobSweepGraceSeconds: string(systemJobSweepGraceSeconds)
      OrganizationDomain: organizationDomain
    },
    eventHubsSettings,
    durableTaskSchedulerSettings
  )
}

@description('Name of the Function App.')
output name string = functionApp.name

@description('Default host name of the Function App.')
output defaultHostName string = functionApp.properties.defaultHostName
