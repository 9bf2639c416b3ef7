metadata description = 'The data-plane roles the Function App\'s identity needs, each scoped to the one resource it is for, and nothing broader.'

@description('Principal (object) ID of the Function App\'s user-assigned identity.')
param principalId string

@description('Storage account of the runtime, Durable Functions, the deployment package and the tables.')
param storageAccountName string

@description('Service Bus namespace the app posts to and its listener reads.')
param serviceBusNamespaceName string

@description('Event Hubs namespace the app posts to; empty when Event Hubs is not deployed.')
param eventHubsNamespaceName string = ''

@description('Application Insights component the app sends telemetry to with Entra ID.')
param applicationInsightsName string

// Built-in role definition IDs: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
var roleDefinitionIds = {
  // Runtime host (leases, keys), timer and Durable Functions blobs, and reading the deployment package.
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  // Durable Functions control and work-item queues (Azure Storage backend).
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  // Durable Functions history and instances, and the project's tables.
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  // Posting to queues and topics, and two-way replies.
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  // The sample listener's triggers and waiting for two-way replies.
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
  // Posting to the Event Hub.
  eventHubsDataSender: '2b629674-e913-4c01-ae53-ef4638d8f975'
  // Sending telemetry to Application Insights with Entra ID (local auth is off).
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

resource storageAccount 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource serviceBusNamespace 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName
}

resource eventHubsNamespace 'Microsoft.EventHub/namespaces@2024-01-01' existing = if (!empty(eventHubsNamespaceName)) {
  name: eventHubsNamespaceName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource storageBlobDataOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, principalId, roleDefinitionIds.storageBlobDataOwner)
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionIds.storageBlobDataOwner)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Granted whatever the Durable backend: host.json, not a deployment switch, decides whether Durable Functions
// keeps its work items in queues, and a missing role only shows as 403s once orchestrations run.
resource storageQueueDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, principalId, roleDefinitionIds.storageQueueDataContributor)
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionIds.storageQueueDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource storageTableDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, principalId, roleDefinitionIds.storageTableDataContributor)
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionIds.storageTableDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource serviceBusDataSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(serviceBusNamespace.id, principalId, roleDefinitionIds.serviceBusDataSender)
  scope: serviceBusNamespace
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionIds.serviceBusDataSender)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource serviceBusDataReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(serviceBusNamespace.id, principalId, roleDefinitionIds.serviceBusDataReceiver)
  scope: serviceBusNamespace
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionIds.serviceBusDataReceiver)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource eventHubsDataSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(eventHubsNamespaceName)) {
  name: guid(eventHubsNamespace.id, principalId, roleDefinitionIds.eventHubsDataSender)
  scope: eventHubsNamespace
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionIds.eventHubsDataSender)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource monitoringMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, principalId, roleDefinitionIds.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionIds.monitoringMetricsPublisher)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
