import { Controller, Get, Param, Res } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { introspectionFromSchema } from 'graphql';
import type { ServerResponse } from 'node:http';
import { graphiqlAsset } from './graphiql-assets';

/** `GET /graphiql/<file>`: the GraphiQL page's scripts, styles and schema (no data, no key). */
@Controller('graphiql')
export class GraphiqlController {
  private schemaJson: Buffer | null = null;

  constructor(private readonly moduleRef: ModuleRef) {}

  /**
   * The schema as an introspection result, what `introspection` (on outside production) gives
   * anyone; built once. GraphiQL reads it here because its introspection query is deeper than
   * the depth limit of queries.
   */
  @Get('schema.json')
  schema(@Res() res: ServerResponse): void {
    if (!this.schemaJson) {
      // GraphQLModule is not global: its schema host is found in the app's container.
      const schema = this.moduleRef.get(GraphQLSchemaHost, { strict: false }).schema;
      this.schemaJson = Buffer.from(JSON.stringify({ data: introspectionFromSchema(schema) }));
    }
    send(res, 200, 'application/json; charset=utf-8', this.schemaJson, 'no-cache');
  }

  @Get(':file')
  asset(@Param('file') file: string, @Res() res: ServerResponse): void {
    const asset = graphiqlAsset(file);
    if (!asset) {
      send(res, 404, 'text/plain; charset=utf-8', Buffer.from('not found'), 'no-cache');
      return;
    }
    send(res, 200, asset.contentType, asset.body, 'public, max-age=3600');
  }
}

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: Buffer,
  cacheControl: string,
): void {
  res.statusCode = status;
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('content-type', contentType);
  res.setHeader('cache-control', cacheControl);
  res.end(body);
}
