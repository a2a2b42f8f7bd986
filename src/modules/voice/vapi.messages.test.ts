import { describe, expect, it } from 'vitest';
import {
  extractFunctionCall,
  extractToolCalls,
  parseEndOfCallReport,
  parseEnvelope,
  parseStatusUpdate,
  toSpokenLine,
} from './vapi.messages.js';

// Fixtures copied from shared/reference/vapi.md.

const STATUS_UPDATE_ENVELOPE = {
  message: {
    type: 'status-update',
    timestamp: 1767201000123,
    call: { id: '6b38c32e-6d5c-4d10-bce5-951581ddcd77', orgId: '379a13ec-...', type: 'inboundPhoneCall' },
    phoneNumber: { id: '4a5a04dc-...', number: '+14155550100', provider: 'twilio' },
    customer: { number: '+14155550199' },
    assistant: { name: "Luigi's phone orders", metadata: { restaurantId: 'r_42' } },
    artifact: { messages: [], messagesOpenAIFormatted: [] },
    status: 'in-progress',
  },
};

const ASSISTANT_REQUEST = {
  message: {
    type: 'assistant-request',
    timestamp: 1767201000123,
    call: {
      id: 'b1223960-1b4d-4585-91b8-a69b0f57ec2f',
      orgId: '379a13ec-f40d-4055-8959-797c4ee1694a',
      createdAt: '2026-01-31T18:53:47.585Z',
      updatedAt: '2026-01-31T18:53:47.585Z',
      type: 'inboundPhoneCall',
      status: 'ringing',
      phoneCallProvider: 'twilio',
      phoneCallProviderId: 'CAf7a0c71f5d2d858e7538fbcff82ebefe',
      phoneCallTransport: 'pstn',
      phoneNumberId: '4a5a04dc-dcbe-45b1-8f64-fd32a253d136',
      assistantId: null,
      squadId: null,
      customer: { number: '+14155550199' },
    },
    phoneNumber: {
      id: '4a5a04dc-dcbe-45b1-8f64-fd32a253d136',
      number: '+14155550100',
      provider: 'twilio',
      assistantId: null,
    },
    customer: { number: '+14155550199' },
  },
};

const ADD_ITEM_ARGS = { itemId: 'pz-marg-12', quantity: 2, notes: 'extra basil' };

const TOOL_CALLS = {
  message: {
    type: 'tool-calls',
    timestamp: 1767201033456,
    call: {
      id: 'b1223960-1b4d-4585-91b8-a69b0f57ec2f',
      orgId: '379a13ec-...',
      type: 'inboundPhoneCall',
      customer: { number: '+14155550199' },
    },
    phoneNumber: { id: '4a5a04dc-...', number: '+14155550100' },
    customer: { number: '+14155550199' },
    toolCallList: [
      {
        id: 'call_mrf9Qx2LrT0aZb7c',
        type: 'function',
        function: {
          name: 'add_item',
          arguments: { itemId: 'pz-marg-12', quantity: 2, notes: 'extra basil' },
        },
      },
    ],
    toolWithToolCallList: [
      {
        type: 'function',
        async: false,
        function: {
          name: 'add_item',
          description: 'Add a menu item to the order',
          parameters: {
            type: 'object',
            properties: { itemId: { type: 'string' }, quantity: { type: 'integer' } },
            required: ['itemId', 'quantity'],
          },
        },
        server: { url: 'https://orders.example.com/vapi/webhook', timeoutSeconds: 20 },
        messages: [{ type: 'request-start', content: 'Adding that now.' }],
        toolCall: {
          id: 'call_mrf9Qx2LrT0aZb7c',
          type: 'function',
          function: {
            name: 'add_item',
            arguments: { itemId: 'pz-marg-12', quantity: 2, notes: 'extra basil' },
          },
        },
      },
    ],
    artifact: { messages: [], messagesOpenAIFormatted: [] },
  },
};

const FUNCTION_CALL = {
  message: {
    type: 'function-call',
    call: { id: '...' },
    functionCall: { name: 'add_item', parameters: { itemId: 'pz-marg-12', quantity: 2 } },
  },
};

const STATUS_ENDED = {
  message: {
    type: 'status-update',
    status: 'ended',
    endedReason: 'customer-ended-call',
    timestamp: 1767201190000,
    call: { id: 'b1223960-...' },
  },
};

const END_OF_CALL_REPORT = {
  message: {
    type: 'end-of-call-report',
    timestamp: 1767201195000,
    endedReason: 'customer-ended-call',
    startedAt: '2026-01-31T18:53:49.010Z',
    endedAt: '2026-01-31T18:56:30.442Z',
    cost: 0.1834,
    costs: [{ type: 'transport', minutes: 2.7, cost: 0.012 }],
    call: { id: 'b1223960-1b4d-4585-91b8-a69b0f57ec2f', orgId: '379a13ec-...' },
    customer: { number: '+14155550199' },
    artifact: {
      transcript: "AI: Thanks for calling Luigi's...\nUser: Two margheritas please...\n",
      messages: [
        {
          role: 'bot',
          message: "Thanks for calling Luigi's, what can I get you?",
          time: 1767201030000,
          endTime: 1767201032500,
          secondsFromStart: 1.2,
        },
        {
          role: 'user',
          message: 'Two margheritas please.',
          time: 1767201034000,
          endTime: 1767201035800,
          secondsFromStart: 5.1,
        },
        {
          role: 'tool_calls',
          message: '',
          time: 1767201036000,
          secondsFromStart: 6.0,
          toolCalls: [
            {
              id: 'call_mrf9Qx2LrT0aZb7c',
              type: 'function',
              function: { name: 'add_item', arguments: '{"itemId":"pz-marg-12","quantity":2}' },
            },
          ],
        },
        {
          role: 'tool_call_result',
          toolCallId: 'call_mrf9Qx2LrT0aZb7c',
          name: 'add_item',
          result: '{"ok":true}',
          time: 1767201036400,
          secondsFromStart: 6.4,
        },
      ],
      messagesOpenAIFormatted: [
        { role: 'assistant', content: "Thanks for calling Luigi's, what can I get you?" },
      ],
      recordingUrl: 'https://recordings.example/b1223960-mono.wav',
      stereoRecordingUrl: 'https://recordings.example/b1223960-stereo.wav',
      recording: {
        stereoUrl: 'https://...',
        mono: { combinedUrl: 'https://...', assistantUrl: 'https://...', customerUrl: 'https://...' },
      },
    },
    analysis: {
      summary: 'Caller ordered two 12in margheritas for pickup.',
      structuredData: { orderConfirmed: true },
      successEvaluation: 'true',
    },
  },
};

// 2024 capture shape: report fields at the top level, `artifact` nearly empty, ISO timestamp, stale call.status.
const END_OF_CALL_REPORT_2024 = {
  message: {
    type: 'end-of-call-report',
    timestamp: '2024-07-10T17:03:44.123Z',
    endedReason: 'assistant-ended-call',
    call: {
      id: '0b2c3f1e-2024-4a5b-9c8d-7e6f5a4b3c2d',
      status: 'ringing',
      startedAt: '2024-07-10T17:01:02.000Z',
      endedAt: '2024-07-10T17:03:40.500Z',
      customer: { number: '+14155550111' },
    },
    transcript: 'AI: Hello.\nUser: One pepperoni.\n',
    summary: 'Caller ordered one pepperoni.',
    messages: [],
    recordingUrl: 'https://recordings.example/2024-mono.wav',
    stereoRecordingUrl: 'https://recordings.example/2024-stereo.wav',
    artifact: {},
  },
};

describe('parseEnvelope', () => {
  it('reads type, call id, caller and dialed number from the common envelope', () => {
    const envelope = parseEnvelope(STATUS_UPDATE_ENVELOPE);
    expect(envelope).toEqual({
      type: 'status-update',
      callId: '6b38c32e-6d5c-4d10-bce5-951581ddcd77',
      callerNumber: '+14155550199',
      phoneNumber: '+14155550100',
      message: STATUS_UPDATE_ENVELOPE.message,
    });
    expect(envelope?.message).toBe(STATUS_UPDATE_ENVELOPE.message);
  });

  it('reads an assistant-request', () => {
    expect(parseEnvelope(ASSISTANT_REQUEST)).toMatchObject({
      type: 'assistant-request',
      callId: 'b1223960-1b4d-4585-91b8-a69b0f57ec2f',
      callerNumber: '+14155550199',
      phoneNumber: '+14155550100',
    });
  });

  it('prefers call.customer.number and falls back to message.customer.number', () => {
    const both = {
      message: { type: 'hang', call: { customer: { number: '+1A' } }, customer: { number: '+1B' } },
    };
    expect(parseEnvelope(both)?.callerNumber).toBe('+1A');
    const topOnly = { message: { type: 'hang', call: { id: 'c1' }, customer: { number: '+1B' } } };
    expect(parseEnvelope(topOnly)?.callerNumber).toBe('+1B');
    const wrongType = {
      message: { type: 'hang', call: { customer: { number: 14155550199 } }, customer: { number: '+1B' } },
    };
    expect(parseEnvelope(wrongType)?.callerNumber).toBe('+1B');
  });

  it('gives nulls for a web call without phone numbers', () => {
    expect(parseEnvelope({ message: { type: 'hang', call: { id: 'web-1', type: 'webCall' } } })).toEqual({
      type: 'hang',
      callId: 'web-1',
      callerNumber: null,
      phoneNumber: null,
      message: { type: 'hang', call: { id: 'web-1', type: 'webCall' } },
    });
  });

  it('keeps unknown types', () => {
    expect(parseEnvelope({ message: { type: 'transcript[transcriptType="final"]' } })?.type).toBe(
      'transcript[transcriptType="final"]',
    );
  });

  it('is null without message.type', () => {
    for (const body of [
      null,
      undefined,
      'message',
      42,
      [],
      [{ message: { type: 'hang' } }],
      {},
      { message: null },
      { message: [] },
      { message: 'status-update' },
      { message: {} },
      { message: { type: '' } },
      { message: { type: 7 } },
      { type: 'status-update' }, // top-level type, as one docs example reads it: not Vapi's envelope
    ]) {
      expect(parseEnvelope(body)).toBeNull();
    }
  });

  it('ignores wrong types inside the envelope', () => {
    const envelope = parseEnvelope({
      message: { type: 'hang', call: { id: 12 }, phoneNumber: { number: ['+1'] }, customer: 'x' },
    });
    expect(envelope).toMatchObject({ callId: null, callerNumber: null, phoneNumber: null });
  });
});

describe('extractToolCalls', () => {
  const expected = { id: 'call_mrf9Qx2LrT0aZb7c', name: 'add_item', args: ADD_ITEM_ARGS, argsError: null };

  it('reads toolCallList with object arguments (reference example)', () => {
    expect(extractToolCalls(TOOL_CALLS.message)).toEqual([expected]);
  });

  it('reads arguments given as a JSON string (2025-05 schema)', () => {
    const message = {
      type: 'tool-calls',
      toolCallList: [
        {
          id: 'call_1',
          type: 'function',
          function: { name: 'add_item', arguments: '{"itemId":"pz-marg-12","quantity":2}' },
        },
      ],
    };
    expect(extractToolCalls(message)).toEqual([
      { id: 'call_1', name: 'add_item', args: { itemId: 'pz-marg-12', quantity: 2 }, argsError: null },
    ]);
  });

  it('reads an empty or blank argument string and missing arguments as no arguments', () => {
    const message = {
      toolCallList: [
        { id: 'a', function: { name: 'get_menu', arguments: '' } },
        { id: 'b', function: { name: 'get_menu', arguments: '  ' } },
        { id: 'c', function: { name: 'get_menu' } },
        { id: 'd', function: { name: 'get_menu', arguments: null } },
      ],
    };
    expect(extractToolCalls(message).map((call) => [call.id, call.args, call.argsError])).toEqual([
      ['a', {}, null],
      ['b', {}, null],
      ['c', {}, null],
      ['d', {}, null],
    ]);
  });

  it('reports bad JSON and non-object arguments in argsError', () => {
    const message = {
      toolCallList: [
        { id: 'bad', function: { name: 'add_item', arguments: '{"itemId":"pz-marg-12",' } },
        { id: 'arr', function: { name: 'add_item', arguments: '[1,2]' } },
        { id: 'num', function: { name: 'add_item', arguments: 5 } },
        { id: 'str', function: { name: 'add_item', arguments: '"just text"' } },
        { id: 'nul', function: { name: 'add_item', arguments: 'null' } },
      ],
    };
    const calls = extractToolCalls(message);
    expect(calls.map((call) => call.id)).toEqual(['bad', 'arr', 'num', 'str', 'nul']);
    for (const call of calls) {
      expect(call.args).toBeNull();
      expect(call.argsError).toEqual(expect.any(String));
      expect(call.name).toBe('add_item');
    }
    expect(calls[0]?.argsError).toBe('arguments are not valid JSON');
    expect(calls[1]?.argsError).toBe('arguments are not a JSON object');
  });

  it('reads the legacy toolCalls duplicate when toolCallList is absent or empty', () => {
    const list = [
      { id: 'call_legacy', type: 'function', function: { name: 'add_item', arguments: ADD_ITEM_ARGS } },
    ];
    const expectedLegacy = [{ id: 'call_legacy', name: 'add_item', args: ADD_ITEM_ARGS, argsError: null }];
    expect(extractToolCalls({ type: 'tool-calls', toolCalls: list })).toEqual(expectedLegacy);
    expect(extractToolCalls({ type: 'tool-calls', toolCallList: [], toolCalls: list })).toEqual(
      expectedLegacy,
    );
  });

  it('reads toolCallList once when toolCalls duplicates it', () => {
    const { toolCallList } = TOOL_CALLS.message;
    expect(extractToolCalls({ toolCallList, toolCalls: toolCallList })).toEqual([expected]);
  });

  it('reads toolWithToolCallList alone, taking arguments from the toolCall and not the tool schema', () => {
    const { toolWithToolCallList } = TOOL_CALLS.message;
    expect(extractToolCalls({ type: 'tool-calls', toolWithToolCallList })).toEqual([expected]);
  });

  it('takes the name from the tool when the wrapped toolCall has none', () => {
    const message = {
      toolWithToolCallList: [
        {
          type: 'function',
          function: { name: 'submit_order', parameters: { type: 'object', properties: {} } },
          toolCall: { id: 'call_9', arguments: { pickupName: 'Ana' } },
        },
      ],
    };
    expect(extractToolCalls(message)).toEqual([
      { id: 'call_9', name: 'submit_order', args: { pickupName: 'Ana' }, argsError: null },
    ]);
  });

  it('reads flat items with arguments or with parameters (docs layouts)', () => {
    const message = {
      toolCallList: [
        { id: 'flat_1', name: 'add_item', arguments: { itemId: 'drk-cola', quantity: 1 } },
        { id: 'flat_2', name: 'add_item', parameters: { itemId: 'pz-pep-16', quantity: 1 } },
        { id: 'flat_3', name: 'add_item', arguments: '{"itemId":"drk-cola","quantity":3}' },
      ],
    };
    expect(extractToolCalls(message)).toEqual([
      { id: 'flat_1', name: 'add_item', args: { itemId: 'drk-cola', quantity: 1 }, argsError: null },
      { id: 'flat_2', name: 'add_item', args: { itemId: 'pz-pep-16', quantity: 1 }, argsError: null },
      { id: 'flat_3', name: 'add_item', args: { itemId: 'drk-cola', quantity: 3 }, argsError: null },
    ]);
  });

  it('reads the wrapper form {name, toolCall: {id, parameters}}', () => {
    const message = {
      toolCallList: [{ name: 'check_hours', toolCall: { id: 'toolu_01A', parameters: { day: 'today' } } }],
    };
    expect(extractToolCalls(message)).toEqual([
      { id: 'toolu_01A', name: 'check_hours', args: { day: 'today' }, argsError: null },
    ]);
  });

  it('reads function.parameters inside an OpenAI-shaped item', () => {
    const message = {
      toolCallList: [{ id: 'p1', function: { name: 'add_item', parameters: '{"quantity":1}' } }],
    };
    expect(extractToolCalls(message)[0]?.args).toEqual({ quantity: 1 });
  });

  it('keeps several calls in order', () => {
    const message = {
      toolCallList: [
        {
          id: 'call_a',
          type: 'function',
          function: { name: 'add_item', arguments: { itemId: 'pz-marg-12', quantity: 2 } },
        },
        {
          id: 'call_b',
          type: 'function',
          function: { name: 'add_item', arguments: '{"itemId":"drk-cola","quantity":2}' },
        },
        { id: 'toolu_c', type: 'function', function: { name: 'get_total', arguments: {} } },
      ],
    };
    expect(extractToolCalls(message).map((call) => `${call.id}:${call.name}`)).toEqual([
      'call_a:add_item',
      'call_b:add_item',
      'toolu_c:get_total',
    ]);
  });

  it("keeps items without an id (id '') or name (name ''), and skips non-object items", () => {
    const message = {
      toolCallList: [
        null,
        'call_x',
        7,
        ['nested'],
        { function: { name: 'add_item', arguments: { quantity: 1 } } },
        { id: 42, name: { not: 'a string' } },
      ],
    };
    expect(extractToolCalls(message)).toEqual([
      { id: '', name: 'add_item', args: { quantity: 1 }, argsError: null },
      { id: '', name: '', args: {}, argsError: null },
    ]);
  });

  it('is empty for messages without tool calls', () => {
    expect(extractToolCalls({})).toEqual([]);
    expect(extractToolCalls(STATUS_UPDATE_ENVELOPE.message)).toEqual([]);
    expect(extractToolCalls({ toolCallList: 'not a list', toolCalls: { id: 'x' } })).toEqual([]);
  });
});

describe('extractFunctionCall', () => {
  it('reads object parameters (Vapi example server)', () => {
    expect(extractFunctionCall(FUNCTION_CALL.message)).toEqual({
      id: '',
      name: 'add_item',
      args: { itemId: 'pz-marg-12', quantity: 2 },
      argsError: null,
    });
  });

  it('reads string parameters (documented type)', () => {
    const message = {
      type: 'function-call',
      functionCall: { name: 'add_item', parameters: '{"itemId":"pz-marg-12"}' },
    };
    expect(extractFunctionCall(message)).toEqual({
      id: '',
      name: 'add_item',
      args: { itemId: 'pz-marg-12' },
      argsError: null,
    });
  });

  it('reports bad JSON parameters', () => {
    const message = { functionCall: { name: 'add_item', parameters: '{oops' } };
    expect(extractFunctionCall(message)).toEqual({
      id: '',
      name: 'add_item',
      args: null,
      argsError: 'arguments are not valid JSON',
    });
  });

  it('is null without a functionCall object', () => {
    expect(extractFunctionCall({ type: 'function-call' })).toBeNull();
    expect(extractFunctionCall({ functionCall: 'add_item' })).toBeNull();
    expect(extractFunctionCall({ functionCall: [] })).toBeNull();
  });
});

describe('parseEndOfCallReport', () => {
  it('reads the current schema (artifact / analysis)', () => {
    expect(parseEndOfCallReport(END_OF_CALL_REPORT.message)).toEqual({
      callId: 'b1223960-1b4d-4585-91b8-a69b0f57ec2f',
      callerNumber: '+14155550199',
      startedAt: new Date('2026-01-31T18:53:49.010Z'),
      endedAt: new Date('2026-01-31T18:56:30.442Z'),
      endedReason: 'customer-ended-call',
      summary: 'Caller ordered two 12in margheritas for pickup.',
      transcript: "AI: Thanks for calling Luigi's...\nUser: Two margheritas please...\n",
      recordingUrl: 'https://recordings.example/b1223960-mono.wav',
      cost: 0.1834,
    });
  });

  it('reads the 2024 shape (top-level fields, times on the call)', () => {
    expect(parseEndOfCallReport(END_OF_CALL_REPORT_2024.message)).toEqual({
      callId: '0b2c3f1e-2024-4a5b-9c8d-7e6f5a4b3c2d',
      callerNumber: '+14155550111',
      startedAt: new Date('2024-07-10T17:01:02.000Z'),
      endedAt: new Date('2024-07-10T17:03:40.500Z'),
      endedReason: 'assistant-ended-call',
      summary: 'Caller ordered one pepperoni.',
      transcript: 'AI: Hello.\nUser: One pepperoni.\n',
      recordingUrl: 'https://recordings.example/2024-mono.wav',
      cost: null,
    });
  });

  it('prefers artifact and analysis over top-level copies', () => {
    const report = parseEndOfCallReport({
      ...END_OF_CALL_REPORT.message,
      summary: 'top-level summary',
      transcript: 'top-level transcript',
      recordingUrl: 'https://top-level.example/rec.wav',
    });
    expect(report.summary).toBe('Caller ordered two 12in margheritas for pickup.');
    expect(report.transcript).toContain("Thanks for calling Luigi's");
    expect(report.recordingUrl).toBe('https://recordings.example/b1223960-mono.wav');
  });

  it('falls back to artifact.recording.mono.combinedUrl', () => {
    const report = parseEndOfCallReport({
      artifact: { recording: { mono: { combinedUrl: 'https://recordings.example/combined.wav' } } },
      recordingUrl: 'https://top-level.example/rec.wav',
    });
    expect(report.recordingUrl).toBe('https://recordings.example/combined.wav');
  });

  it('reads epoch timestamps in milliseconds (and seconds)', () => {
    const report = parseEndOfCallReport({ startedAt: 1767201029010, endedAt: 1767201190 });
    expect(report.startedAt).toEqual(new Date(1767201029010));
    expect(report.endedAt).toEqual(new Date(1767201190000));
  });

  it('ignores wrong types and unparseable dates', () => {
    expect(
      parseEndOfCallReport({
        call: { id: 5, cost: 'free' },
        startedAt: 'yesterday',
        endedAt: Number.NaN,
        endedReason: ['customer-ended-call'],
        cost: '0.18',
        analysis: { summary: { text: 'x' } },
        artifact: { transcript: 12, recordingUrl: false, recording: { mono: 'https://x' } },
      }),
    ).toEqual({
      callId: null,
      callerNumber: null,
      startedAt: null,
      endedAt: null,
      endedReason: null,
      summary: null,
      transcript: null,
      recordingUrl: null,
      cost: null,
    });
  });
});

describe('parseStatusUpdate', () => {
  it('reads an ended status with its reason', () => {
    expect(parseStatusUpdate(STATUS_ENDED.message)).toEqual({
      callId: 'b1223960-...',
      status: 'ended',
      endedReason: 'customer-ended-call',
      callerNumber: null,
    });
  });

  it('reads an in-progress status and the caller', () => {
    expect(parseStatusUpdate(STATUS_UPDATE_ENVELOPE.message)).toEqual({
      callId: '6b38c32e-6d5c-4d10-bce5-951581ddcd77',
      status: 'in-progress',
      endedReason: null,
      callerNumber: '+14155550199',
    });
  });

  it('uses message.status, not the stale call.status', () => {
    expect(parseStatusUpdate({ status: 'ended', call: { id: 'c', status: 'ringing' } }).status).toBe('ended');
    expect(parseStatusUpdate({ call: { id: 'c', status: 'ringing' } }).status).toBeNull();
  });
});

describe('toSpokenLine', () => {
  it('flattens newlines, tabs and runs of whitespace and trims', () => {
    expect(toSpokenLine('  2 x Margherita\n\n\t1 x Cola \r\n Total: $31.00  ')).toBe(
      '2 x Margherita 1 x Cola Total: $31.00',
    );
    expect(toSpokenLine('a\u0000b\u00a0\u2028c')).toBe('a b c');
  });

  it('leaves a short line alone', () => {
    expect(toSpokenLine('Your order is confirmed.')).toBe('Your order is confirmed.');
    expect(toSpokenLine('')).toBe('');
    expect(toSpokenLine(' \n\t ')).toBe('');
  });

  it('cuts to 1000 characters by default, ending with …', () => {
    const line = toSpokenLine('word '.repeat(400));
    expect(line.length).toBeLessThanOrEqual(1000);
    expect(line.endsWith('…')).toBe(true);
    expect(toSpokenLine('x'.repeat(1000))).toBe('x'.repeat(1000));
    expect(toSpokenLine('x'.repeat(1001))).toBe(`${'x'.repeat(999)}…`);
  });

  it('honours a custom max', () => {
    expect(toSpokenLine('Two margheritas and a cola', 10)).toBe('Two margh…');
    expect(toSpokenLine('Two margheritas', 15)).toBe('Two margheritas');
    expect(toSpokenLine('Two  margheritas', 4)).toBe('Two…');
    expect(toSpokenLine('abc', 1)).toBe('…');
    expect(toSpokenLine('abc', 0)).toBe('');
  });

  it('does not split a surrogate pair when cutting', () => {
    const line = toSpokenLine('ab🍕🍕🍕', 4);
    expect(line).toBe('ab…');
    expect(toSpokenLine('ab🍕🍕🍕', 5)).toBe('ab🍕…');
  });
});

describe('garbage never throws', () => {
  const garbage: unknown[] = [
    null,
    undefined,
    0,
    -1,
    Number.NaN,
    Infinity,
    '',
    'message',
    true,
    [],
    [null, 1, 'x'],
    {},
    { message: 1 },
    { message: { type: {} } },
    { message: { type: 'tool-calls', toolCallList: [[], [null], { function: 7 }, { toolCall: [] }] } },
    { type: 'x', call: [], customer: null, phoneNumber: 'x', artifact: 'x', analysis: [] },
    { call: { id: null, customer: { number: {} } }, startedAt: {}, endedAt: [], cost: Infinity },
    { toolCallList: [{ id: 'x', function: { name: 'f', arguments: '{"a":' } }], functionCall: { name: 1 } },
    { toolWithToolCallList: [null, { toolCall: null }, { toolCall: { function: 'x' } }] },
    { functionCall: { parameters: 12 } },
    { artifact: { recording: { mono: null } }, analysis: null },
    { constructor: 'x', __proto__: null, toString: 1 },
    JSON.parse('{"__proto__":{"type":"polluted"},"message":{"type":"hang","call":{"id":"c"}}}'),
    { message: { type: 'hang', call: { customer: { number: { number: '+1' } } } } },
  ];

  it('parseEnvelope never throws', () => {
    for (const value of garbage) {
      expect(() => parseEnvelope(value)).not.toThrow();
      expect(() => parseEnvelope({ message: value })).not.toThrow();
    }
  });

  it('the message readers never throw', () => {
    for (const value of garbage) {
      // The readers take a message object; a caller that already failed parseEnvelope would never call them,
      // but a wrong object graph must still be harmless.
      const message = value as Record<string, unknown>;
      expect(() => extractToolCalls(message)).not.toThrow();
      expect(() => extractFunctionCall(message)).not.toThrow();
      expect(() => parseEndOfCallReport(message)).not.toThrow();
      expect(() => parseStatusUpdate(message)).not.toThrow();
    }
  });

  it('never reads inherited properties', () => {
    const inherited = Object.create({ type: 'inherited', call: { id: 'proto' } }) as Record<string, unknown>;
    expect(parseEnvelope({ message: inherited })).toBeNull();
    expect(parseStatusUpdate(inherited).callId).toBeNull();
  });
});
