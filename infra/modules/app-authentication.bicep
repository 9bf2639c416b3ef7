metadata description = 'App Service Authentication (Easy Auth) with Microsoft Entra ID in front of the Web API: requests without a valid token get 401, and the platform passes the caller to the app as x-ms-client-principal-id (stripping any such header a client sends).'

@description('Name of the Function App.')
param functionAppName string

@description('Entra ID tenant that issues the tokens.')
param tenantId string

@description('Application (client) ID of the Entra ID app registration that represents the Web API.')
@minLength(1)
param clientId string

@description('Client applications allowed to call the Web API; empty allows any application of the tenant.')
param allowedClientApplications array = []

resource functionApp 'Microsoft.Web/sites@2024-11-01' existing = {
  name: functionAppName
}

resource authSettings 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: functionApp
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'Return401'
    }
    httpSettings: {
      requireHttps: true
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: clientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenantId}/v2.0'
        }
        validation: {
          // v2 tokens carry the client ID as audience, v1 tokens the application ID URI.
          allowedAudiences: [
            clientId
            'api://${clientId}'
          ]
          defaultAuthorizationPolicy: {
            allowedApplications: empty(allowedClientApplications) ? null : allowedClientApplications
          }
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
  }
}
