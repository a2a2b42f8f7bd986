/** Staging on the mock services (allowed outside production) with the secrets staging requires. */
export const STAGING_ON_MOCKS = {
  ENV_MODE: 'staging',
  PAYMENT_PROVIDER: 'mock',
  GEO_PROVIDER: 'mock',
  SMS_PROVIDER: 'mock',
  VAPI_WEBHOOK_SECRET: 'vapi-secret',
  DASHBOARD_TOKEN: 'dash-token',
};
