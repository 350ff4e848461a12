import type { ApolloDriverConfig } from '@nestjs/apollo';

/**
 * An Apollo Server plugin as the Nest driver's options type it: with the types of
 * `@apollo/server`'s ESM build, which a plugin imported from its CJS build must be cast to.
 */
export type ApolloPlugin = NonNullable<ApolloDriverConfig['plugins']>[number];
