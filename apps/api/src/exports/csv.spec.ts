import { csvChunks, csvField, csvRecord } from './csv';

describe('RFC 4180 CSV', () => {
  it('quotes only fields that need it and doubles quotes inside', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('-12.50')).toBe('-12.50');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvField(null)).toBe('');
    expect(csvField(7)).toBe('7');
  });

  it('neutralises cells a spreadsheet would run as a formula, numbers excepted', () => {
    expect(csvField('=HYPERLINK("http://x","click")')).toBe(
      `"'=HYPERLINK(""http://x"",""click"")"`,
    );
    expect(csvField('+cmd')).toBe("'+cmd");
    expect(csvField('-1+2')).toBe("'-1+2");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\tx')).toBe("'\tx");
    expect(csvField('\r=1')).toBe(`"'\r=1"`);
    expect(csvField('-12.50')).toBe('-12.50');
    expect(csvField('+3')).toBe('+3');
    expect(csvField('-0.001')).toBe('-0.001');
    expect(csvField('a=b')).toBe('a=b');
    expect(csvField(-5)).toBe('-5');
  });

  it('ends every record with CRLF', () => {
    expect(csvRecord(['a', null, 'b,c'])).toBe('a,,"b,c"\r\n');
  });

  it('streams the header, then the rows, in chunks', async () => {
    async function* rows() {
      for (let i = 0; i < 20_000; i++) yield { id: i, name: i % 2 ? 'x,y' : 'z' };
    }
    const chunks: string[] = [];
    for await (const chunk of csvChunks(['id', 'name'], rows(), (r) => [r.id, r.name])) {
      chunks.push(chunk);
    }
    expect(chunks.length).toBeGreaterThan(1);
    const lines = chunks.join('').split('\r\n');
    expect(lines[0]).toBe('id,name');
    expect(lines[1]).toBe('0,z');
    expect(lines[2]).toBe('1,"x,y"');
    expect(lines).toHaveLength(20_002); // header, 20,000 rows, and the empty text after the last CRLF
    expect(lines[20_001]).toBe('');
  });

  it('stops reading rows when the reader stops', async () => {
    let produced = 0;
    let finished = false;
    async function* rows() {
      try {
        for (;;) {
          produced += 1;
          yield 'x'.repeat(1000);
        }
      } finally {
        finished = true;
      }
    }
    for await (const chunk of csvChunks(['v'], rows(), (r) => [r])) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    expect(finished).toBe(true);
    expect(produced).toBeLessThan(100);
  });
});
