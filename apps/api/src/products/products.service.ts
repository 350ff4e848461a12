import { Injectable } from '@nestjs/common';
import { ProductRepository, type ProductEntity, type ProductSettings } from '@parkex/db';
import { badInput, notFound } from '../common/app-error';
import { checkProductSettings } from './product-rules';

@Injectable()
export class ProductsService {
  constructor(private readonly products: ProductRepository) {}

  list(): Promise<ProductEntity[]> {
    return this.products.list();
  }

  async get(code: string): Promise<ProductEntity> {
    const product = await this.products.findByCode(code);
    if (!product) throw notFound(`product ${code} does not exist`);
    return product;
  }

  /** Creates a product or changes its settings (they apply to intervals not yet cleared). */
  async upsert(settings: ProductSettings): Promise<ProductEntity> {
    const problems = checkProductSettings(settings);
    if (problems.length) {
      throw badInput(problems.map((p) => p.message).join('; '), {
        field: `input.${problems[0].field}`,
        problems,
      });
    }
    return this.products.upsert(settings);
  }
}
