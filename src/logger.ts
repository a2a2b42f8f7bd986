// pino, shared by Fastify and the rest of the process. Secrets never reach a log line, and phone numbers
// appear only as their last four digits.
import pino, { type Logger } from 'pino';

export function maskPhone(value: unknown): string {
  if (typeof value !== 'string') return '[redacted]';
  const digits = value.replace(/\D/g, '');
  return digits.length <= 4 ? '***' : `***${digits.slice(-4)}`;
}

const SECRET_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-vapi-secret"]',
  'req.headers["x-signature"]',
  'req.headers["stripe-signature"]',
  '*.secret',
  '*.apiKey',
  '*.password',
];
const PHONE_PATHS = [
  '*.customerPhone',
  '*.customer_phone',
  '*.phone',
  'customerPhone',
  'customer_phone',
  'phone',
];

export function createLogger(options: { level: string; pretty: boolean }): Logger {
  return pino({
    level: options.level,
    redact: {
      paths: [...SECRET_PATHS, ...PHONE_PATHS],
      // For wildcard paths pino passes a Symbol as the first path element: only the last one is a name.
      censor: (value: unknown, path: unknown[]) => {
        const last = path.at(-1);
        return typeof last === 'string' && last.toLowerCase().includes('phone')
          ? maskPhone(value)
          : '[redacted]';
      },
    },
    ...(options.pretty
      ? {
          transport: {
            target: 'pino-pretty',
            options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' },
          },
        }
      : {}),
  });
}
