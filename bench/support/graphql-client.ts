import { Agent, request } from 'node:http';

/** Keep-alive HTTP/1.1 to the API on loopback; one socket per concurrent client. */
export class GraphqlClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });

  constructor(private readonly port: number) {}

  post(payload: string, key: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: this.port,
          path: '/graphql',
          method: 'POST',
          agent: this.agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
            authorization: `Bearer ${key}`,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  async call(
    query: string,
    variables: Record<string, unknown>,
    key: string,
  ): Promise<Record<string, Record<string, unknown>>> {
    const text = await this.post(JSON.stringify({ query, variables }), key);
    const parsed = JSON.parse(text) as {
      data?: Record<string, Record<string, unknown>>;
      errors?: unknown[];
    };
    if (parsed.errors) throw new Error(`GraphQL error: ${JSON.stringify(parsed.errors)}`);
    return parsed.data!;
  }

  close(): void {
    this.agent.destroy();
  }
}
