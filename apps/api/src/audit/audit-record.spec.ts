import {
  AUDIT_ARGS_MAX_CHARS,
  AUDIT_MESSAGE_MAX_CHARS,
  auditArgs,
  auditMessage,
  escapeControls,
} from './audit-record';

describe('audit record', () => {
  it('escapes control characters and unpaired surrogates, keeps other text', () => {
    expect(escapeControls('a\u0000b\u001b[31m\r\n\t\u007f\u0085')).toBe(
      'a\\u0000b\\u001b[31m\\u000d\\u000a\\u0009\\u007f\\u0085',
    );
    expect(escapeControls('x\ud800y\udc00z')).toBe('x\\ud800y\\udc00z');
    expect(escapeControls('€ 😀 Grüße')).toBe('€ 😀 Grüße');
  });

  it('escapes keys and values at any depth and summarises long lists', () => {
    const args = auditArgs({
      'k\u0000': [{ id: '\u0000' }],
      list: Array.from({ length: 25 }, (_, i) => i),
    });
    expect(args).toEqual({
      'k\\u0000': [{ id: '\\u0000' }],
      list: { count: 25, first: Array.from({ length: 20 }, (_, i) => i) },
    });
  });

  it('keeps arguments of exactly the bound and cuts one character more to a marked head', () => {
    const overhead = JSON.stringify({ s: '' }).length;
    const exact = { s: 'x'.repeat(AUDIT_ARGS_MAX_CHARS - overhead) };
    expect(auditArgs(exact)).toEqual(exact);
    const over = auditArgs({ s: 'x'.repeat(AUDIT_ARGS_MAX_CHARS - overhead + 1) }) as Record<
      string,
      unknown
    >;
    expect(over).toMatchObject({ truncated: true, chars: AUDIT_ARGS_MAX_CHARS + 1 });
    expect(JSON.stringify(over).length).toBeLessThanOrEqual(AUDIT_ARGS_MAX_CHARS);
  });

  it('stays within the bound whatever the escaping of the head costs', () => {
    for (const unit of ['"', '\\', '\u0000', '😀']) {
      const cut = auditArgs({ s: unit.repeat(20_000) });
      expect(JSON.stringify(cut).length).toBeLessThanOrEqual(AUDIT_ARGS_MAX_CHARS);
      expect((cut as { truncated: boolean }).truncated).toBe(true);
    }
  });

  it('bounds the message with a marker', () => {
    expect(auditMessage('short')).toBe('short');
    const long = auditMessage('m'.repeat(5000))!;
    expect(long).toHaveLength(AUDIT_MESSAGE_MAX_CHARS);
    expect(long.endsWith(' … [truncated]')).toBe(true);
  });
});
