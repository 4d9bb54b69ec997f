// Key Vault (RBAC authorization, soft delete, purge protection) holding:
// - the key-encryption key that wraps the per-record data keys protecting connection secrets
//   (refresh tokens, client secrets) stored in Cosmos DB: envelope encryption, the key never leaves the vault;
// - the app's own secrets (Entra client secret, bot password, session secret), read by App Service
//   through Key Vault references so they never appear in app settings or deployment outputs.

param vaultName string
param location string

@description('Principal (object) id of the API\'s managed identity.')
param principalId string

@description('Log Analytics workspace receiving the vault\'s audit log.')
param workspaceId string

@secure()
@description('Client secret of the product\'s Entra app. Empty: no secret is stored.')
param aadAppClientSecret string = ''

@secure()
@description('Client secret of the bot\'s Entra app (SingleTenant bots). Empty: no secret is stored.')
param botAppPassword string = ''

@secure()
@description('Secret that signs standalone-browser session cookies. Empty: no secret is stored.')
param sessionSecret string = ''

@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int = 90

param tags object = {}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: vaultName
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

// Key-encryption key: wrap and unwrap only. Rotation creates a new version; data keys wrapped by an
// older version stay readable because each wrapped key records the key version (kid) that wrapped it.
resource encryptionKey 'Microsoft.KeyVault/vaults/keys@2024-11-01' = {
  parent: vault
  name: 'connection-secrets-kek'
  properties: {
    kty: 'RSA'
    keySize: 3072
    keyOps: [
      'wrapKey'
      'unwrapKey'
    ]
    rotationPolicy: {
      lifetimeActions: [
        {
          trigger: {
            timeAfterCreate: 'P1Y'
          }
          action: {
            type: 'rotate'
          }
        }
      ]
    }
  }
}

var aadSecretName = 'aad-app-client-secret'
var hasAadSecret = !empty(aadAppClientSecret)
var hasBotSecret = !empty(botAppPassword)
var hasSessionSecret = !empty(sessionSecret)
var botSecretName = 'bot-app-password'
var sessionSecretName = 'session-secret'

resource aadSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (hasAadSecret) {
  parent: vault
  name: aadSecretName
  properties: {
    value: aadAppClientSecret
    contentType: 'text/plain'
  }
}

resource botSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (hasBotSecret) {
  parent: vault
  name: botSecretName
  properties: {
    value: botAppPassword
    contentType: 'text/plain'
  }
}

resource sessionSecretResource 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (hasSessionSecret) {
  parent: vault
  name: sessionSecretName
  properties: {
    value: sessionSecret
    contentType: 'text/plain'
  }
}

// Built-in roles, least privilege: read secret values on this vault; wrap/unwrap with this one key.
var secretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6' // Key Vault Secrets User
var cryptoServiceEncryptionUserRoleId = 'e147488a-f6f5-4113-8e2d-b22465e65bf6' // Key Vault Crypto Service Encryption User

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, principalId, secretsUserRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUserRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource keyWrapper 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: encryptionKey
  name: guid(encryptionKey.id, principalId, cryptoServiceEncryptionUserRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      cryptoServiceEncryptionUserRoleId
    )
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource auditLog 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  scope: vault
  name: 'audit-to-log-analytics'
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        categoryGroup: 'audit'
        enabled: true
      }
    ]
  }
}

// Versionless secret URIs: App Service picks up a rotated secret without a redeployment.
var vaultUri = vault.properties.vaultUri

output vaultName string = vault.name
output vaultUri string = vaultUri
@description('Versionless key identifier for ENCRYPTION_KEY_ID.')
output encryptionKeyUri string = encryptionKey.properties.keyUri
output aadAppClientSecretUri string = hasAadSecret ? '${vaultUri}secrets/${aadSecretName}' : ''
output botAppPasswordUri string = hasBotSecret ? '${vaultUri}secrets/${botSecretName}' : ''
output sessionSecretUri string = hasSessionSecret ? '${vaultUri}secrets/${sessionSecretName}' : ''
