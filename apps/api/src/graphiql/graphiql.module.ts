import { type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GRAPHIQL_CSP, GRAPHIQL_HTML } from './graphiql-assets';
import type { ApolloPlugin } from '../graphql/apollo-plugin';
import { GraphiqlController } from './graphiql.controller';

/**
 * GraphiQL outside production: Apollo shows `GRAPHIQL_HTML` as the landing page of
 * `GET /graphql` in a browser, and this module serves its files and sets its CSP.
 */
@Module({ controllers: [GraphiqlController] })
export class GraphiqlModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply((_req: IncomingMessage, res: ServerResponse, next: () => void) => {
        res.setHeader('content-security-policy', GRAPHIQL_CSP);
        res.setHeader('referrer-policy', 'no-referrer');
        next();
      })
      .forRoutes({ path: 'graphql', method: RequestMethod.GET });
  }
}

/** Apollo's landing page: our offline GraphiQL instead of the driver's CDN one. */
export function graphiqlLandingPage(): ApolloPlugin {
  return {
    serverWillStart() {
      return Promise.resolve({
        renderLandingPage: () => Promise.resolve({ html: GRAPHIQL_HTML }),
      });
    },
  };
}
