// Vapi `tool-calls` server messages as Vapi sends them (reference/vapi.md, section 3.2): the call, the
// caller, `toolCallList` and its `toolWithToolCallList` twin. Arguments go as an object or as a JSON string,
// since both have been seen from Vapi.
import { randomBytes, randomUUID } from 'node:crypto';

export interface VoiceCall {
  callId: string;
  toolCallId: string;
  callerNumber: string;
}

/** The restaurant's (made-up) Vapi number and organisation. */
const RESTAURANT_NUMBER = '+12125550100';
const PHONE_NUMBER_ID = '4a5a04dc-dcbe-45b1-8f64-fd32a253d136';
const ORG_ID = '379a13ec-f40d-4055-8959-797c4ee1694a';

/** A new call with an OpenAI-style tool call id; ids come from node:crypto so no two runs share one. */
export function newVoiceCall(callerNumber: string): VoiceCall {
  return {
    callId: randomUUID(),
    toolCallId: `call_${randomBytes(12).toString('base64url')}`,
    callerNumber,
  };
}

export function toolCallsMessage(
  call: VoiceCall,
  name: string,
  args: Record<string, unknown>,
  argumentsAsString: boolean,
): Record<string, unknown> {
  const now = new Date();
  const fn = { name, arguments: argumentsAsString ? JSON.stringify(args) : args };
  const toolCall = { id: call.toolCallId, type: 'function', function: fn };
  const customer = { number: call.callerNumber };
  return {
    message: {
      type: 'tool-calls',
      timestamp: now.getTime(),
      call: {
        id: call.callId,
        orgId: ORG_ID,
        createdAt: new Date(now.getTime() - 90_000).toISOString(),
        updatedAt: now.toISOString(),
        type: 'inboundPhoneCall',
        status: 'in-progress',
        phoneCallProvider: 'twilio',
        phoneCallTransport: 'pstn',
        phoneNumberId: PHONE_NUMBER_ID,
        assistantId: null,
        customer,
      },
      phoneNumber: { id: PHONE_NUMBER_ID, number: RESTAURANT_NUMBER, provider: 'twilio' },
      customer,
      toolCallList: [toolCall],
      toolWithToolCallList: [
        {
          type: 'function',
          async: false,
          function: { name, parameters: { type: 'object', properties: {} } },
          toolCall,
        },
      ],
      artifact: { messages: [], messagesOpenAIFormatted: [] },
    },
  };
}

/** Headers Vapi sends with the legacy shared secret (the server also takes a bearer token or an HMAC). */
export function vapiHeaders(secret: string | null): Record<string, string> {
  return secret ? { 'x-vapi-secret': secret } : {};
}
