import { type DynamicModule, Global, Module } from '@nestjs/common';
import { HubConfig, loadConfig } from './hub-config';

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
