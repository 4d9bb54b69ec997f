// Cosmos DB for NoSQL, serverless, keys disabled: the API reaches it with its managed identity only.
// Container names and excluded (and extra included) paths mirror api/store/containers.ts (tests/unit/teamsapp-yml.test.ts
// checks that they stay in step). Data-plane RBAC cannot create containers, so every container the API
// uses must be declared here.

param accountName string
param location string

@description('SQL database name (COSMOS_DATABASE).')
param databaseName string = 'directory-sync'

@description('Principal (object) id of the API\'s managed identity, granted Cosmos DB Built-in Data Contributor.')
param dataContributorPrincipalId string

@description('Default TTL of taskRecords, in seconds. Items may carry their own shorter ttl.')
param taskRecordTtlSeconds int = 7776000

param tags object = {}

// Every container is partitioned by the customer's Entra tenant id.
var partitionKeyPath = '/tenantId'

// containers: begin
var containers = [
  {
    name: 'connections'
    excludedPaths: []
    compositeIndexes: []
  }
  {
    name: 'profiles'
    excludedPaths: []
    compositeIndexes: [
      [
        { path: '/tenantId', order: 'ascending' }
        { path: '/status', order: 'ascending' }
        { path: '/displayName', order: 'ascending' }
      ]
      [
        { path: '/tenantId', order: 'ascending' }
        { path: '/connectionId', order: 'ascending' }
        { path: '/displayName', order: 'ascending' }
      ]
    ]
  }
  {
    name: 'lists'
    excludedPaths: []
    compositeIndexes: [
      [
        { path: '/tenantId', order: 'ascending' }
        { path: '/status', order: 'ascending' }
        { path: '/name', order: 'ascending' }
      ]
      [
        { path: '/tenantId', order: 'ascending' }
        { path: '/connectionId', order: 'ascending' }
        { path: '/name', order: 'ascending' }
      ]
    ]
  }
  {
    name: 'memberships'
    excludedPaths: []
    compositeIndexes: [
      [
        { path: '/tenantId', order: 'ascending' }
        { path: '/listId', order: 'ascending' }
        { path: '/memberSourceId', order: 'ascending' }
      ]
      [
        { path: '/tenantId', order: 'ascending' }
        { path: '/memberSourceId', order: 'ascending' }
        { path: '/listId', order: 'ascending' }
      ]
    ]
  }
  {
    name: 'tasks'
    excludedPaths: [
      '/checkpoint/*'
    ]
    compositeIndexes: [
      [
        { path: '/tenantId', order: 'ascending' }
        { path: '/createdAt', order: 'descending' }
      ]
      [
        { path: '/tenantId', order: 'ascending' }
        { path: '/connectionId', order: 'ascending' }
        { path: '/createdAt', order: 'descending' }
      ]
    ]
  }
  {
    name: 'taskRecords'
    excludedPaths: []
    compositeIndexes: [
      [
        { path: '/tenantId', order: 'ascending' }
        { path: '/taskId', order: 'ascending' }
        { path: '/name', order: 'ascending' }
      ]
      [
        { path: '/tenantId', order: 'ascending' }
        { path: '/taskId', order: 'ascending' }
        { path: '/action', order: 'ascending' }
        { path: '/name', order: 'ascending' }
      ]
      [
        { path: '/tenantId', order: 'ascending' }
        { path: '/taskId', order: 'ascending' }
        { path: '/kind', order: 'ascending' }
        { path: '/name', order: 'ascending' }
      ]
    ]
  }
  {
    name: 'syncState'
    excludedPaths: [
      '/deltaLink/?'
      '/nextLink/?'
    ]
    compositeIndexes: []
  }
  {
    name: 'conversations'
    excludedPaths: []
    compositeIndexes: []
  }
  {
    name: 'leases'
    excludedPaths: []
    compositeIndexes: []
  }
  {
    name: 'audit'
    excludedPaths: []
    compositeIndexes: []
  }
  {
    name: 'attributeDefinitions'
    excludedPaths: []
    compositeIndexes: []
  }
  {
    name: 'photos'
    excludedPaths: [
      '/data/?'
    ]
    compositeIndexes: []
  }
  {
    name: 'events'
    excludedPaths: []
    compositeIndexes: []
  }
  {
    name: 'sessions'
    excludedPaths: []
    compositeIndexes: []
  }
  {
    name: 'apiKeys'
    excludedPaths: []
    compositeIndexes: []
  }
  {
    name: 'directoryEvents'
    excludedPaths: [
      '/events/*'
      '/cause/*'
      '/occurredAt/?'
      '/deflated/?'
    ]
    // Indexed inside the excluded '/events/*': the more precise path wins.
    includedPaths: [
      '/events/[]/id/?'
      '/events/[]/eventType/?'
    ]
    compositeIndexes: []
  }
  {
    name: 'feedState'
    excludedPaths: []
    compositeIndexes: []
  }
  {
    name: 'webhookEndpoints'
    excludedPaths: [
      '/secrets/*'
    ]
    compositeIndexes: []
  }
  {
    name: 'webhookDeliveries'
    excludedPaths: []
    compositeIndexes: []
  }
  {
    name: 'welcomeNotices'
    excludedPaths: []
    compositeIndexes: []
  }
]
// containers: end

resource account 'Microsoft.DocumentDB/databaseAccounts@2025-04-15' = {
  name: accountName
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    capabilities: [
      {
        name: 'EnableServerless'
      }
    ]
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    // No account keys: every data-plane call is authorized by Entra ID and Cosmos DB data-plane RBAC.
    disableLocalAuth: true
    // Databases and containers change only through this template (control plane), never from the app.
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2025-04-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
  }
}

resource sqlContainers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2025-04-15' = [
  for container in containers: {
    parent: database
    name: container.name
    properties: {
      resource: union(
        {
          id: container.name
          partitionKey: {
            paths: [
              partitionKeyPath
            ]
            kind: 'Hash'
            version: 2
          }
          indexingPolicy: {
            indexingMode: 'consistent'
            automatic: true
            includedPaths: concat(
              [
                {
                  path: '/*'
                }
              ],
              map(container.?includedPaths ?? [], path => { path: path })
            )
            excludedPaths: concat(
              [
                {
                  path: '/"_etag"/?'
                }
              ],
              map(container.excludedPaths, path => { path: path })
            )
            compositeIndexes: container.compositeIndexes
          }
        },
        // taskRecords and sessions expire; the purge job covers stores without TTL (the local Cosmos server).
        container.name == 'taskRecords' ? { defaultTtl: taskRecordTtlSeconds } : {},
        // -1: TTL on without a default, so each session lives as long as its own `ttl` (the sign-in's hours).
        container.name == 'sessions' ? { defaultTtl: -1 } : {}
      )
    }
  }
]

// Cosmos DB Built-in Data Contributor (data plane: read and write items, read metadata).
var dataContributorRoleDefinitionId = '00000000-0000-0000-0000-000000000002'

resource dataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2025-04-15' = {
  parent: account
  name: guid(account.id, dataContributorPrincipalId, dataContributorRoleDefinitionId)
  properties: {
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/${dataContributorRoleDefinitionId}'
    principalId: dataContributorPrincipalId
    scope: account.id
  }
}

output accountName string = account.name
output endpoint string = account.properties.documentEndpoint
output databaseName string = database.name
