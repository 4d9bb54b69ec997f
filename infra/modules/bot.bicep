// Azure Bot registration with the Microsoft Teams channel. The messaging endpoint is the API host.

param botName string
param displayName string

@description('https://<host>/api/messages')
param endpoint string

@allowed([
  'SingleTenant'
  'UserAssignedMSI'
])
param msaAppType string = 'SingleTenant'

@description('SingleTenant: the bot Entra app\'s client id. UserAssignedMSI: the managed identity\'s client id.')
param msaAppId string

param msaAppTenantId string

@description('UserAssignedMSI only: resource id of the managed identity.')
param msaAppMsiResourceId string = ''

@allowed([
  'F0'
  'S1'
])
param skuName string = 'F0'

param tags object = {}

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: botName
  location: 'global'
  tags: tags
  kind: 'azurebot'
  sku: {
    name: skuName
  }
  properties: union(
    {
      displayName: displayName
      endpoint: endpoint
      msaAppId: msaAppId
      msaAppType: msaAppType
      msaAppTenantId: msaAppTenantId
    },
    msaAppType == 'UserAssignedMSI' ? { msaAppMSIResourceId: msaAppMsiResourceId } : {}
  )
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
      acceptedTerms: true
    }
  }
}

output botName string = bot.name
