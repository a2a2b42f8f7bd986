/** Staging on the mock services (allowed outside production) with the secrets staging requires. */
export const STAGING_ON_MOCKS = {
  ENV_MODE: 'staging',
  PAYMENT_PROVIDER: 'mock',
  GEO_PROVIDER: 'mock',
  SMS_PROVIDER: 'mock',
  // Staging and production refuse secrets shorter than 24 characters.
  VAPI_WEBHOOK_SECRET: 'vapi-staging-secret-0123456789',
  DASHBOARD_TOKEN: 'dashboard-staging-token-0123456789',
};
