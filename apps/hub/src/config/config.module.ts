import { type DynamicModule, Global, Module } from '@nestjs/common';
import { HubConfig, loadConfig } from './hub-config';

/**
 * HubConfig for every provider. The one global module of the hub (test/architecture/modules.spec.ts):
 * nearly every provider reads the configuration, it has no dependencies and no state but the
 * parsed env, and forRoot(config) takes the value each app (or test) is built with, as
 * @nestjs/config's isGlobal does.
 */
@Global()
@Module({})
export class ConfigModule {
  /** Pass a ready config (tests) or let it parse process.env once. */
  static forRoot(config?: HubConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: HubConfig, useFactory: () => config ?? loadConfig() }],
      exports: [HubConfig],
    };
  }
}
