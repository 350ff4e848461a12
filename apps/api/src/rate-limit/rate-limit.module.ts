import { type DynamicModule, Module } from '@nestjs/common';
import { RateLimiter, type RateLimitOptions } from './rate-limiter';

/** The per-API-key rate limiter, global: `ApiKeyGuard` takes a token per request. */
@Module({})
export class RateLimitModule {
  static forRoot(options: RateLimitOptions): DynamicModule {
    return {
      module: RateLimitModule,
      global: true,
      providers: [{ provide: RateLimiter, useValue: new RateLimiter(options) }],
      exports: [RateLimiter],
    };
  }
}
