metadata description = 'Event Hubs namespace and the hub Event Hub endpoints (contract 7) post to. Local (SAS) authentication is off: the app sends with Entra ID.'

@description('Name of the Event Hubs namespace.')
@minLength(6)
@maxLength(50)
param name string

@description('Azure region of the namespace.')
param location string

@description('Tags applied to the namespace.')
param tags object = {}

@description('Throughput units of the Standard namespace (1 MB/s in, 2 MB/s out each).')
@minValue(1)
@maxValue(40)
param capacity int = 1

@description('Partitions of the hub; one record\'s events share a partition key, so they stay in order.')
@minValue(1)
@maxValue(32)
param partitionCount int = 4

@description('Hours the hub keeps events.')
@minValue(1)
@maxValue(168)
param retentionInHours int = 24

resource namespace 'Microsoft.EventHub/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
    capacity: capacity
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource eventsHub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = {
  parent: namespace
  name: 'dataverse-events'
  properties: {
    partitionCount: partitionCount
    retentionDescription: {
      cleanupPolicy: 'Delete'
      retentionTimeInHours: retentionInHours
    }
  }
}

@description('Name of the namespace.')
output name string = namespace.name

@description('Host name of the namespace, e.g. <name>.servicebus.windows.net (setting `EventHubConnection__fullyQualifiedNamespace`).')
output fullyQualifiedNamespace string = split(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':')[0]
