import { type DynamicModule, Module } from '@nestjs/common';
import { ClientAddresses } from './client-address';
import { AddressRateLimiter, RateLimiter, type RateLimitOptions } from './rate-limiter';

export interface RateLimitModuleOptions {
  /** Per API key, in query cost (each order submitted an item). */
  perKey: RateLimitOptions;
  /** Per client address, for requests without a valid key. */
  perAddress: RateLimitOptions;
  /** Proxies whose `X-Forwarded-For` is believed (addresses and CIDR ranges). */
  trustedProxies: readonly string[];
}

/** The rate limiters and the client-address rule, global: authentication uses them everywhere. */
@Module({})
export class RateLimitModule {
  static forRoot(options: RateLimitModuleOptions): DynamicModule {
    return {
      module: RateLimitModule,
      global: true,
      providers: [
        { provide: RateLimiter, useValue: new RateLimiter(options.perKey) },
        { provide: AddressRateLimiter, useValue: new AddressRateLimiter(options.perAddress) },
        { provide: ClientAddresses, useValue: new ClientAddresses(options.trustedProxies) },
      ],
      exports: [RateLimiter, AddressRateLimiter, ClientAddresses],
    };
  }
}
