// Vapi server messages as the tests send them (shape: ../shared/reference/vapi.md).
import { randomUUID } from 'node:crypto';

/** A `tool-calls` message with one call of `name` on call `callId` from `caller`. */
export function toolCallMessage(
  name: string,
  args: unknown,
  {
    callId,
    caller,
    toolCallId = `tc-${randomUUID()}`,
  }: { callId: string; caller: string; toolCallId?: string },
) {
  return {
    message: {
      type: 'tool-calls',
      timestamp: Date.now(),
      call: { id: callId, type: 'inboundPhoneCall', customer: { number: caller } },
      customer: { number: caller },
      toolCallList: [{ id: toolCallId, type: 'function', function: { name, arguments: args } }],
    },
  };
}
