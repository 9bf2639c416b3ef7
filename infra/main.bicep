targetScope = 'subscription'

metadata description = 'Event Pipeline on Azure: a Flex Consumption Function App with a user-assigned identity, its storage, Service Bus, optional Event Hubs, Application Insights, the data-plane roles it needs and Entra ID authentication in front of the Web API.'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; it seeds the unique names of all resources.')
param environmentName string

@minLength(1)
@description('Azure region for all resources; it must offer the Flex Consumption plan.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Name of the resource group; empty for rg-<environmentName>.')
param resourceGroupName string = ''

@description('Organizations the app serves, comma-separated; each gets a Web API at /{org}/api/data/v9.2/.')
@minLength(1)
param organizations string = 'contoso'

@description('Entra ID object ID of the person who becomes each organization\'s administrator; azd passes the signed-in user.')
param administratorObjectId string = ''

@description('Domain the organizations are reached under, e.g. crm.contoso.com: webhooks carry `x-ms-dynamics-organization: {organization}.{domain}`; empty for the organization\'s name.')
param organizationDomain string = ''

@description('Service Bus tier: Standard (256 KB messages) or Premium (large messages, dedicated capacity).')
@allowed([
  'Standard'
  'Premium'
])
param serviceBusSku string = 'Standard'

@description('Messaging units when serviceBusSku is Premium.')
@allowed([
  1
  2
  4
  8
  16
])
param serviceBusPremiumMessagingUnits int = 1

@description('Deploy an Event Hubs namespace and hub for Event Hub endpoints (contract 7).')
param eventHubsEnabled bool = false

@description('Deploy a Durable Task Scheduler and point the app at it. host.json decides the backend: its durableTask storageProvider type must be azureManaged exactly when this is true (the infra check compares it with this default and main.parameters.json\'s).')
param durableTaskSchedulerEnabled bool = false

@description('Upper bound of Function App instances.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Memory of each Function App instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Always-ready instances for the Durable Functions group; 0 lets it scale to zero.')
@minValue(0)
@maxValue(20)
param alwaysReadyDurableInstances int = 1

@description('Concurrent HTTP requests per instance before scaling out.')
@minValue(1)
@maxValue(1000)
param httpPerInstanceConcurrency int = 16

@description('Share of traces the app keeps, from 0 to 1 (Application Insights fixed-percentage sampling on the trace id).')
param telemetrySamplingRatio string = '1'

@description('Entra ID tenant of the Web API app registration; empty for the deployment\'s tenant.')
param authTenantId string = ''

@description('Application (client) ID of the Entra ID app registration that represents the Web API.')
@minLength(1)
param authClientId string

@description('Client application IDs allowed to call the Web API, comma-separated; empty allows any application of the tenant.')
param authAllowedClientApplications string = ''

@description('Days Log Analytics keeps logs.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var functionAppName = 'func-${resourceToken}'
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'
var organizationNames = map(split(organizations, ','), org => trim(org))
var allowedClientApplications = empty(authAllowedClientApplications)
  ? []
  : map(split(authAllowedClientApplications, ','), id => trim(id))

resource rg 'Microsoft.Resources/resourceGroups@2024-11-01' = {
  name: empty(resourceGroupName) ? 'rg-${environmentName}' : resourceGroupName
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-func-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  scope: rg
  params: {
    name: 'sb-${resourceToken}'
    location: location
    tags: tags
    sku: serviceBusSku
    premiumMessagingUnits: serviceBusPremiumMessagingUnits
  }
}

module eventHubs 'modules/eventhubs.bicep' = if (eventHubsEnabled) {
  name: 'eventhubs'
  scope: rg
  params: {
    name: 'evhns-${resourceToken}'
    location: location
    tags: tags
  }
}

module durableTaskScheduler 'modules/durable-task-scheduler.bicep' = if (durableTaskSchedulerEnabled) {
  name: 'durable-task-scheduler'
  scope: rg
  params: {
    name: 'dts-${resourceToken}'
    location: location
    tags: tags
    principalId: identity.outputs.principalId
  }
}

module roleAssignments 'modules/role-assignments.bicep' = {
  name: 'role-assignments'
  scope: rg
  params: {
    principalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    serviceBusNamespaceName: serviceBus.outputs.name
    eventHubsNamespaceName: eventHubsEnabled ? eventHubs!.outputs.name : ''
    applicationInsightsName: monitoring.outputs.applicationInsightsName
  }
}

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  scope: rg
  params: {
    name: functionAppName
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.resourceId
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    serviceBusFullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
    eventHubsFullyQualifiedNamespace: eventHubsEnabled ? eventHubs!.outputs.fullyQualifiedNamespace : ''
    durableTaskSchedulerEndpoint: durableTaskSchedulerEnabled ? durableTaskScheduler!.outputs.endpoint : ''
    durableTaskHubName: durableTaskSchedulerEnabled ? durableTaskScheduler!.outputs.taskHubName : ''
    organizations: join(organizationNames, ',')
    administratorObjectId: administratorObjectId
    organizationDomain: organizationDomain
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    alwaysReadyDurableInstances: alwaysReadyDurableInstances
    httpPerInstanceConcurrency: httpPerInstanceConcurrency
    telemetrySamplingRatio: telemetrySamplingRatio
  }
  // The host starts with its identity already allowed in, so its first storage call does not fail.
  dependsOn: [
    roleAssignments
    durableTaskScheduler
  ]
}

module appAuthentication 'modules/app-authentication.bicep' = {
  name: 'app-authentication'
  scope: rg
  params: {
    functionAppName: functionApp.outputs.name
    tenantId: empty(authTenantId) ? tenant().tenantId : authTenantId
    clientId: authClientId
    allowedClientApplications: allowedClientApplications
  }
}

var apiBaseUri = 'https://${functionApp.outputs.defaultHostName}'

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = apiBaseUri
@description('Web API base URL of the first organization.')
output WEB_API_BASE_URL string = '${apiBaseUri}/${organizationNames[0]}/api/data/v9.2/'
@description('Web API base URL of every organization.')
output WEB_API_BASE_URLS array = map(organizationNames, org => '${apiBaseUri}/${org}/api/data/v9.2/')
output AZURE_FUNCTION_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output STORAGE_ACCOUNT_NAME string = storage.outputs.name
output SERVICE_BUS_NAMESPACE string = serviceBus.outputs.name
output SERVICE_BUS_FULLY_QUALIFIED_NAMESPACE string = serviceBus.outputs.fullyQualifiedNamespace
output EVENT_HUBS_NAMESPACE string = eventHubsEnabled ? eventHubs!.outputs.name : ''
output EVENT_HUBS_FULLY_QUALIFIED_NAMESPACE string = eventHubsEnabled ? eventHubs!.outputs.fullyQualifiedNamespace : ''
output DURABLE_TASK_SCHEDULER_ENDPOINT string = durableTaskSchedulerEnabled ? durableTaskScheduler!.outputs.endpoint : ''
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
