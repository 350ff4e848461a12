import { Injectable } from '@nestjs/common';
import { ProductRepository, type ProductEntity } from '@parkex/db';
import { badInput, notFound } from '../common/app-error';
import type { ImbalanceTermsInput } from './dto/imbalance-terms.input';
import { checkImbalanceTerms } from './imbalance-terms-rules';
import { checkProductSettings, type ProductSettingsInput } from './product-rules';

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

  /**
   * Creates a product or changes its settings; they apply to intervals opened later (an open
   * interval keeps the terms it opened with). Without `maxParticipantQuantity` a new product gets
   * the default (100,000 kWh) and an existing one keeps its value.
   */
  async upsert(input: ProductSettingsInput): Promise<ProductEntity> {
    const { problems, settings } = checkProductSettings(input);
    if (problems.length) {
      throw badInput(problems.map((p) => p.message).join('; '), {
        field: `input.${problems[0].field}`,
        problems,
      });
    }
    return this.products.upsert(settings);
  }

  /**
   * Replaces a product's imbalance terms (README "Meter readings"): its metering and correction
   * windows, its tariffs (both or neither: a product without them is not metered) and the auction
   * series whose awards count in its positions. An interval already open keeps the settlement
   * time it opened with.
   */
  async setImbalanceTerms(input: ImbalanceTermsInput): Promise<ProductEntity> {
    const { problems, terms } = checkImbalanceTerms(input);
    if (problems.length) {
      throw badInput(problems.map((p) => p.message).join('; '), {
        field: `input.${problems[0].field}`,
        problems,
      });
    }
    const outcome = await this.products.setImbalanceTerms(input.productCode, terms);
    switch (outcome.kind) {
      case 'SET':
        return outcome.product;
      case 'UNKNOWN_PRODUCT':
        throw notFound(`product ${input.productCode} does not exist`);
      case 'UNKNOWN_SERIES':
        throw badInput(`auction series ${JSON.stringify(terms.auctionSeries)} does not exist`, {
          field: 'input.auctionSeries',
          reason: 'UNKNOWN_SERIES',
        });
    }
  }
}
