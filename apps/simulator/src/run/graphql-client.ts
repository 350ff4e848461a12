/** A GraphQL error from the API, with its `extensions.code` (e.g. GATE_CLOSED). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** GraphQL over HTTP with one participant's API key (Node's fetch; no dependency). */
export class GraphqlClient {
  constructor(
    readonly url: string,
    private readonly key: string,
    private readonly timeoutMs = 15_000,
  ) {}

  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.key}` },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new ApiError(`cannot reach ${this.url}: ${describe(error)}`, 'NETWORK');
    }
    let body: { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
    try {
      body = (await response.json()) as typeof body;
    } catch {
      throw new ApiError(`${this.url} answered ${response.status} without JSON`, 'NETWORK');
    }
    const [first] = body.errors ?? [];
    if (first) throw new ApiError(first.message, first.extensions?.code);
    if (!body.data)
      throw new ApiError(`${this.url} answered ${response.status} without data`, undefined);
    return body.data;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
