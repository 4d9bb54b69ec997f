// App settings of the API, applied after the site exists so they can name its own host.
// Secrets are Key Vault references (@Microsoft.KeyVault(SecretUri=...)), resolved by App Service with the
// site's keyVaultReferenceIdentity; their values never pass through this deployment's parameters or logs.

param siteName string

@description('Settings with plain values.')
param settings object

@description('Settings whose values are versionless Key Vault secret URIs; empty URIs are left out.')
param secretUris object

resource site 'Microsoft.Web/sites@2024-11-01' existing = {
  name: siteName
}

var secretReferences = toObject(
  filter(items(secretUris), entry => !empty(entry.value)),
  entry => entry.key,
  entry => '@Microsoft.KeyVault(SecretUri=${entry.value})'
)

resource appSettings 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: site
  name: 'appsettings'
  properties: union(settings, secretReferences)
}
