metadata description = 'Durable Task Scheduler: the managed, high-throughput Durable Functions backend (host.json storageProvider type azureManaged), with a task hub and the data role for the app\'s identity.'

@description('Name of the scheduler (letters, digits and hyphens).')
@minLength(3)
@maxLength(64)
param name string

@description('Azure region of the scheduler.')
param location string

@description('Tags applied to the scheduler.')
param tags object = {}

@description('Name of the task hub (host.json hubName reads it from the TASKHUB_NAME setting).')
param taskHubName string = 'default'

@description('Consumption (pay per action) or Dedicated (reserved capacity units).')
@allowed([
  'Consumption'
  'Dedicated'
])
param skuName string = 'Consumption'

@description('Principal (object) ID of the Function App\'s user-assigned identity.')
param principalId string

// Built-in role Durable Task Data Contributor: run and manage orchestrations in the scheduler's task hubs.
var durableTaskDataContributorRoleId = '0ad04412-c4d5-4796-b79c-f76d14c8d402'

resource scheduler 'Microsoft.DurableTask/schedulers@2025-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    sku: {
      name: skuName
    }
    // An empty list denies every caller; access is still limited to identities holding a role.
    ipAllowlist: [
      '0.0.0.0/0'
    ]
  }
}

resource taskHub 'Microsoft.DurableTask/schedulers/taskHubs@2025-11-01' = {
  parent: scheduler
  name: taskHubName
}

resource durableTaskDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(scheduler.id, principalId, durableTaskDataContributorRoleId)
  scope: scheduler
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', durableTaskDataContributorRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

@description('Endpoint of the scheduler, e.g. https://<name>.<region>.durabletask.io.')
output endpoint string = scheduler.properties.endpoint

@description('Name of the task hub.')
output taskHubName string = taskHub.name
