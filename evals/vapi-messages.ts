// The Vapi server messages a scripted call sends, shaped as shared/reference/vapi.md documents them.

export interface CallParty {
  callId: string;
  caller: string;
}

export interface OutgoingToolCall {
  id: string;
  name: string;
  /** An object, or a string sent as it is. */
  args: unknown;
}

/** The restaurant's Vapi number: only for realism, the app identifies nothing by it. */
const DIALED = '+12125550100';

/** A message of `type` with nothing but the envelope (assistant-request, transfer-destination-request). */
export function vapiMessage(type: string, party: CallParty, extra: Record<string, unknown> = {}) {
  return {
    message: {
      type,
      timestamp: Date.now(),
      call: {
        id: party.callId,
        orgId: 'org-eval',
        type: 'inboundPhoneCall',
        customer: { number: party.caller },
      },
      phoneNumber: { id: 'pn-eval', number: DIALED },
      customer: { number: party.caller },
      ...extra,
    },
  };
}

export function toolCallsMessage(party: CallParty, calls: readonly OutgoingToolCall[]) {
  return vapiMessage('tool-calls', party, {
    toolCallList: calls.map((c) => ({
      id: c.id,
      type: 'function',
      function: { name: c.name, arguments: c.args },
    })),
  });
}

export function statusUpdateMessage(party: CallParty, status: string, endedReason: string | null) {
  return vapiMessage('status-update', party, { status, ...(endedReason ? { endedReason } : {}) });
}

export function endOfCallReport(party: CallParty) {
  return vapiMessage('end-of-call-report', party, {
    endedReason: 'customer-ended-call',
    artifact: { messages: [], transcript: '' },
  });
}
