metadata description = 'The user-assigned managed identity the Function App uses for every data-plane call and for reading its deployment package.'

@description('Name of the user-assigned managed identity.')
param name string

@description('Azure region of the identity.')
param location string

@description('Tags applied to the identity.')
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

@description('Resource ID of the identity.')
output resourceId string = identity.id

@description('Name of the identity.')
output name string = identity.name

@description('Client ID of the identity (app settings `*__clientId` and `AZURE_CLIENT_ID`).')
output clientId string = identity.properties.clientId

@description('Principal (object) ID of the identity, for role assignments.')
output principalId string = identity.properties.principalId
