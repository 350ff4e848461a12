import { UseGuards } from '@nestjs/common';
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { ApiKeyGuard } from '@parkex/api/auth/api-key.guard';
import { AnyRole, Roles } from '@parkex/api/auth/roles.decorator';
import { ImbalanceTermsInput } from './dto/imbalance-terms.input';
import { ProductInput } from './dto/product.input';
import { mapProduct, ProductModel } from './models/product.model';
import { ProductsService } from './products.service';

@Resolver(() => ProductModel)
@UseGuards(ApiKeyGuard)
@Roles('OPERATOR')
export class ProductsResolver {
  constructor(private readonly service: ProductsService) {}

  @Query(() => [ProductModel])
  @AnyRole()
  async products(): Promise<ProductModel[]> {
    return (await this.service.list()).map(mapProduct);
  }

  @Mutation(() => ProductModel)
  async upsertProduct(@Args('input') input: ProductInput): Promise<ProductModel> {
    return mapProduct(await this.service.upsert({ ...input }));
  }

  @Mutation(() => ProductModel, {
    description:
      "Sets a product's imbalance terms (operator): metering and correction windows, tariffs (both or neither; neither: not metered) and the auction series counted in positions",
  })
  async setImbalanceTerms(@Args('input') input: ImbalanceTermsInput): Promise<ProductModel> {
    return mapProduct(await this.service.setImbalanceTerms(input));
  }
}
