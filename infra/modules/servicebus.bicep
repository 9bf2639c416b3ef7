metadata description = 'Service Bus namespace with the queues, topic and subscription the app posts to and its sample listener reads. Local (SAS) authentication is off: senders and receivers use Entra ID.'

@description('Name of the Service Bus namespace.')
@minLength(6)
@maxLength(50)
param name string

@description('Azure region of the namespace.')
param location string

@description('Tags applied to the namespace.')
param tags object = {}

@description('Standard (256 KB messages, shared capacity) or Premium (up to 100 MB messages, dedicated messaging units).')
@allowed([
  'Standard'
  'Premium'
])
param sku string = 'Standard'

@description('Messaging units when the SKU is Premium (about 4 MB/s each).')
@allowed([
  1
  2
  4
  8
  16
])
param premiumMessagingUnits int = 1

@description('Largest message a Premium entity accepts, in KB (Standard is fixed at 256 KB).')
@minValue(1024)
@maxValue(102400)
param premiumMaxMessageSizeInKilobytes int = 1024

var isPremium = sku == 'Premium'
// Standard entities reject this property; null leaves it out.
var maxMessageSizeInKilobytes = isPremium ? premiumMaxMessageSizeInKilobytes : null

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: sku
    tier: sku
    capacity: isPremium ? premiumMessagingUnits : null
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
    premiumMessagingPartitions: isPremium ? 1 : null
  }
}

// Queue endpoints (contracts 2 and 6) post here. MessageId is the system job's OperationId, so duplicate
// detection drops a post that a retry repeats.
resource eventsQueue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: namespace
  name: 'dataverse-events'
  properties: {
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT10M'
    requiresSession: false
    lockDuration: 'PT1M'
    maxDeliveryCount: 10
    defaultMessageTimeToLive: 'P14D'
    deadLetteringOnMessageExpiration: true
    maxMessageSizeInKilobytes: maxMessageSizeInKilobytes
  }
}

// Two-way replies: the listener answers with the request's MessageId as the reply's SessionId, and the
// waiting sender accepts exactly that session. Replies nobody waits for expire into the dead-letter queue.
resource repliesQueue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: namespace
  name: 'dataverse-replies'
  properties: {
    requiresDuplicateDetection: false
    requiresSession: true
    lockDuration: 'PT30S'
    maxDeliveryCount: 5
    defaultMessageTimeToLive: 'PT5M'
    deadLetteringOnMessageExpiration: true
    maxMessageSizeInKilobytes: maxMessageSizeInKilobytes
  }
}

// Topic endpoints (contract 5) post here; subscribers filter on the claim properties.
resource eventsTopic 'Microsoft.ServiceBus/namespaces/topics@2024-01-01' = {
  parent: namespace
  name: 'dataverse-topic'
  properties: {
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT10M'
    defaultMessageTimeToLive: 'P14D'
    maxMessageSizeInKilobytes: maxMessageSizeInKilobytes
  }
}

resource listenerSubscription 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2024-01-01' = {
  parent: eventsTopic
  name: 'listener'
  properties: {
    requiresSession: false
    lockDuration: 'PT1M'
    maxDeliveryCount: 10
    defaultMessageTimeToLive: 'P14D'
    deadLetteringOnMessageExpiration: true
    deadLetteringOnFilterEvaluationExceptions: true
  }
}

@description('Name of the namespace.')
output name string = namespace.name

@description('Host name of the namespace, e.g. <name>.servicebus.windows.net (setting `ServiceBusConnection__fullyQualifiedNamespace`).')
output fullyQualifiedNamespace string = split(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':')[0]
