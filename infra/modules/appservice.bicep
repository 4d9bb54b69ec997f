// Linux App Service (Node 24 LTS) hosting the API, the bot endpoint (/api/messages) and the built tab.
// It runs as a user-assigned managed identity, which reaches Cosmos DB and Key Vault without keys.

param planName string
param siteName string
param location string

@description('App Service plan SKU. P0v3 or higher keeps Always On and deployment slots available.')
param skuName string = 'P0v3'

@description('Resource id of the user-assigned managed identity the app runs as.')
param identityId string

@description('Log Analytics workspace receiving the app\'s HTTP, console and platform logs.')
param workspaceId string

@description('Startup command, run in the deployed bundle (dist/): the compiled production server.')
param startupCommand string = 'node server/api/server.js'

param tags object = {}

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'linux'
  sku: {
    name: skuName
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-11-01' = {
  name: siteName
  location: location
  tags: tags
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false
    // Key Vault references in app settings resolve with this identity, not a system-assigned one.
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      linuxFxVersion: 'NODE|24-lts'
      appCommandLine: startupCommand
      alwaysOn: true
      http20Enabled: true
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      healthCheckPath: '/healthz'
    }
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  scope: site
  name: 'to-log-analytics'
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        category: 'AppServiceHTTPLogs'
        enabled: true
      }
      {
        category: 'AppServiceConsoleLogs'
        enabled: true
      }
      {
        category: 'AppServicePlatformLogs'
        enabled: true
      }
    ]
  }
}

output siteName string = site.name
output resourceId string = site.id
output defaultHostName string = site.properties.defaultHostName
