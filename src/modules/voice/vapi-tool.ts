// How the assistant and each of its function tools reach our webhook, and what Vapi says while a tool runs.
// Current Vapi authenticates a server through a stored credential (`server.credentialId`) or static
// `server.headers`, not the legacy inline `server.secret`, so no `secret` field is ever written: the credential
// is named by id, or, without one, the webhook secret goes as the X-Vapi-Secret header vapi.auth.ts verifies.

export interface ToolServer {
  /** The full webhook URL, e.g. https://orders.example.com/webhook/vapi. */
  url: string;
  /** A credential stored in Vapi (VAPI_CREDENTIAL_ID); when set, no secret appears in the assistant at all. */
  credentialId: string | null;
  /** The current VAPI_WEBHOOK_SECRET (or a placeholder), sent as X-Vapi-Secret; null when none is configured. */
  webhookSecret: string | null;
}

const SERVER_TIMEOUT_SECONDS = 20;
// Spoken only when we have not answered by then; most tool calls finish well before.
const DELAYED_AFTER_MS = 4000;
// Spoken instead of a model reply when our webhook fails or times out: a timeout is not necessarily an outage,
// so it claims only trouble, and it offers rather than promises, so the caller's answer (not a sentence the
// model may not follow through on) decides between a retry and a transfer.
const TROUBLE = "Sorry, I'm having trouble with our ordering system right now.";
const FAILED_MESSAGE = `${TROUBLE} I can try again, or connect you to the restaurant.`;
const FAILED_MESSAGE_NO_TRANSFER = `${TROUBLE} Shall I try again?`;

/** A Vapi `server` object: url and timeout, plus the credential id, or else the secret header, or neither. */
export function vapiServer(server: ToolServer): Record<string, unknown> {
  const base = { url: server.url, timeoutSeconds: SERVER_TIMEOUT_SECONDS };
  if (server.credentialId !== null) return { ...base, credentialId: server.credentialId };
  if (server.webhookSecret !== null) return { ...base, headers: { 'X-Vapi-Secret': server.webhookSecret } };
  return base;
}

interface FunctionToolSpec {
  name: string;
  /** Tells the model when to call the tool; kept short, it is sent on every turn. */
  description: string;
  parameters: Record<string, unknown>;
  /** Spoken as the call starts, so the caller is not left in silence. */
  startMessage: string;
  server: ToolServer;
  /** Only with a restaurant phone may the failure message offer a transfer. */
  canTransfer: boolean;
}

/** A synchronous CreateFunctionToolDTO: the model waits for our answer and speaks from it. */
export function functionTool(spec: FunctionToolSpec): Record<string, unknown> {
  return {
    type: 'function',
    async: false,
    function: { name: spec.name, description: spec.description, parameters: spec.parameters },
    server: vapiServer(spec.server),
    messages: [
      { type: 'request-start', content: spec.startMessage, blocking: false },
      {
        type: 'request-response-delayed',
        content: 'Still working on it, thanks for your patience.',
        timingMilliseconds: DELAYED_AFTER_MS,
      },
      { type: 'request-failed', content: spec.canTransfer ? FAILED_MESSAGE : FAILED_MESSAGE_NO_TRANSFER },
    ],
  };
}
