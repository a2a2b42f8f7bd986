export * from './idempotency.js';
export * from './menu.js';
export * from './orders.js';
export * from './workers.js';
export * from './voice.js';
export * from './payments.js';
export * from './dashboard.js';
