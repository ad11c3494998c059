import { type DynamicModule, Module } from '@nestjs/common';
import { AdminConfig } from './config/admin-config';
import { HubClient } from './hub/hub.client';
import { queueBoardModule, QueueBoard } from './queues/queues';
import { AuthController, HealthController } from './session/auth.controller';
import { SessionStore } from './session/session.store';
import { ExportController } from './export/export.controller';

@Module({})
export class AdminModule {
  static forRoot(config: AdminConfig, hub: HubClient, sessions: SessionStore): DynamicModule {
    return {
      module: AdminModule,
      imports: [queueBoardModule()],
      controllers: [AuthController, HealthController, ExportController],
      providers: [
        { provide: AdminConfig, useValue: config },
        { provide: HubClient, useValue: hub },
        { provide: SessionStore, useValue: sessions },
        QueueBoard,
      ],
    };
  }
}
