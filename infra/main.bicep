// Entra Directory Sync for Teams: everything the API, the bot and the tab need in one resource group.
//
//   user-assigned managed identity ─┬─ Cosmos DB (NoSQL, serverless, keys disabled, data-plane RBAC)
//                                   ├─ Key Vault (key-encryption key: wrap/unwrap; secrets: read)
//                                   └─ App Service (Linux, Node 24 LTS) ── Azure Bot (Teams channel)
//   Log Analytics + Application Insights
//
// Deployed by Teams Toolkit (teamsapp.yml, arm/deploy) or `az deployment group create`; see README.md.

targetScope = 'resourceGroup'

@minLength(3)
@maxLength(16)
@description('Short lowercase name every resource name is derived from, e.g. "dirsync" plus a suffix.')
param resourceBaseName string

param location string = resourceGroup().location

@description('Client id of the product\'s own multi-tenant Entra app (appPackage/aad.manifest.json).')
param aadAppClientId string

@secure()
@description('Client secret of that app; stored in Key Vault, referenced from app settings.')
param aadAppClientSecret string

@description('Tenant that owns the app registrations (the bot\'s home tenant for SingleTenant bots).')
param aadAppTenantId string = subscription().tenantId

@allowed([
  'SingleTenant'
  'UserAssignedMSI'
])
@description('How the bot authenticates to the Bot Connector: its own Entra app with a secret, or the managed identity (no secret at all).')
param botAppType string = 'SingleTenant'

@description('SingleTenant: client id of the bot\'s Entra app. Ignored for UserAssignedMSI.')
param botAadAppClientId string = ''

@secure()
@description('SingleTenant: client secret of the bot\'s Entra app. Ignored for UserAssignedMSI.')
param botAadAppClientSecret string = ''

@secure()
@minLength(32)
@description('Signs standalone-browser session cookies and consent state (32+ characters); the server requires it.')
param sessionSecret string

@description('Manifest id of the Teams app (teamsApp/create), for links from bot cards into the tab.')
param teamsAppId string

@maxLength(42)
param botDisplayName string = 'Directory Sync'

@allowed([
  'F0'
  'S1'
])
param botServiceSku string = 'F0'

param appServiceSku string = 'P0v3'

@description('Startup command: the compiled production server of the bundle `npm run build` writes to dist/.')
param startupCommand string = 'node server/api/server.js'

@description('Microsoft Graph base URL; change for national clouds.')
param graphBaseUrl string = 'https://graph.microsoft.com'

@description('Entra ID authority host; change for national clouds.')
param authorityHost string = 'https://login.microsoftonline.com'

@minValue(1)
@maxValue(365)
param taskRecordRetentionDays int = 90

@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

param tags object = {}

var suffix = take(uniqueString(resourceGroup().id, resourceBaseName), 6)
var base = toLower(resourceBaseName)
var names = {
  identity: 'id-${base}'
  workspace: 'log-${base}'
  appInsights: 'appi-${base}'
  cosmos: 'cosmos-${base}-${suffix}'
  keyVault: take('kv${base}${suffix}', 24)
  plan: 'plan-${base}'
  site: 'app-${base}-${suffix}'
  bot: 'bot-${base}-${suffix}'
}
var databaseName = 'directory-sync'
var useManagedIdentityBot = botAppType == 'UserAssignedMSI'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: names.identity
  location: location
  tags: tags
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    workspaceName: names.workspace
    appInsightsName: names.appInsights
    location: location
    retentionInDays: logRetentionDays
    tags: tags
  }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  params: {
    accountName: names.cosmos
    location: location
    databaseName: databaseName
    dataContributorPrincipalId: identity.properties.principalId
    taskRecordTtlSeconds: taskRecordRetentionDays * 86400
    tags: tags
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    vaultName: names.keyVault
    location: location
    principalId: identity.properties.principalId
    workspaceId: monitoring.outputs.workspaceId
    aadAppClientSecret: aadAppClientSecret
    botAppPassword: useManagedIdentityBot ? '' : botAadAppClientSecret
    sessionSecret: sessionSecret
    tags: tags
  }
}

module appService 'modules/appservice.bicep' = {
  name: 'appservice'
  params: {
    planName: names.plan
    siteName: names.site
    location: location
    skuName: appServiceSku
    identityId: identity.id
    workspaceId: monitoring.outputs.workspaceId
    startupCommand: startupCommand
    tags: tags
  }
}

var host = appService.outputs.defaultHostName
var botAppId = useManagedIdentityBot ? identity.properties.clientId : botAadAppClientId

module appSettings 'modules/appsettings.bicep' = {
  name: 'appsettings'
  params: {
    siteName: appService.outputs.siteName
    // Names match api/config/config.ts.
    settings: {
      PUBLIC_URL: 'https://${host}'
      COSMOS_ENDPOINT: cosmos.outputs.endpoint
      COSMOS_DATABASE: cosmos.outputs.databaseName
      // DefaultAzureCredential picks the user-assigned identity by its client id.
      AZURE_CLIENT_ID: identity.properties.clientId
      ENCRYPTION_KEY_ID: keyVault.outputs.encryptionKeyUri
      APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.appInsightsConnectionString
      GRAPH_BASE_URL: graphBaseUrl
      AUTHORITY_HOST: authorityHost
      AUTH_CLIENT_ID: aadAppClientId
      AUTH_AUDIENCES: '${aadAppClientId},api://${host}/${aadAppClientId}'
      BOT_APP_ID: botAppId
      BOT_APP_TENANT_ID: aadAppTenantId
      BOT_APP_TYPE: botAppType
      TEAMS_APP_ID: teamsAppId
      // App Service's build service, not the app: installs dist/package.json's dependencies on deployment.
      SCM_DO_BUILD_DURING_DEPLOYMENT: 'true'
      // App Service's front end is the one proxy whose X-Forwarded-For the API trusts.
      TRUST_PROXY: '1'
    }
    secretUris: {
      AUTH_CLIENT_SECRET: keyVault.outputs.aadAppClientSecretUri
      BOT_APP_PASSWORD: keyVault.outputs.botAppPasswordUri
      SESSION_SECRET: keyVault.outputs.sessionSecretUri
    }
  }
}

module bot 'modules/bot.bicep' = {
  name: 'bot'
  params: {
    botName: names.bot
    displayName: botDisplayName
    endpoint: 'https://${host}/api/messages'
    msaAppType: botAppType
    msaAppId: botAppId
    msaAppTenantId: aadAppTenantId
    msaAppMsiResourceId: useManagedIdentityBot ? identity.id : ''
    skuName: botServiceSku
    tags: tags
  }
}

// Outputs are written to env/.env.<environment> by Teams Toolkit; none of them is a secret.
output AZURE_APP_SERVICE_RESOURCE_ID string = appService.outputs.resourceId
output TAB_DOMAIN string = host
output TAB_ENDPOINT string = 'https://${host}'
output BOT_DOMAIN string = host
output BOT_ENDPOINT string = 'https://${host}/api/messages'
output AZURE_BOT_NAME string = bot.outputs.botName
output COSMOS_ENDPOINT string = cosmos.outputs.endpoint
output COSMOS_DATABASE string = cosmos.outputs.databaseName
output KEY_VAULT_URI string = keyVault.outputs.vaultUri
output KEY_VAULT_NAME string = keyVault.outputs.vaultName
output MANAGED_IDENTITY_CLIENT_ID string = identity.properties.clientId
output MANAGED_IDENTITY_PRINCIPAL_ID string = identity.properties.principalId
