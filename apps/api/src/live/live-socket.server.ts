import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { HttpAdapterHost, ModuleRef } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { useServer } from 'graphql-ws/use/ws';
import WebSocket, { WebSocketServer } from 'ws';
import { AuditService } from '@parkex/api/audit/audit.service';
import { AuthService } from '@parkex/api/auth/auth.service';
import type { GatedRequest } from '@parkex/api/auth/principal';
import { ClientAddresses } from '@parkex/api/rate-limit/client-address';
import { graphqlWsOptions } from './graphql-ws.options';
import { CLOSE_TOO_MANY, LiveConnections } from './live-connections';
import { LIVE_OPTIONS, type LiveOptions } from './live.options';

const PATH = '/graphql';
/** How long sockets get to answer the close at shutdown before they are cut. */
const SHUTDOWN_GRACE_MS = 1000;

/**
 * graphql-ws on `/graphql` (protocol `graphql-transport-ws`), run by the API itself rather than
 * by the GraphQL driver, whose server takes no frame size limit and no say in which upgrades it
 * accepts. Frames larger than `maxMessageBytes` close the socket with 1009 before they are
 * buffered; an address with `maxConnectionsPerAddress` open sockets gets the next one closed
 * with 4429 at once. The rest (key at connection_init, caps) is in `graphqlWsOptions`.
 */
@Injectable()
export class LiveSocketServer implements OnApplicationBootstrap, OnModuleDestroy {
  private wss: WebSocketServer | null = null;
  private disposable: { dispose(): Promise<void> | void } | null = null;
  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) =>
    this.upgrade(request, socket, head);

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly moduleRef: ModuleRef,
    private readonly auth: AuthService,
    private readonly connections: LiveConnections,
    private readonly addresses: ClientAddresses,
    private readonly audit: AuditService,
    @Inject(LIVE_OPTIONS) private readonly options: LiveOptions,
  ) {}

  onApplicationBootstrap(): void {
    const limits = this.options.sockets;
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: limits.maxMessageBytes,
      WebSocket: LiveWebSocket,
    });
    this.disposable = useServer(
      graphqlWsOptions({
        // GraphQLModule is not global: its schema host is found in the app's container.
        schema: this.moduleRef.get(GraphQLSchemaHost, { strict: false }).schema,
        auth: this.auth,
        audit: this.audit,
        connections: this.connections,
        limits,
      }),
      this.wss,
    );
    this.httpServer().on('upgrade', this.onUpgrade);
  }

  /** Closes every socket (1001), gives them a moment to answer, then cuts the rest. */
  async onModuleDestroy(): Promise<void> {
    const wss = this.wss;
    if (!wss) return;
    this.wss = null;
    this.httpServer().off('upgrade', this.onUpgrade);
    for (const client of wss.clients) client.close(1001, 'the API is shutting down');
    const deadline = Date.now() + SHUTDOWN_GRACE_MS;
    while (wss.clients.size && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const client of wss.clients) client.terminate();
    await this.disposable?.dispose();
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const wss = this.wss;
    if (!wss || pathOf(request.url) !== PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    // The client's address as the request limits see it (X-Forwarded-For from trusted proxies),
    // decided once: the key checks and refusal counts of the connection read it from the request.
    const address = this.addresses.clientAddress(
      request.socket.remoteAddress,
      request.headers['x-forwarded-for'],
    );
    (request as GatedRequest).parkexAuth = { address };
    wss.handleUpgrade(request, socket, head, (ws) => {
      if (!this.connections.admit(ws, address)) {
        ws.close(
          CLOSE_TOO_MANY,
          `more than ${this.options.sockets.maxConnectionsPerAddress} open connections from this address`,
        );
        return;
      }
      wss.emit('connection', ws, request);
    });
  }

  private httpServer(): NodeJS.EventEmitter {
    return this.adapterHost.httpAdapter.getHttpServer() as NodeJS.EventEmitter;
  }
}

/**
 * A socket that keeps a client's protocol faults (a frame over the size limit, a bad frame) out
 * of the error log: `ws` has already closed the socket with the fitting code (1009, 1002, ...)
 * when it reports them, and graphql-ws would log each as an internal error with its stack, a log
 * any client could flood.
 */
class LiveWebSocket extends WebSocket {
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'error' && isPeerFault(args[0])) return false;
    return super.emit(event, ...args);
  }
}

function isPeerFault(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('WS_ERR_');
}

function pathOf(url: string | undefined): string {
  const path = (url ?? '').split('?', 1)[0];
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}
